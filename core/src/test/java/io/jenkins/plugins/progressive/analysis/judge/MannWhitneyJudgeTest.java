package io.jenkins.plugins.progressive.analysis.judge;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.progressive.analysis.Measurement;
import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate.Direction;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate.Judge;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MannWhitneyJudgeTest {

    private static final Instant AT = Instant.parse("2026-11-25T12:00:00Z");

    /** A latency-like baseline: 60 points around 100 ms with spread, deterministic. */
    private static double[] baseline(int n) {
        return IntStream.range(0, n).mapToDouble(i -> 100 + ((i * 7919) % 61 - 30) / 3.0).toArray();
    }

    private static double[] scaled(double[] s, double factor) {
        return Arrays.stream(s).map(v -> v * factor).toArray();
    }

    private static Measurement judge(Direction d, double[] canary, double[] baseline) {
        return MannWhitneyJudge.judge(new Judge(d, Judge.DEFAULT_CONFIDENCE, Judge.DEFAULT_TOLERANCE), canary,
                baseline, AT);
    }

    @Test
    void aCanaryShiftedUpFailsWhenIncreaseIsBadAndPassesWhenDecreaseIsBad() {
        double[] base = baseline(60);
        double[] slower = scaled(base, 1.6);
        Measurement increase = judge(Direction.INCREASE, slower, base);
        assertThat(increase.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(increase.message()).startsWith("canary is higher than baseline")
                .contains("lies entirely above +25").contains("tolerance 0.25 × |baseline mean| 100")
                .doesNotContain("warning");
        assertThat(judge(Direction.DECREASE, slower, base).verdict()).isEqualTo(Verdict.SUCCESSFUL);
        assertThat(judge(Direction.EITHER, slower, base).verdict()).isEqualTo(Verdict.FAILED);
    }

    @Test
    void aCanaryShiftedDownFailsWhenDecreaseIsBad() {
        double[] base = baseline(60);
        double[] fewer = scaled(base, 0.5);
        Measurement decrease = judge(Direction.DECREASE, fewer, base);
        assertThat(decrease.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(decrease.message()).startsWith("canary is lower than baseline").contains("below -25");
        assertThat(judge(Direction.INCREASE, fewer, base).verdict()).isEqualTo(Verdict.SUCCESSFUL);
        assertThat(judge(Direction.EITHER, fewer, base).verdict()).isEqualTo(Verdict.FAILED);
    }

    @Test
    void identicalSamplesPass() {
        double[] base = baseline(60);
        double[] shuffled = IntStream.range(0, 60).mapToDouble(i -> base[(i * 7) % 60]).toArray();
        for (Direction d : Direction.values()) {
            Measurement m = judge(d, shuffled, base);
            assertThat(m.verdict()).isEqualTo(Verdict.SUCCESSFUL);
            assertThat(m.message()).startsWith("canary and baseline samples are identical");
        }
        double[] zeros = new double[60];
        assertThat(judge(Direction.EITHER, new double[70], zeros).verdict()).isEqualTo(Verdict.SUCCESSFUL);
    }

    @Test
    void aSignificantShiftWithinToleranceStillPasses() {
        double[] base = baseline(200);
        double[] slightlySlower = Arrays.stream(base).map(v -> v + 10).toArray(); // +10% of a mean of ~100
        MannWhitney.Result r = MannWhitney.test(slightlySlower, base, 0.98);
        assertThat(r.lower()).as("the shift is statistically clear").isPositive();
        Measurement m = judge(Direction.INCREASE, slightlySlower, base);
        assertThat(m.verdict()).isEqualTo(Verdict.SUCCESSFUL);
        assertThat(m.message()).startsWith("canary within tolerance").contains("does not lie entirely above +2");
        assertThat(m.value()).startsWith("shift +10 [98% CI +");
    }

    @Test
    void fewerThanFiftyPointsAreJudgedWithAWarning() {
        double[] base = baseline(20);
        Measurement m = judge(Direction.INCREASE, scaled(base, 2), base);
        assertThat(m.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(m.message()).contains("warning: only 20 canary and 20 baseline points")
                .contains("(exact)");
        Measurement oneSide = judge(Direction.INCREASE, baseline(60), baseline(49));
        assertThat(oneSide.message()).contains("warning: only 60 canary and 49 baseline points");
        assertThat(oneSide.verdict()).isEqualTo(Verdict.SUCCESSFUL);
    }

    @Test
    void samplesTooSmallForTheConfidenceAreInconclusive() {
        Measurement m = judge(Direction.INCREASE, new double[] {200, 210, 220}, new double[] {100, 105, 110});
        assertThat(m.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(m.message()).startsWith("too few points for 98% confidence: 3 canary and 3 baseline points");
    }

    @Test
    void noDataOrNanIsAnError() {
        double[] base = baseline(60);
        Measurement empty = judge(Direction.INCREASE, new double[0], base);
        assertThat(empty.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(empty.message()).isEqualTo("no data: the canary sample is empty");
        assertThat(judge(Direction.INCREASE, base, null).message()).isEqualTo("no data: the baseline sample is empty");
        double[] withNan = base.clone();
        withNan[7] = Double.NaN;
        Measurement nan = judge(Direction.INCREASE, withNan, base);
        assertThat(nan.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(nan.message()).isEqualTo("NaN in the canary sample (point 7)");
        double[] inf = base.clone();
        inf[0] = Double.POSITIVE_INFINITY;
        assertThat(judge(Direction.EITHER, base, inf).verdict()).isEqualTo(Verdict.ERROR);
        Measurement badConfidence = MannWhitneyJudge.judge(new Judge(Direction.INCREASE, 1.5, 0.25), base, base, AT);
        assertThat(badConfidence.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(badConfidence.message()).contains("confidence must be between 0 and 1");
    }

    @Test
    void aZeroBaselineMeansAnyProvenIncreaseFails() {
        // error counts: the baseline has none, the canary has some in every interval
        double[] base = new double[60];
        double[] canary = IntStream.range(0, 60).mapToDouble(i -> 1 + i % 3).toArray();
        Measurement m = judge(Direction.INCREASE, canary, base);
        assertThat(m.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(m.message()).contains("|baseline mean| 0");
    }

    @Test
    void theValueShowsTheShiftAndItsInterval() {
        double[] base = baseline(60);
        Measurement m = judge(Direction.INCREASE, scaled(base, 1.6), base);
        MannWhitney.Result r = MannWhitney.test(scaled(base, 1.6), base, 0.98);
        assertThat(m.value()).isEqualTo("shift +" + MannWhitneyJudge.num(r.estimate()) + " [98% CI +"
                + MannWhitneyJudge.num(r.lower()) + ", +" + MannWhitneyJudge.num(r.upper()) + "]");
        assertThat(r.estimate()).isBetween(55.0, 65.0);
        assertThat(m.at()).isEqualTo(AT);
    }
}
