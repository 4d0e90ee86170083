package io.jenkins.plugins.progressive.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate.Direction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MeasurementsTest {

    private static final Instant AT = Instant.parse("2026-11-25T12:00:00Z");

    private static Measurement judge(AnalysisTemplate t, Object result) {
        return Measurements.judge(t, MetricValue.of(result), AT);
    }

    @Nested
    class Conditions {
        @Test
        void noConditionIsASuccess() {
            Measurement m = judge(Templates.conditions(null, null), 0.3);
            assertThat(m.verdict()).isEqualTo(Verdict.SUCCESSFUL);
            assertThat(m.at()).isEqualTo(AT);
            assertThat(m.value()).isEqualTo("0.3");
        }

        @Test
        void blankConditionsCountAsAbsent() {
            assertThat(judge(Templates.conditions(" ", ""), 0.3).verdict()).isEqualTo(Verdict.SUCCESSFUL);
            assertThat(judge(Templates.conditions("", "result > 1"), 2.0).verdict()).isEqualTo(Verdict.FAILED);
        }

        @Test
        void onlySuccessConditionTrueIsASuccessFalseIsAFailure() {
            AnalysisTemplate t = Templates.conditions("result < 0.01", null);
            Measurement ok = judge(t, 0.004);
            assertThat(ok.verdict()).isEqualTo(Verdict.SUCCESSFUL);
            assertThat(ok.message()).isEqualTo("successCondition 'result < 0.01' is true");
            Measurement bad = judge(t, 0.02);
            assertThat(bad.verdict()).isEqualTo(Verdict.FAILED);
            assertThat(bad.message()).isEqualTo("successCondition 'result < 0.01' is false");
            assertThat(bad.value()).isEqualTo("0.02");
        }

        @Test
        void onlyFailureConditionTrueIsAFailureFalseIsASuccess() {
            AnalysisTemplate t = Templates.conditions(null, "result >= 0.05");
            Measurement bad = judge(t, 0.07);
            assertThat(bad.verdict()).isEqualTo(Verdict.FAILED);
            assertThat(bad.message()).isEqualTo("failureCondition 'result >= 0.05' is true");
            Measurement ok = judge(t, 0.01);
            assertThat(ok.verdict()).isEqualTo(Verdict.SUCCESSFUL);
            assertThat(ok.message()).isEqualTo("failureCondition 'result >= 0.05' is false");
        }

        @Test
        void bothConditionsAsInProductMd() {
            AnalysisTemplate t = Templates.conditions("result < 0.01", "result >= 0.05");
            assertThat(judge(t, 0.005).verdict()).isEqualTo(Verdict.SUCCESSFUL);
            assertThat(judge(t, 0.07).verdict()).isEqualTo(Verdict.FAILED);
            Measurement between = judge(t, 0.03);
            assertThat(between.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(between.message()).isEqualTo(
                    "successCondition 'result < 0.01' is false and failureCondition 'result >= 0.05' is false");
        }

        @Test
        void aTrueFailureConditionWinsOverATrueSuccessCondition() {
            AnalysisTemplate t = Templates.conditions("result < 1", "result > 0.5");
            assertThat(judge(t, 0.7).verdict()).isEqualTo(Verdict.FAILED);
        }

        @Test
        void webJsonResults() {
            AnalysisTemplate t = Templates.conditions("result.status == 'ok' && all(result.checks, it.up)", null);
            Map<String, Object> healthy = Map.of("status", "ok", "checks", List.of(Map.of("up", true)));
            Map<String, Object> degraded = Map.of("status", "ok", "checks", List.of(Map.of("up", false)));
            assertThat(judge(t, healthy).verdict()).isEqualTo(Verdict.SUCCESSFUL);
            assertThat(judge(t, degraded).verdict()).isEqualTo(Verdict.FAILED);
            assertThat(judge(Templates.conditions("result == \"ok\"", null), "ok").verdict())
                    .isEqualTo(Verdict.SUCCESSFUL);
        }

        @Test
        void vectorsWithAllAndAny() {
            AnalysisTemplate t = Templates.conditions("all(result, it < 0.01)", "any(result, it >= 0.05)");
            assertThat(judge(t, List.of(0.001, 0.002)).verdict()).isEqualTo(Verdict.SUCCESSFUL);
            assertThat(judge(t, List.of(0.001, 0.02)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(judge(t, List.of(0.001, 0.06)).verdict()).isEqualTo(Verdict.FAILED);
        }
    }

    @Nested
    class Errors {
        @Test
        void anEvaluationErrorIsAnError() {
            Measurement m = judge(Templates.conditions("result < 0.01", null), "ok");
            assertThat(m.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(m.message()).contains("condition 'result < 0.01'")
                    .contains("cannot compare string with number using <").contains("position 7");
            assertThat(m.value()).isEqualTo("\"ok\"");
        }

        @Test
        void anErrorInEitherConditionIsAnErrorEvenIfTheOtherWouldDecide() {
            Measurement m = judge(Templates.conditions("result < 0.01", "result.rate > 1"), 0.001);
            assertThat(m.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(m.message()).contains("cannot read field 'rate' of a number");
        }

        @Test
        void aConditionThatDoesNotParseIsAnError() {
            Measurement m = judge(Templates.conditions("result <", null), 0.001);
            assertThat(m.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(m.message()).contains("does not parse").contains("expected a value").contains("position 8");
        }

        @Test
        void aConditionThatIsNotTrueOrFalseIsAnError() {
            Measurement m = judge(Templates.conditions("result * 2", null), 0.001);
            assertThat(m.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(m.message()).contains("must be true or false, got 0.002");
        }

        @Test
        void noDataIsNeverASuccess() {
            AnalysisTemplate none = Templates.conditions(null, null);
            AnalysisTemplate failureOnly = Templates.conditions(null, "result > 0.05");
            for (AnalysisTemplate t : List.of(none, failureOnly)) {
                Measurement missing = Measurements.judge(t, null, AT);
                assertThat(missing.verdict()).isEqualTo(Verdict.ERROR);
                assertThat(missing.message()).isEqualTo("no data");
                Measurement nothing = judge(t, null);
                assertThat(nothing.verdict()).isEqualTo(Verdict.ERROR);
                assertThat(nothing.message()).isEqualTo("no data");
                Measurement empty = judge(t, List.of());
                assertThat(empty.verdict()).isEqualTo(Verdict.ERROR);
                assertThat(empty.message()).startsWith("no data");
            }
        }

        @Test
        void nanIsNeverASuccess() {
            // "result < 0.01" is false for NaN, and "result > 0.05" too: a failure-only template would pass it.
            AnalysisTemplate failureOnly = Templates.conditions(null, "result > 0.05");
            Measurement nan = judge(failureOnly, Double.NaN);
            assertThat(nan.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(nan.message()).isEqualTo("NaN");
            assertThat(nan.value()).isEqualTo("NaN");
            Measurement inVector = judge(failureOnly, Arrays.asList(0.001, Double.NaN));
            assertThat(inVector.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(inVector.message()).isEqualTo("NaN in the vector");
            assertThat(judge(Templates.conditions(null, null), Double.NaN).verdict()).isEqualTo(Verdict.ERROR);
        }
    }

    @Nested
    class Judge {
        @Test
        void aJudgeTemplateComparesSamples() {
            double[] baseline = IntStream.range(0, 60).mapToDouble(i -> 100 + (i * 7919 % 61) / 10.0).toArray();
            double[] canary = Arrays.stream(baseline).map(v -> v * 2).toArray();
            Measurement m = Measurements.judge(Templates.judge(Direction.INCREASE),
                    new MetricValue.Samples(canary, baseline), AT);
            assertThat(m.verdict()).isEqualTo(Verdict.FAILED);
            assertThat(m.value()).startsWith("shift +");
        }

        @Test
        void resultAndSamplesMustMatchTheTemplate() {
            Measurement singleForJudge = judge(Templates.judge(Direction.INCREASE), 0.5);
            assertThat(singleForJudge.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(singleForJudge.message()).contains("needs canary and baseline samples");
            Measurement samplesForConditions = Measurements.judge(Templates.conditions("result < 1", null),
                    new MetricValue.Samples(new double[] {1}, new double[] {1}), AT);
            assertThat(samplesForConditions.verdict()).isEqualTo(Verdict.ERROR);
            assertThat(samplesForConditions.message()).contains("need a judge");
        }
    }

    @Test
    void valuesAreRenderedShortly() {
        AnalysisTemplate t = Templates.conditions(null, null);
        assertThat(judge(t, 0.0042).value()).isEqualTo("0.0042");
        assertThat(judge(t, 3.0).value()).isEqualTo("3");
        assertThat(judge(t, 1.0 / 3).value()).isEqualTo("0.333333");
        assertThat(judge(t, 1.5e-7).value()).isEqualTo("1.5e-7");
        assertThat(judge(t, true).value()).isEqualTo("true");
        assertThat(judge(t, List.of(0.1, 0.2)).value()).isEqualTo("[0.1, 0.2]");
        assertThat(judge(t, Map.of("status", "ok")).value()).isEqualTo("{status: \"ok\"}");
        String many = judge(t, Collections.nCopies(40, 1.0)).value();
        assertThat(many).startsWith("[1, 1, 1").endsWith(", … (40 items)]");
        assertThat(judge(t, "x".repeat(1000)).value()).hasSizeLessThan(70);
    }

    @Test
    void conditionsAreSafeToJudgeFromManyThreads() throws Exception {
        AnalysisTemplate t = Templates.conditions("result < 0.01", "result >= 0.05");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Verdict>>> futures = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                futures.add(pool.submit(() -> {
                    List<Verdict> seen = new ArrayList<>();
                    for (int i = 0; i < 5000; i++) {
                        seen.add(judge(t, (i % 3) * 0.03).verdict());
                    }
                    return seen;
                }));
            }
            for (Future<List<Verdict>> f : futures) {
                List<Verdict> seen = f.get();
                for (int i = 0; i < seen.size(); i++) {
                    Verdict expected = i % 3 == 0 ? Verdict.SUCCESSFUL
                            : i % 3 == 1 ? Verdict.INCONCLUSIVE : Verdict.FAILED;
                    assertThat(seen.get(i)).isEqualTo(expected);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
