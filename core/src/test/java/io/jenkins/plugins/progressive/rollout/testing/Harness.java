package io.jenkins.plugins.progressive.rollout.testing;

import io.jenkins.plugins.progressive.rollout.Next;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutEngine;
import io.jenkins.plugins.progressive.rollout.RolloutEvent;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** One rollout on an in-memory platform, driven on a virtual clock by a test. */
public final class Harness {

    public final VirtualClock clock = new VirtualClock();
    public final InMemoryStateStore store = new InMemoryStateStore();
    public final InMemoryPlatform platform;
    public final List<RolloutEvent> events = new CopyOnWriteArrayList<>();
    public RolloutEngine engine;
    private Next last;

    /** size instances, stable running {@code stableVersion} (null: first release), with a router or not. */
    public Harness(int size, String stableVersion, boolean router) {
        platform = new InMemoryPlatform(clock, size, stableVersion, router);
        engine = newEngine();
    }

    /** A fresh engine on the same store and platform, as after a restart. */
    public RolloutEngine newEngine() {
        return RolloutEngine.builder(store, spec -> platform.platform())
                .clock(clock)
                .events(events::add)
                .judge(FallbackJudge.INSTANCE)
                .pollInterval(Duration.ofSeconds(1))
                .commandPollInterval(Duration.ofSeconds(5))
                .progressDeadline(Duration.ofMinutes(2))
                .build();
    }

    public String start(RolloutSpec spec) {
        engine.start(spec);
        return spec.lockKey();
    }

    /** One advance; the clock then moves to the wake-up it asked for. */
    public Next step(String key) {
        last = engine.advance(key);
        if (!last.isDone()) {
            clock.set(last.wakeAt());
        }
        return last;
    }

    /** Advance until {@code until} holds for the state or the rollout ended (bounded). */
    public Next runUntil(String key, Predicate<RolloutState> until) {
        for (int i = 0; i < 10_000; i++) {
            Next n = step(key);
            if (n.isDone() || until.test(state(key))) {
                return n;
            }
        }
        throw new AssertionError("rollout did not reach the condition in 10000 advances: " + state(key).json());
    }

    public RolloutResult runToEnd(String key) {
        Next n = runUntil(key, s -> false);
        return n.result();
    }

    public Next runUntilPaused(String key) {
        Next n = runUntil(key, s -> s.phase() == Phase.PAUSED);
        if (n.isDone()) {
            throw new AssertionError("ended instead of pausing: " + n.result());
        }
        return n;
    }

    public RolloutState state(String key) {
        return engine.status(key).orElseThrow();
    }

    public Instant now() {
        return clock.instant();
    }

    public List<String> eventKinds() {
        return events.stream().map(RolloutEvent::kind).toList();
    }
}
