package io.jenkins.plugins.progressive.rollout;

import static io.jenkins.plugins.progressive.rollout.testing.Specs.analysis;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.canary;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.manualPause;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.weight;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.rollout.testing.FallbackJudge;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryPlatform;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryStateStore;
import io.jenkins.plugins.progressive.rollout.testing.Specs;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduler on real time: many rollouts, few threads, never two advances of one rollout at once. */
class RolloutSchedulerTest {

    private final InMemoryStateStore store = new InMemoryStateStore();
    private final Map<String, InMemoryPlatform> platforms = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final ScheduledExecutorService metricsServer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        metricsServer.shutdownNow();
    }

    /** A workload that notices two calls for the same rollout at the same time. */
    private Platform watched(RolloutSpec spec) {
        InMemoryPlatform p = platforms.get(spec.lockKey());
        AtomicInteger in = inside.computeIfAbsent(spec.lockKey(), k -> new AtomicInteger());
        Workload w = new Workload() {
            @Override
            public RoleStatus status(Role role) {
                return guarded(() -> p.status(role));
            }

            @Override
            public void scale(Role role, String version, int replicas) {
                guarded(() -> {
                    p.scale(role, version, replicas);
                    return null;
                });
            }

            @Override
            public int size() {
                return p.size();
            }

            private <T> T guarded(java.util.function.Supplier<T> call) {
                if (in.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                try {
                    return call.get();
                } finally {
                    in.decrementAndGet();
                }
            }
        };
        return new Platform(w, p, p, p);
    }

    private RolloutEngine engine() {
        return RolloutEngine.builder(store, this::watched)
                .judge(FallbackJudge.INSTANCE)
                .pollInterval(Duration.ofMillis(10))
                .commandPollInterval(Duration.ofMillis(50))
                .build();
    }

    private RolloutSpec spec(int i) {
        return Specs.spec(canary(weight(20), analysis("error-rate"), weight(50), analysis("error-rate")))
                .name("svc-" + i).target("10.1.0." + i + ":8080")
                .template(Specs.template("error-rate", null, null, 2, Duration.ofMillis(10))).build();
    }

    private void platformFor(RolloutSpec spec) {
        platforms.put(spec.lockKey(), new InMemoryPlatform(InstantSource.system(), 3, "1.0", true)
                .readyAfter(Duration.ofMillis(15))
                .answerLater(metricsServer, 5)
                .metrics((t, at, v) -> MetricValue.of(0.0)));
    }

    @Test
    void twoHundredRolloutsOnTwoThreadsAllSucceedWithoutOverlappingAdvances() throws Exception {
        List<CompletableFuture<RolloutResult>> results = new ArrayList<>();
        try (RolloutScheduler scheduler = new RolloutScheduler(engine(), 2)) {
            for (int i = 0; i < 200; i++) {
                RolloutSpec spec = spec(i);
                platformFor(spec);
                results.add(scheduler.submit(spec));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            long schedulerThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("progressive-rollout-")).count();
            assertThat(schedulerThreads).isLessThanOrEqualTo(2);
        }
        assertThat(results).allSatisfy(f -> assertThat(f.join().status()).isEqualTo(Phase.SUCCEEDED));
        assertThat(results).allSatisfy(f -> assertThat(f.join().measurements()).hasSize(4));
        assertThat(overlaps).hasValue(0);
        assertThat(platforms.values()).allSatisfy(p -> assertThat(p.version(Role.STABLE)).contains("2.0"));
    }

    @Test
    void aPromoteWakesAPausedRollout() throws Exception {
        RolloutSpec spec = Specs.spec(canary(weight(10), manualPause(), weight(40))).name("paused")
                .target("10.2.0.1:8080").build();
        platformFor(spec);
        try (RolloutScheduler scheduler = new RolloutScheduler(engine(), 1)) {
            CompletableFuture<RolloutResult> result = scheduler.submit(spec);
            String key = spec.lockKey();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> store.load(key).map(s -> s.json().contains("\"phase\":\"PAUSED\"")).orElse(false));
            assertThat(result).isNotDone();

            scheduler.promote(key, false);

            assertThat(result.get(10, TimeUnit.SECONDS).status()).isEqualTo(Phase.SUCCEEDED);
            assertThat(platforms.get(key).calls()).contains("routes 60/40");
        }
    }
}
