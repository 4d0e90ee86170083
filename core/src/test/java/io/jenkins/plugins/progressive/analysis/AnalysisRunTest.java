package io.jenkins.plugins.progressive.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AnalysisRunTest {

    private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");

    private static AnalysisRun feed(AnalysisTemplate t, Verdict... verdicts) {
        AnalysisRun run = AnalysisRun.start(t.name(), START);
        Instant at = START;
        for (Verdict v : verdicts) {
            at = at.plusSeconds(30);
            run = run.record(t, new Measurement(at, v, "", ""));
        }
        return run;
    }

    @Test
    void countSuccessesEndTheRunSuccessfully() {
        AnalysisTemplate t = Templates.limits(3, 0, 0, 4);
        assertThat(feed(t, Verdict.SUCCESSFUL, Verdict.SUCCESSFUL).verdict()).isEqualTo(Verdict.RUNNING);
        AnalysisRun done = feed(t, Verdict.SUCCESSFUL, Verdict.SUCCESSFUL, Verdict.SUCCESSFUL);
        assertThat(done.verdict()).isEqualTo(Verdict.SUCCESSFUL);
        assertThat(done.successful()).isEqualTo(3);
        assertThat(done.measurements()).hasSize(3);
    }

    @Test
    void failuresBeyondFailureLimitFail() {
        assertThat(feed(Templates.limits(5, 0, 0, 4), Verdict.FAILED).verdict()).isEqualTo(Verdict.FAILED);
        AnalysisTemplate tolerant = Templates.limits(5, 1, 0, 4);
        assertThat(feed(tolerant, Verdict.FAILED, Verdict.SUCCESSFUL).verdict()).isEqualTo(Verdict.RUNNING);
        AnalysisRun run = feed(tolerant, Verdict.FAILED, Verdict.SUCCESSFUL, Verdict.FAILED);
        assertThat(run.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(run.failed()).isEqualTo(2);
    }

    @Test
    void aFailureBeyondTheLimitWinsEvenWhenCountIsReached() {
        AnalysisTemplate t = Templates.limits(2, 0, 0, 4);
        assertThat(feed(t, Verdict.SUCCESSFUL, Verdict.FAILED).verdict()).isEqualTo(Verdict.FAILED);
    }

    @Test
    void inconclusivesBeyondTheLimitAreInconclusive() {
        assertThat(feed(Templates.limits(5, 0, 0, 4), Verdict.INCONCLUSIVE).verdict())
                .isEqualTo(Verdict.INCONCLUSIVE);
        AnalysisTemplate t = Templates.limits(5, 0, 2, 4);
        assertThat(feed(t, Verdict.INCONCLUSIVE, Verdict.INCONCLUSIVE).verdict()).isEqualTo(Verdict.RUNNING);
        assertThat(feed(t, Verdict.INCONCLUSIVE, Verdict.SUCCESSFUL, Verdict.INCONCLUSIVE, Verdict.INCONCLUSIVE)
                .verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void consecutiveErrorsBeyondTheLimitAreAnError() {
        AnalysisTemplate t = Templates.limits(5, 0, 0, 2);
        assertThat(feed(t, Verdict.ERROR, Verdict.ERROR).verdict()).isEqualTo(Verdict.RUNNING);
        AnalysisRun run = feed(t, Verdict.ERROR, Verdict.ERROR, Verdict.ERROR);
        assertThat(run.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(run.consecutiveErrors()).isEqualTo(3);
    }

    @Test
    void anyNonErrorResetsTheConsecutiveErrors() {
        AnalysisTemplate t = Templates.limits(10, 5, 5, 2);
        for (Verdict reset : new Verdict[] {Verdict.SUCCESSFUL, Verdict.FAILED, Verdict.INCONCLUSIVE}) {
            AnalysisRun run = feed(t, Verdict.ERROR, Verdict.ERROR, reset, Verdict.ERROR, Verdict.ERROR);
            assertThat(run.verdict()).as("reset by %s", reset).isEqualTo(Verdict.RUNNING);
            assertThat(run.consecutiveErrors()).isEqualTo(2);
            assertThat(run.errors()).isEqualTo(4);
        }
    }

    @Test
    void errorsNeverCountAsSuccesses() {
        AnalysisTemplate t = Templates.limits(1, 0, 0, 100);
        AnalysisRun run = feed(t, Verdict.ERROR, Verdict.ERROR, Verdict.ERROR);
        assertThat(run.verdict()).isEqualTo(Verdict.RUNNING);
        assertThat(run.successful()).isZero();
    }

    @Test
    void nextMeasurementWaitsTheInitialDelayThenEveryInterval() {
        AnalysisTemplate t = Templates.limits(3, 0, 0, 4); // initialDelay 10s, interval 30s
        AnalysisRun run = AnalysisRun.start(t.name(), START);
        assertThat(run.nextMeasurementAt(t)).isEqualTo(START.plusSeconds(10));
        Instant first = START.plusSeconds(11); // measured a little late: the interval counts from then
        run = run.record(t, new Measurement(first, Verdict.SUCCESSFUL, "0.001", ""));
        assertThat(run.nextMeasurementAt(t)).isEqualTo(first.plus(Duration.ofSeconds(30)));
        AnalysisTemplate noDelay = Templates.conditions("result < 1", null);
        assertThat(AnalysisRun.start(noDelay.name(), START).nextMeasurementAt(noDelay)).isEqualTo(START);
    }

    @Test
    void anEndedRunTakesNoMoreMeasurements() {
        AnalysisTemplate t = Templates.limits(1, 0, 0, 4);
        AnalysisRun done = feed(t, Verdict.SUCCESSFUL);
        assertThatThrownBy(() -> done.record(t, new Measurement(START, Verdict.SUCCESSFUL, "", "")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already ended SUCCESSFUL");
        AnalysisRun running = AnalysisRun.start(t.name(), START);
        assertThatThrownBy(() -> running.record(t, new Measurement(START, Verdict.RUNNING, "", "")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void measurementsFromRealConditionsDriveTheRun() {
        AnalysisTemplate t = Templates.limits(2, 0, 0, 4);
        AnalysisRun run = AnalysisRun.start(t.name(), START);
        run = run.record(t, Measurements.judge(t, MetricValue.of(0.001), START.plusSeconds(10)));
        run = run.record(t, Measurements.judge(t, null, START.plusSeconds(40)));
        assertThat(run.verdict()).isEqualTo(Verdict.RUNNING);
        run = run.record(t, Measurements.judge(t, MetricValue.of(0.002), START.plusSeconds(70)));
        assertThat(run.verdict()).isEqualTo(Verdict.SUCCESSFUL);
        assertThat(run.errors()).isEqualTo(1);
    }
}
