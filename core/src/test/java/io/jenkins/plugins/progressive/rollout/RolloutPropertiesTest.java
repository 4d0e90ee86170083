package io.jenkins.plugins.progressive.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.rollout.testing.FallbackJudge;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryPlatform;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryStateStore;
import io.jenkins.plugins.progressive.rollout.testing.Specs;
import io.jenkins.plugins.progressive.rollout.testing.VirtualClock;
import io.jenkins.plugins.progressive.spec.OnFailure;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.Strategy;
import io.jenkins.plugins.progressive.spec.Strategy.CanaryStep;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Random specs against random platform events (versions that never get ready, router and scaler outages,
 * metric values and errors, promote and abort commands): traffic always sums to 100, stable keeps its
 * capacity while the canary holds less than 100%, an aborted rollout ends with everything on stable,
 * and a rollout crashed at any checkpoint (or at several) ends exactly as an uninterrupted one.
 *
 * <p>The invariants are checked after every single action on the platform (each {@code scale} and
 * {@code setRoutes}, through {@link InMemoryPlatform#afterEachAction}) and after every {@code advance()}:
 * <ul>
 * <li>the requests the roles' instances really receive ({@link InMemoryPlatform#served}) add up to 100 whenever
 *     any instance serves: no weight ever points at a role with nothing ready to take it;</li>
 * <li>while the canary holds less than 100%, stable serves on at least its size of instances. Two documented
 *     relaxations, because those strategies work by trading stable instances for new ones: with no router (the
 *     split follows the replica ratio) stable and canary together serve on at least the size; a rolling update
 *     keeps at least size − maxUnavailable serving. A first release has no stable to protect.</li>
 * </ul>
 */
class RolloutPropertiesTest {

    /** A command a person gives at a time (seconds after the start). */
    record Command(int atSecond, String what) {
    }

    record Scenario(RolloutSpec spec, int size, boolean router, boolean firstRelease, long metricSeed,
            int failPercent, boolean failingVersion, int readySeconds, int outageFrom, int outageSeconds,
            String outageMethod, List<Command> commands) {
    }

    /**
     * What a user could observe at the end of a run; {@code saves} and {@code crashes} are how the run got there
     * (a crashed run saves again what it lost) and are left out when two runs are compared.
     */
    record Outcome(String platform, Phase status, String verdict, String snapshotId, List<String> measurements,
            Routes routes, String message, int exitCode, List<String> violations, boolean abortAccepted,
            int saves, int crashes) {
    }

    @Property(tries = 300)
    void invariantsHoldForAnyRollout(@ForAll("scenarios") Scenario sc) {
        Outcome o = run(sc, List.of());

        assertThat(o.violations()).isEmpty();
        assertThat(o.status().ended()).isTrue();
        if (o.abortAccepted()) {
            assertAbortEndsOnStable(sc, o);
        }
        if (o.status() == Phase.ABORTED || o.status() == Phase.ROLLED_BACK) {
            assertThat(o.routes()).isEqualTo(Routes.ALL_STABLE);
            assertThat(o.platform()).contains("canary=-x0");
        }
        if (o.status() == Phase.SUCCEEDED) {
            assertThat(o.platform()).startsWith("stable=2.0x" + sc.size()).contains("canary=-x0");
        }
        Statistics.label("end").collect(o.status());
        Statistics.label("abort accepted").collect(o.abortAccepted());
        Statistics.label("platform outage").collect(sc.outageSeconds() > 0);
        Statistics.label("end").coverage(c -> {
            c.check(Phase.SUCCEEDED).count(n -> n > 0);
            c.check(Phase.ROLLED_BACK).count(n -> n > 0); // a gate or the new version failed
            c.check(Phase.ABORTED).count(n -> n > 0);
        });
        Statistics.label("abort accepted").coverage(c -> c.check(true).percentage(pc -> pc >= 5));
        Statistics.label("platform outage").coverage(c -> c.check(true).percentage(pc -> pc >= 20));
    }

    /**
     * An accepted abort ends aborted (or rolled back, when a failure had already started the rollback) with all
     * traffic on stable and no canary. The one exception is an outage of the platform that outlasts the engine's
     * retries ({@link #ATTEMPTS} attempts, the backoff doubling): a router or scaler that keeps refusing cannot be
     * made to obey, and the engine then says
     * FAILED_NEEDS_PERSON (exit 4) — but even then whatever the platform did accept is on stable: when only
     * reading the routes back failed, the router really serves 100% stable and the canary is gone.
     */
    private static final int ATTEMPTS = 3;
    private static final Duration BACKOFF = Duration.ofSeconds(1);

    /** How long the engine's retries of one action last: the backoffs between its attempts, doubling. */
    private static final long RETRY_WINDOW_SECONDS = BACKOFF.multipliedBy((1L << (ATTEMPTS - 1)) - 1).toSeconds();

    private static void assertAbortEndsOnStable(Scenario sc, Outcome o) {
        boolean refused = sc.outageSeconds() > RETRY_WINDOW_SECONDS && !sc.outageMethod().equals("metrics");
        if (!refused) {
            assertThat(o.status()).as("an accepted abort: " + o.message()).isIn(Phase.ABORTED, Phase.ROLLED_BACK);
            assertThat(o.routes()).isEqualTo(Routes.ALL_STABLE);
            assertThat(o.platform()).contains("canary=-x0", "routes=" + Routes.ALL_STABLE);
            return;
        }
        assertThat(o.status()).as("an accepted abort during an outage: " + o.message())
                .isIn(Phase.ABORTED, Phase.ROLLED_BACK, Phase.FAILED_NEEDS_PERSON);
        if (sc.outageMethod().equals("getRoutes")) {
            assertThat(o.platform()).contains("canary=-x0", "routes=" + Routes.ALL_STABLE);
        }
    }

    @Property(tries = 120)
    void aRolloutCrashedAtAnyCheckpointEndsLikeAnUninterruptedOne(@ForAll("scenarios") Scenario sc,
            @ForAll @IntRange(min = 0, max = 10_000) int crashPick) {
        Outcome straight = run(sc, List.of());
        assertThat(straight.saves()).as("saves after the start").isGreaterThan(1);
        int crashAt = 1 + crashPick % (straight.saves() - 1);

        Outcome crashed = run(sc, List.of(crashAt));

        assertThat(crashed.crashes()).isEqualTo(1);
        assertSameEnd(crashed, straight);
        Statistics.label("end").collect(straight.status());
        Statistics.label("crashed in the last quarter").collect(crashAt > (straight.saves() - 1) * 3 / 4);
        Statistics.label("crashed in the last quarter").coverage(c -> c.check(true).count(n -> n > 0));
    }

    @Property(tries = 80)
    void aRolloutCrashedAtSeveralCheckpointsEndsLikeAnUninterruptedOne(@ForAll("scenarios") Scenario sc,
            @ForAll @Size(min = 2, max = 5) List<@IntRange(min = 0, max = 10_000) Integer> crashPicks) {
        Outcome straight = run(sc, List.of());
        // save numbers of the crashed run, which saves again after each crash: spread them over the whole run
        List<Integer> crashAt = new ArrayList<>();
        int last = 0;
        for (int pick : crashPicks) {
            last += 1 + pick % Math.max(1, (straight.saves() - 1) / crashPicks.size());
            crashAt.add(last);
        }

        Outcome crashed = run(sc, crashAt);

        assertThat(crashed.crashes()).as("crashes at saves %s of a run with %d", crashAt, straight.saves())
                .isEqualTo(crashAt.size());
        assertSameEnd(crashed, straight);
        Statistics.label("crashes").collect(crashed.crashes());
        Statistics.label("end").collect(straight.status());
        Statistics.label("end").coverage(c -> {
            c.check(Phase.SUCCEEDED).count(n -> n > 0);
            c.check(Phase.ROLLED_BACK).count(n -> n > 0);
        });
    }

    /** Field by field, so that a difference names what differs. */
    private static void assertSameEnd(Outcome crashed, Outcome straight) {
        assertThat(crashed).usingRecursiveComparison().ignoringFields("saves", "crashes").isEqualTo(straight);
    }

    @Example
    void crashingAtEveryCheckpointOfThreeKnownRolloutsChangesNothing() {
        Specs.Builder gated = Specs.spec(new Strategy.Canary(List.of(Specs.weight(20), Specs.analysis("a"),
                Specs.pause(Duration.ofSeconds(30)), Specs.weight(60), Specs.analysis("a", "b"))))
                .template(Specs.template("a", "result < 0.5", "result >= 0.8", 2, Duration.ofSeconds(20)))
                .template(Specs.template("b", "result < 0.5", "result >= 0.8", 2, Duration.ofSeconds(20)))
                .snapshot();
        List<Scenario> scenarios = List.of(
                // succeeds
                new Scenario(gated.build(), 4, true, false, 1, 0, false, 5, 1, 0, "scale", List.of()),
                // a gate fails (60% of values bad) and it rolls back, replica ratio
                new Scenario(gated.replicaRatio().build(), 5, false, false, 7, 60, false, 5, 1, 0, "scale",
                        List.of()),
                // aborted in the middle of a rolling update
                new Scenario(Specs.spec(Specs.rolling(List.of(50, 100), Duration.ofSeconds(10), List.of(), 0))
                        .build(), 4, true, false, 1, 0, false, 30, 1, 0, "scale", List.of(new Command(60, "abort"))));
        List<Phase> expected = List.of(Phase.SUCCEEDED, Phase.ROLLED_BACK, Phase.ABORTED);
        for (int i = 0; i < scenarios.size(); i++) {
            Scenario sc = scenarios.get(i);
            Outcome straight = run(sc, List.of());
            assertThat(straight.status()).isEqualTo(expected.get(i));
            for (int k = 1; k < straight.saves(); k++) {
                Outcome crashed = run(sc, List.of(k));
                assertThat(crashed.crashes()).as("crash at save #%d of %d", k, straight.saves()).isEqualTo(1);
                assertSameEnd(crashed, straight);
            }
        }
    }

    // ---- the driver -------------------------------------------------------------------------------

    /**
     * One rollout of {@code sc}, crashing at each save of {@code crashAt}, counted after the start's own save (which
     * the caller of start() sees fail, so it is no checkpoint to resume from): 1 is the first save of advance().
     */
    private static Outcome run(Scenario sc, List<Integer> crashAt) {
        VirtualClock clock = new VirtualClock();
        Instant t0 = clock.instant();
        InMemoryStateStore store = new InMemoryStateStore();
        InMemoryPlatform p = new InMemoryPlatform(clock, sc.size(), sc.firstRelease() ? null : "1.0", sc.router())
                .readyAfter(Duration.ofSeconds(sc.readySeconds()));
        if (sc.failingVersion()) {
            p.failVersion("2.0", "CrashLoopBackOff");
        }
        if (sc.outageSeconds() > 0) {
            p.throwBetween(sc.outageMethod(), t0.plusSeconds(sc.outageFrom()),
                    t0.plusSeconds(sc.outageFrom() + sc.outageSeconds()));
        }
        p.metrics((template, at, version) -> {
            if (at.isBefore(t0.plusSeconds(sc.outageFrom())) || !sc.outageMethod().equals("metrics")
                    || !at.isBefore(t0.plusSeconds(sc.outageFrom() + sc.outageSeconds()))) {
                SplittableRandom r = new SplittableRandom(sc.metricSeed() ^ template.hashCode() * 31L
                        ^ at.getEpochSecond() * 1_000_003L);
                int x = r.nextInt(100);
                return MetricValue.of(x < sc.failPercent() ? 0.9 : x < sc.failPercent() + 5 ? 0.6 : 0.1);
            }
            throw new MetricException("metrics server down");
        });
        List<String> violations = new ArrayList<>();
        p.afterEachAction(() -> check(sc, p, violations));
        String key = sc.spec().lockKey();
        RolloutEngine engine = engine(store, p, clock);
        engine.start(sc.spec());
        store.crashAtSaves(crashAt);
        List<Command> commands = new ArrayList<>(sc.commands());
        int autoPromotes = 0;
        int crashes = 0;
        boolean abortAccepted = false;
        Next next = null;
        for (int i = 0; i < 20_000; i++) {
            while (!commands.isEmpty() && !clock.instant().isBefore(t0.plusSeconds(commands.get(0).atSecond()))) {
                abortAccepted |= command(store, key, commands.remove(0).what());
            }
            try {
                next = engine.advance(key);
            } catch (InMemoryStateStore.Crash crash) {
                crashes++;
                engine = engine(store, p, clock);
                engine.resume(sc.spec());
                continue;
            }
            int before = violations.size();
            check(sc, p, violations);
            if (violations.size() > before && System.getProperty("debugRollout") != null) {
                System.out.println("DEBUG " + store.load(key).orElseThrow().json());
            }
            if (next.isDone()) {
                break;
            }
            if (next.phase() == Phase.PAUSED && commands.isEmpty()) {
                // the person at the keyboard: promote a few times, then give up
                abortAccepted |= command(store, key, ++autoPromotes > 3 ? "abort" : "promote");
            }
            clock.set(next.wakeAt());
        }
        assertThat(next).as("rollout ended").isNotNull();
        assertThat(next.isDone()).as("rollout ended within the advance budget: " + p.describe()).isTrue();
        RolloutResult r = next.result();
        return new Outcome(p.describe(), r.status(), r.verdict().name(), r.snapshotId(),
                r.measurements().stream().map(m -> m.template() + "@" + m.gate() + "@" + m.measurement()).toList(),
                r.routes(), r.message(), r.exitCode(), violations, abortAccepted, store.saves(), crashes);
    }

    /** Gives a command as the CLI would; true when it was an abort the rollout accepted. */
    private static boolean command(InMemoryStateStore store, String key, String what) {
        try {
            switch (what) {
                case "promote" -> RolloutCommands.promote(store.otherProcess(), key, false);
                case "promote-full" -> RolloutCommands.promote(store.otherProcess(), key, true);
                default -> {
                    RolloutCommands.abort(store.otherProcess(), key, "by test");
                    return true;
                }
            }
        } catch (IllegalStateException ended) {
            // the rollout ended before the person typed: the CLI would say so
        }
        return false;
    }

    private static RolloutEngine engine(InMemoryStateStore store, InMemoryPlatform p, VirtualClock clock) {
        return RolloutEngine.builder(store, spec -> p.platform())
                .clock(clock)
                .judge(FallbackJudge.INSTANCE)
                .pollInterval(Duration.ofSeconds(1))
                .progressDeadline(Duration.ofMinutes(2))
                .retries(ATTEMPTS, BACKOFF)
                .build();
    }

    /** The invariants of the class comment, on the platform as it is now. */
    private static void check(Scenario sc, InMemoryPlatform p, List<String> violations) {
        Map<Role, Integer> served = p.served();
        int stable = p.serving(Role.STABLE);
        int canary = p.serving(Role.CANARY);
        if (stable + canary > 0 && served.get(Role.STABLE) + served.get(Role.CANARY) != 100) {
            violations.add("served " + served + " does not sum to 100 at " + p.describe() + " after " + p.calls());
        }
        Routes routes = p.routes();
        if (sc.firstRelease() || routes.canary() == 100) {
            return;
        }
        if (sc.spec().strategy() instanceof Strategy.Rolling rolling) {
            if (stable + canary < sc.size() - rolling.maxUnavailable()) {
                violations.add("capacity " + (stable + canary) + " < " + sc.size() + " - maxUnavailable at "
                        + p.describe() + " after " + p.calls());
            }
        } else if (!sc.router()) {
            if (stable + canary < sc.size()) {
                violations.add("capacity " + (stable + canary) + " < " + sc.size() + " at " + p.describe()
                        + " after " + p.calls());
            }
        } else if (stable < sc.size()) {
            violations.add("stable serves on " + stable + " < " + sc.size() + " instances while the canary has "
                    + routes.canary() + "% at " + p.describe() + " after " + p.calls());
        }
    }

    // ---- generators -------------------------------------------------------------------------------

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Strategy> strategies = Arbitraries.oneOf(canaries(), blueGreens(), rollings());
        Arbitrary<Integer> sizes = Arbitraries.integers().between(1, 8);
        Arbitrary<Boolean> router = Arbitraries.of(true, false);
        Arbitrary<OnFailure> onFailure = Arbitraries.of(OnFailure.class);
        Arbitrary<Integer> firstRelease = Arbitraries.integers().between(0, 9);
        Arbitrary<Long> seeds = Arbitraries.longs();
        Arbitrary<Integer> failPercent = Arbitraries.of(0, 0, 5, 20, 60);
        Arbitrary<Integer> failingVersion = Arbitraries.integers().between(0, 9);
        Arbitrary<Integer> ready = Arbitraries.integers().between(0, 20);
        Arbitrary<Integer> outageFrom = Arbitraries.integers().between(1, 300);
        Arbitrary<Integer> outageSeconds = Arbitraries.of(0, 0, 2, 10, 600);
        Arbitrary<String> outageMethod = Arbitraries.of("scale", "setRoutes", "status", "metrics", "getRoutes");
        Arbitrary<List<Command>> commands = Combinators.combine(Arbitraries.integers().between(0, 600),
                Arbitraries.of("promote", "promote-full", "abort")).as(Command::new).list().ofMaxSize(3)
                .map(l -> l.stream().sorted(java.util.Comparator.comparingInt(Command::atSecond)).toList());
        Arbitrary<Boolean> background = Arbitraries.of(true, false);
        Arbitrary<Boolean> snapshot = Arbitraries.of(true, false);
        Arbitrary<Integer> counts = Arbitraries.integers().between(1, 3);
        return Combinators.combine(strategies, sizes, router, onFailure, firstRelease, seeds, failPercent,
                failingVersion).flatAs((st, size, rt, of, fr, seed, fp, fv) ->
                Combinators.combine(ready, outageFrom, outageSeconds, outageMethod, commands, background, snapshot,
                        counts).as((rd, from, secs, method, cmds, bg, snap, count) -> {
                            Specs.Builder b = Specs.spec(st).onFailure(of);
                            if (!rt) {
                                b.replicaRatio();
                            }
                            for (String t : List.of("a", "b", "bg")) {
                                b.template(Specs.template(t, "result < 0.5", "result >= 0.8", count,
                                        Duration.ofSeconds(20)));
                            }
                            if (bg) {
                                b.background("bg");
                            }
                            if (snap) {
                                b.snapshot();
                            }
                            return new Scenario(b.build(), size, rt, fr == 0, seed, fp, fv == 0, rd, from, secs,
                                    method, cmds);
                        }));
    }

    private static Arbitrary<Strategy> canaries() {
        Arbitrary<CanaryStep> step = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 100).map(Specs::weight),
                Arbitraries.integers().between(0, 120).map(s -> Specs.pause(Duration.ofSeconds(s))),
                Arbitraries.just(Specs.manualPause()),
                Arbitraries.of(List.of("a"), List.of("a", "b")).map(l -> Specs.analysis(l.toArray(String[]::new))));
        return step.list().ofMinSize(1).ofMaxSize(6).map(l -> new Strategy.Canary(l));
    }

    private static Arbitrary<Strategy> blueGreens() {
        Arbitrary<List<String>> templates = Arbitraries.of(List.of(), List.of("a"), List.of("a", "b"));
        return Combinators.combine(templates, templates, Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 60)).as((pre, post, auto, delay) ->
                Specs.blueGreen(pre, post, auto, Duration.ofSeconds(delay)));
    }

    private static Arbitrary<Strategy> rollings() {
        Arbitrary<List<Integer>> batches = Arbitraries.integers().between(1, 99).set().ofMaxSize(3)
                .map(s -> {
                    List<Integer> l = new ArrayList<>(new java.util.TreeSet<>(s));
                    l.add(100);
                    return l;
                });
        return Combinators.combine(batches, Arbitraries.integers().between(0, 60),
                Arbitraries.of(List.<String>of(), List.of("a")), Arbitraries.integers().between(0, 2))
                .as((b, pause, an, mu) -> Specs.rolling(b, Duration.ofSeconds(pause), an, mu));
    }
}
