package io.jenkins.plugins.progressive.rollout.testing;

import io.jenkins.plugins.progressive.analysis.Measurement;
import io.jenkins.plugins.progressive.analysis.Measurements;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.rollout.RolloutEngine;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.time.Instant;
import java.util.Optional;

/**
 * The real {@link Measurements#judge}, or while it is not implemented yet, a stand-in that knows only
 * single comparisons {@code result OP number} (enough for engine tests; the real one is tested in analysis).
 */
public final class FallbackJudge implements RolloutEngine.Judge {

    public static final FallbackJudge INSTANCE = new FallbackJudge();

    @Override
    public Measurement judge(AnalysisTemplate t, MetricValue value, Instant at) {
        try {
            return Measurements.judge(t, value, at);
        } catch (UnsupportedOperationException notYet) {
            return simple(t, value, at);
        }
    }

    private static Measurement simple(AnalysisTemplate t, MetricValue value, Instant at) {
        if (!(value instanceof MetricValue.Result r) || !(r.value() instanceof Double d) || d.isNaN()) {
            return new Measurement(at, Verdict.ERROR, String.valueOf(value), "no numeric data");
        }
        String v = String.valueOf(d);
        if (holds(t.failureCondition(), d)) {
            return new Measurement(at, Verdict.FAILED, v, "failureCondition " + t.failureCondition().get());
        }
        if (t.successCondition().isPresent()) {
            return holds(t.successCondition(), d) ? new Measurement(at, Verdict.SUCCESSFUL, v, "")
                    : t.failureCondition().isPresent()
                            ? new Measurement(at, Verdict.INCONCLUSIVE, v, "neither condition decided")
                            : new Measurement(at, Verdict.FAILED, v, "successCondition " + t.successCondition().get()
                                    + " is false");
        }
        return new Measurement(at, Verdict.SUCCESSFUL, v, "");
    }

    private static boolean holds(Optional<String> condition, double result) {
        if (condition.isEmpty()) {
            return false;
        }
        String[] p = condition.get().trim().split("\\s+");
        if (p.length != 3 || !p[0].equals("result")) {
            throw new IllegalArgumentException("stand-in judge knows only 'result OP number': " + condition.get());
        }
        double x = Double.parseDouble(p[2]);
        return switch (p[1]) {
            case "<" -> result < x;
            case "<=" -> result <= x;
            case ">" -> result > x;
            case ">=" -> result >= x;
            case "==" -> result == x;
            default -> throw new IllegalArgumentException("operator " + p[1]);
        };
    }
}
