package io.jenkins.plugins.progressive.rollout;

import static io.jenkins.plugins.progressive.rollout.testing.Specs.analysis;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.canary;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.manualPause;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.pause;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.spec;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.weight;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.rollout.testing.Harness;
import io.jenkins.plugins.progressive.rollout.testing.Specs;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.OnFailure;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanaryStrategyTest {

    private final Harness h = new Harness(4, "1.0", true);

    /** Success below 0.01, failure from 0.05, inconclusive in between; 2 measurements 30 s apart. */
    private static final AnalysisTemplate ERROR_RATE = Specs.template("error-rate", "result < 0.01",
            "result >= 0.05", 2, Duration.ofSeconds(30));

    private static Specs.Builder gated(OnFailure onFailure) {
        return spec(canary(weight(25), analysis("error-rate"), weight(50), pause(Duration.ofMinutes(1))))
                .template(ERROR_RATE).onFailure(onFailure);
    }

    private void errorRate(double value) {
        h.platform.metrics((t, at, v) -> MetricValue.of(value));
    }

    @Test
    void stepsRunInOrderAndPromotionMovesStableToTheNewVersion() {
        RolloutSpec spec = spec(canary(weight(25), pause(Duration.ofMinutes(2)), analysis("smoke"), weight(50)))
                .build();
        String key = h.start(spec);
        Instant t0 = h.now();

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(r.exitCode()).isZero();
        assertThat(r.routes()).isEqualTo(Routes.ALL_STABLE);
        // instances first and ready, then traffic; promotion: the full-size canary takes everything while
        // stable is replaced, then routes back to stable, canary last
        assertThat(h.platform.calls()).containsExactly(
                "scale CANARY 2.0 x1", "routes 75/25",
                "scale CANARY 2.0 x2", "routes 50/50",
                "scale CANARY 2.0 x4", "routes 0/100",
                "scale STABLE 2.0 x4", "routes 100/0", "scale CANARY 2.0 x0");
        assertThat(h.platform.version(Role.STABLE)).contains("2.0");
        assertThat(h.platform.replicas(Role.STABLE)).isEqualTo(4);
        assertThat(h.platform.replicas(Role.CANARY)).isZero();
        assertThat(r.measurements()).singleElement()
                .satisfies(m -> assertThat(m.measurement().verdict()).isEqualTo(Verdict.SUCCESSFUL));
        assertThat(Duration.between(t0, h.now())).isGreaterThanOrEqualTo(Duration.ofMinutes(2));
        assertThat(h.platform.closed()).isTrue();
        assertThat(h.eventKinds()).contains("step", "weight", "measurement", "verdict", "promoted");
    }

    @Test
    void routesChangeOnlyOnceTheCanaryIsReady() {
        h.platform.readyAfter(Duration.ofSeconds(20));
        String key = h.start(spec(canary(weight(10))).build());
        Next n = h.step(key);

        assertThat(h.platform.calls()).containsExactly("scale CANARY 2.0 x1");
        assertThat(n.wakeAt()).isNotNull();
        h.runUntil(key, s -> s.routes().canary() == 10);
        assertThat(h.platform.serving(Role.CANARY)).isEqualTo(1);
    }

    @Test
    void replicaRatioScalesTheCanaryUpBeforeTheStableDown() {
        Harness r = new Harness(10, "1.0", false);
        String key = r.start(spec(canary(weight(30), pause(Duration.ofSeconds(10)), weight(50))).replicaRatio()
                .build());

        RolloutResult result = r.runToEnd(key);

        assertThat(result.status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(r.platform.calls()).containsExactly(
                "scale CANARY 2.0 x3", "scale STABLE 1.0 x7",
                "scale CANARY 2.0 x5", "scale STABLE 1.0 x5",
                "scale STABLE 2.0 x10", "scale CANARY 2.0 x0");
        assertThat(r.events).anyMatch(e -> e.kind().equals("weight") && e.message().contains("canary 30%"));
    }

    @Test
    void manualPauseWaitsForPromote() {
        String key = h.start(spec(canary(weight(20), manualPause(), weight(60))).build());

        Next paused = h.runUntilPaused(key);
        Instant pausedAt = h.now();
        // nobody promotes: it stays paused, looking for commands now and then
        for (int i = 0; i < 20; i++) {
            assertThat(h.step(key).phase()).isEqualTo(Phase.PAUSED);
        }
        assertThat(h.state(key).routes()).isEqualTo(Routes.canary(20));
        assertThat(paused.wakeAt()).isAfter(pausedAt.minusSeconds(1));

        h.engine.promote(key, false);
        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(h.platform.calls()).contains("routes 40/60");
    }

    @Test
    void promoteFullSkipsTheRemainingSteps() {
        String key = h.start(spec(canary(weight(5), manualPause(), weight(50), manualPause())).build());
        h.runUntilPaused(key);

        h.engine.promote(key, true);
        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(h.platform.calls()).doesNotContain("routes 50/50")
                .endsWith("routes 0/100", "scale STABLE 2.0 x4", "routes 100/0", "scale CANARY 2.0 x0");
    }

    @Test
    void aPromoteFromAnotherProcessIsPickedUpByTheNextAdvance() {
        String key = h.start(spec(canary(weight(5), manualPause())).build());
        h.runUntilPaused(key);

        RolloutCommands.promote(h.store, key, false);

        assertThat(h.runToEnd(key).status()).isEqualTo(Phase.SUCCEEDED);
    }

    @Test
    void abortWhileProgressingRollsBackTrafficFirst() {
        String key = h.start(gated(OnFailure.ROLLBACK).build());
        h.runUntil(key, s -> s.routes().canary() == 50);

        h.engine.abort(key, "bad smell");
        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ABORTED);
        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.message()).contains("bad smell");
        assertThat(r.routes()).isEqualTo(Routes.ALL_STABLE);
        assertThat(h.platform.calls()).endsWith("routes 100/0", "scale CANARY 2.0 x0");
        assertThat(h.platform.version(Role.STABLE)).contains("1.0");
    }

    @Test
    void abortWhilePausedForAPerson() {
        String key = h.start(spec(canary(weight(5), manualPause())).build());
        h.runUntilPaused(key);

        h.engine.abort(key, null);
        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ABORTED);
        assertThat(h.platform.routes()).isEqualTo(Routes.ALL_STABLE);
        assertThat(h.platform.replicas(Role.CANARY)).isZero();
    }

    @Test
    void abortDuringPromotionPutsTheStableRoleBack() {
        h.platform.readyAfter(Duration.ofSeconds(30));
        String key = h.start(spec(canary(weight(50))).build());
        h.runUntil(key, s -> s.phase() == Phase.PROMOTING && s.json().contains("\"STABLE\":{\"version\":\"2.0\""));

        int before = h.platform.calls().size();
        h.engine.abort(key, "stop");
        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ABORTED);
        List<String> calls = h.platform.calls();
        // traffic to stable first; then, since stable was already being replaced, 1.0 comes up in the
        // canary role and serves everything while stable is put back
        assertThat(calls.subList(before, calls.size())).containsExactly(
                "routes 100/0", "scale CANARY 2.0 x0",
                "scale CANARY 1.0 x4", "routes 0/100", "scale STABLE 1.0 x4", "routes 100/0",
                "scale CANARY 1.0 x0");
        assertThat(h.platform.version(Role.STABLE)).contains("1.0");
        assertThat(h.platform.serving(Role.STABLE)).isEqualTo(4);
    }

    @Test
    void aFailingGateRollsBackInTheSameAdvanceRoutesBeforeAnyScaleDown() {
        String key = h.start(gated(OnFailure.ROLLBACK).build());
        // the first measurement passes, the second (30 s later) fails
        h.platform.metrics((t, at, v) -> MetricValue.of(h.state(key).measurements().isEmpty() ? 0.0 : 0.2));
        h.runUntil(key, s -> s.measurements().size() == 1);
        assertThat(h.platform.calls()).doesNotContain("routes 100/0");

        // the advance that takes the failing measurement (waits in between end at least every command poll)
        h.runUntil(key, s -> s.measurements().size() == 2);

        assertThat(h.platform.calls()).contains("routes 100/0");
        RolloutResult r = h.runToEnd(key);
        assertThat(r.status()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(r.routes()).isEqualTo(Routes.ALL_STABLE);
        assertThat(h.platform.calls()).containsExactly("scale CANARY 2.0 x1", "routes 75/25", "routes 100/0",
                "scale CANARY 2.0 x0");
        assertThat(r.measurements()).extracting(m -> m.measurement().verdict())
                .containsExactly(Verdict.SUCCESSFUL, Verdict.FAILED);
        assertThat(r.message()).contains("error-rate").contains("FAILED");
    }

    @Test
    void inconclusivePausesForAPersonAndPromoteContinues() {
        errorRate(0.03);
        String key = h.start(gated(OnFailure.ROLLBACK).build());

        h.runUntilPaused(key);

        assertThat(h.state(key).pauseReason()).contains("inconclusive");
        h.engine.promote(key, false);
        errorRate(0.0);
        RolloutResult r = h.runToEnd(key);
        assertThat(r.status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(r.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void onFailurePauseWaitsThenAbortRollsBack() {
        errorRate(0.2);
        String key = h.start(gated(OnFailure.PAUSE).build());

        h.runUntilPaused(key);

        assertThat(h.state(key).pauseReason()).startsWith("failed:");
        assertThat(h.platform.routes()).isEqualTo(Routes.canary(25));
        h.engine.abort(key, "after failure");
        assertThat(h.runToEnd(key).status()).isEqualTo(Phase.ABORTED);
        assertThat(h.platform.routes()).isEqualTo(Routes.ALL_STABLE);
    }

    @Test
    void onFailureFailLeavesEverythingAsItIs() {
        errorRate(0.2);
        String key = h.start(gated(OnFailure.FAIL).build());

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.FAILED_NEEDS_PERSON);
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.routes()).isEqualTo(Routes.canary(25));
        assertThat(h.platform.replicas(Role.CANARY)).isEqualTo(1);
    }

    @Test
    void backgroundAnalysisFailureRollsBackAtOnceDuringALongPause() {
        RolloutSpec spec = spec(canary(weight(10), pause(Duration.ofHours(1)), weight(50)))
                .template(Specs.template("latency", null, "result > 1", 100, Duration.ofSeconds(30)))
                .background("latency").build();
        String key = h.start(spec);
        Instant start = h.now();
        h.platform.metrics((t, at, v) -> MetricValue.of(at.isAfter(start.plusSeconds(120)) ? 2.0 : 0.5));

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(r.message()).contains("background analysis");
        assertThat(Duration.between(start, h.now())).isLessThan(Duration.ofMinutes(4));
        assertThat(h.platform.calls()).doesNotContain("routes 50/50").endsWith("routes 100/0", "scale CANARY 2.0 x0");
    }

    @Test
    void anAbortFromAnotherProcessIsSeenDuringATimedPauseWithinTheCommandPoll() {
        String key = h.start(spec(canary(weight(10), pause(Duration.ofHours(1)), weight(50))).build());
        h.runUntil(key, s -> h.platform.replicas(Role.CANARY) == 1 && s.routes().canary() == 10);
        h.step(key);
        Instant stored = h.now();

        // As `progressive abort` from another terminal does: the request is written to the state store only.
        RolloutCommands.abort(h.store, key, "enough");
        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ABORTED);
        assertThat(h.events).filteredOn(e -> e.kind().equals("aborted")).first()
                .satisfies(e -> assertThat(Duration.between(stored, e.at())).isLessThanOrEqualTo(Duration.ofSeconds(5)));
        assertThat(h.platform.calls()).doesNotContain("routes 50/50");
    }

    @Test
    void aVersionThatNeverGetsReadyRollsBackWithTheReason() {
        h.platform.failVersion("2.0", "ImagePullBackOff");
        String key = h.start(spec(canary(weight(10))).build());

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(r.message()).contains("ImagePullBackOff");
        assertThat(h.platform.calls()).doesNotContain("routes 90/10");
    }

    @Test
    void firstReleaseGoesStraightTo100Percent() {
        Harness first = new Harness(3, null, true);
        String key = first.start(spec(canary(weight(5), analysis("smoke"), manualPause())).build());

        RolloutResult r = first.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.SUCCEEDED);
        // the router is told about the new instances even though the split (all on stable) is unchanged
        assertThat(first.platform.calls()).containsExactly("scale STABLE 2.0 x3", "routes 100/0");
        assertThat(r.measurements()).isEmpty();
    }

    @Test
    void aSecondLiveRolloutOfTheSameTargetIsRefused() {
        RolloutSpec spec = spec(canary(weight(5), manualPause())).build();
        h.start(spec);

        assertThatThrownBy(() -> h.engine.start(spec.withVersion("3.0")))
                .isInstanceOf(RolloutEngine.LockedException.class)
                .hasMessageContaining(spec.lockKey()).hasMessageContaining("already live").hasMessageContaining("2.0");
        assertThat(h.platform.calls()).isEmpty();
        assertThat(h.platform.closed()).as("the ports bound for the refused start are released").isTrue();
    }

    @Test
    void aFinishedRolloutCanBeRolledBackToThePreviousVersion() {
        String key = h.start(spec(canary(weight(50))).snapshot().build());
        RolloutResult done = h.runToEnd(key);
        assertThat(done.status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(done.snapshotId()).startsWith("snap-");

        h.engine.rollback(key);
        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(r.exitCode()).isZero();
        assertThat(h.platform.version(Role.STABLE)).contains("1.0");
        assertThat(h.platform.serving(Role.STABLE)).isEqualTo(4);
        assertThat(h.platform.restoredSnapshots()).containsExactly(done.snapshotId());
        // and a new rollout may start again
        h.engine.start(spec(canary(weight(50))).version("2.1").build());
    }

    @Test
    void snapshotIsTakenBeforeTheFirstActionAndRestoredLast() {
        errorRate(0.2);
        String key = h.start(gated(OnFailure.ROLLBACK).snapshot().build());

        RolloutResult r = h.runToEnd(key);

        List<String> calls = h.platform.calls();
        assertThat(calls.get(0)).startsWith("capture snap-");
        assertThat(calls).endsWith("routes 100/0", "scale CANARY 2.0 x0", "restore " + r.snapshotId());
        assertThat(r.snapshotId()).isNotNull();
    }

    @Test
    void whenTrafficCannotBeMovedBackNothingElseIsTouchedAndAPersonIsNeeded() {
        String key = h.start(gated(OnFailure.ROLLBACK).build());
        h.platform.metrics((t, at, v) -> MetricValue.of(h.state(key).measurements().isEmpty() ? 0.0 : 0.2));
        h.runUntil(key, s -> s.measurements().size() == 1);
        h.platform.throwOn("setRoutes", 100);

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.FAILED_NEEDS_PERSON);
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.routes()).isEqualTo(Routes.canary(25));
        assertThat(r.message()).contains("traffic could not be moved back");
        assertThat(h.platform.replicas(Role.CANARY)).isEqualTo(1);
    }

    @Test
    void aTransientPlatformErrorIsRetried() {
        h.platform.throwOn("scale", 2);
        String key = h.start(spec(canary(weight(25))).build());

        assertThat(h.runToEnd(key).status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(h.eventKinds()).contains("error");
    }

    @Test
    void aRolloutResumesFromTheStoredStateAfterARestart() {
        String key = h.start(spec(canary(weight(25), pause(Duration.ofMinutes(5)), weight(75))).build());
        h.runUntil(key, s -> s.routes().canary() == 25);

        h.engine = h.newEngine();
        h.engine.resume(spec(canary(weight(25), pause(Duration.ofMinutes(5)), weight(75))).build());
        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(h.platform.calls()).containsExactly("scale CANARY 2.0 x1", "routes 75/25", "scale CANARY 2.0 x3",
                "routes 25/75", "scale CANARY 2.0 x4", "routes 0/100",
                "scale STABLE 2.0 x4", "routes 100/0", "scale CANARY 2.0 x0");
    }

    @Test
    void anotherDriverResumesFromTheSpecStoredInTheState() {
        String key = h.start(spec(canary(weight(25), pause(Duration.ofMinutes(5)), weight(75))).build());
        h.runUntil(key, s -> s.routes().canary() == 25);

        // a controller that never saw the spec: only the key and the state store
        h.engine = h.newEngine();
        RolloutState attached = h.engine.resume(key);
        RolloutResult r = h.runToEnd(key);

        assertThat(attached.version).isEqualTo("2.0");
        assertThat(r.status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(h.platform.calls()).endsWith("scale STABLE 2.0 x4", "routes 100/0", "scale CANARY 2.0 x0");
    }

    @Test
    void theStoredSpecReadsBackAsTheSpecThatStarted() throws Exception {
        RolloutSpec spec = gated(OnFailure.PAUSE).build();
        String key = h.start(spec);

        RolloutState stored = RolloutState.fromJson(h.store.load(key).orElseThrow().json());

        assertThat(stored.spec()).contains(spec);
    }

    @Test
    void resumingWithAnotherSpecIsRefused() {
        String key = h.start(spec(canary(weight(25), manualPause())).build());
        h.runUntilPaused(key);
        RolloutEngine fresh = h.newEngine();

        assertThatThrownBy(() -> fresh.resume(spec(canary(weight(90))).build()))
                .hasMessageContaining("different spec");
    }

    @Test
    void theStateIsAVersionedJsonDocument() {
        String key = h.start(gated(OnFailure.ROLLBACK).build());
        h.runUntil(key, s -> !s.measurements().isEmpty());

        String json = h.store.load(key).orElseThrow().json();
        assertThat(json).contains("\"schemaVersion\":1", "\"phase\":\"PROGRESSING\"", "\"specDigest\":\"sha256:",
                "\"template\":\"error-rate\"", "\"stableVersion\":\"1.0\"");
        RolloutState back = RolloutState.fromJson(json);
        assertThat(back.toJson()).isEqualTo(json);
    }

    @Test
    void aRollbackStepThatKeepsFailingEndsNeedingAPersonAfterTheOtherSteps() {
        errorRate(0.2);
        String key = h.start(gated(OnFailure.ROLLBACK).snapshot().build());
        h.platform.throwOn("restore", 100);

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.FAILED_NEEDS_PERSON);
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.message()).contains("rollback incomplete").contains("restore snapshot");
        assertThat(r.routes()).isEqualTo(Routes.ALL_STABLE);
        assertThat(h.platform.replicas(Role.CANARY)).isZero();
    }

    @Test
    void measurementsThatCannotBeTakenEndInErrorAfterTheConsecutiveErrorLimit() {
        h.platform.metrics((t, at, v) -> {
            throw new io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException("connection refused");
        });
        String key = h.start(gated(OnFailure.ROLLBACK).build());

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(r.verdict()).isEqualTo(Verdict.ERROR);
        // consecutiveErrorLimit 4: the fifth error decides
        assertThat(r.measurements()).hasSize(5)
                .allSatisfy(m -> assertThat(m.measurement().message()).contains("connection refused"));
    }
}
