package io.jenkins.plugins.progressive.analysis;

import io.jenkins.plugins.progressive.analysis.expr.Expression;
import io.jenkins.plugins.progressive.analysis.expr.ExpressionException;
import io.jenkins.plugins.progressive.analysis.judge.MannWhitneyJudge;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Turns a provider's value into a judged {@link Measurement}, by the template's conditions or judge. */
public final class Measurements {

    /** Parsed conditions by source text; parsing happens once, measurements thousands of times a second. */
    private static final Map<String, Object> PARSED = new ConcurrentHashMap<>();
    private static final int MAX_CACHED = 10_000;

    private Measurements() {
    }

    /**
     * Measurement verdict (Argo Rollouts): no condition → success; success condition false → failed;
     * failure condition true → failed; neither decides → inconclusive; evaluation error → error.
     * In detail: a true failure condition wins; with both conditions, a false success condition and a false
     * failure condition leave the measurement INCONCLUSIVE; with only one condition, the other is its negation.
     * No data, NaN or an empty vector is an error, never a success. A template with a judge compares
     * {@link MetricValue.Samples} with the Mann-Whitney judge and ignores the conditions.
     */
    public static Measurement judge(AnalysisTemplate template, MetricValue value, Instant at) {
        if (template.judge().isPresent()) {
            if (value instanceof MetricValue.Samples s) {
                return MannWhitneyJudge.judge(template.judge().get(), s.canary(), s.baseline(), at);
            }
            return error(at, value == null ? "no data" : "the judge needs canary and baseline samples");
        }
        if (value == null) {
            return error(at, "no data");
        }
        if (!(value instanceof MetricValue.Result r)) {
            return error(at, "canary and baseline samples need a judge (judge: mannWhitney), not conditions");
        }
        Object result = r.value();
        String shown = ValueText.render(result);
        String missing = missing(result);
        if (missing != null) {
            return new Measurement(at, Verdict.ERROR, shown, missing);
        }
        Optional<String> success = present(template.successCondition());
        Optional<String> failure = present(template.failureCondition());
        if (success.isEmpty() && failure.isEmpty()) {
            return new Measurement(at, Verdict.SUCCESSFUL, shown, "no condition: every measurement succeeds");
        }
        Map<String, Object> vars = Map.of("result", result);
        Boolean failed = null;
        Boolean succeeded = null;
        try {
            if (failure.isPresent()) {
                failed = evaluate(failure.get(), vars);
            }
            if (success.isPresent()) {
                succeeded = evaluate(success.get(), vars);
            }
        } catch (ConditionException e) {
            return new Measurement(at, Verdict.ERROR, shown, e.getMessage());
        }
        if (Boolean.TRUE.equals(failed)) {
            return new Measurement(at, Verdict.FAILED, shown, "failureCondition '" + failure.get() + "' is true");
        }
        if (succeeded == null) {
            return new Measurement(at, Verdict.SUCCESSFUL, shown, "failureCondition '" + failure.get() + "' is false");
        }
        if (succeeded) {
            return new Measurement(at, Verdict.SUCCESSFUL, shown, "successCondition '" + success.get() + "' is true");
        }
        if (failed == null) {
            return new Measurement(at, Verdict.FAILED, shown, "successCondition '" + success.get() + "' is false");
        }
        return new Measurement(at, Verdict.INCONCLUSIVE, shown, "successCondition '" + success.get()
                + "' is false and failureCondition '" + failure.get() + "' is false");
    }

    /** A measurement that could not be taken. */
    public static Measurement error(Instant at, String message) {
        return new Measurement(at, Verdict.ERROR, "", message);
    }

    private static Optional<String> present(Optional<String> condition) {
        return condition == null ? Optional.empty() : condition.filter(c -> !c.isBlank());
    }

    /** Why a result cannot be judged at all, or null. */
    private static String missing(Object result) {
        return missing(result, 0);
    }

    private static String missing(Object result, int depth) {
        if (result == null) {
            return "no data";
        }
        if (result instanceof List<?> l) {
            if (l.isEmpty()) {
                return "no data (empty vector)";
            }
            if (depth > 8) {
                return null; // deeper structure is JSON, not a vector; conditions read it
            }
            for (Object e : l) {
                String m = missing(e, depth + 1);
                if (m != null && m.startsWith("NaN")) {
                    return "NaN in the vector";
                }
            }
            return null;
        }
        if (result instanceof Double d && d.isNaN() || result instanceof Float f && f.isNaN()) {
            return "NaN";
        }
        return null;
    }

    private static boolean evaluate(String condition, Map<String, Object> vars) throws ConditionException {
        Expression e = parsed(condition);
        Object v;
        try {
            v = e.evaluate(vars);
        } catch (ExpressionException ex) {
            throw new ConditionException("condition '" + condition + "': " + ex.getMessage());
        } catch (RuntimeException ex) { // a caller's odd Map or List; never let it escape as a crash
            throw new ConditionException("condition '" + condition + "' cannot be evaluated: "
                    + ex.getClass().getSimpleName());
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new ConditionException("condition '" + condition + "' must be true or false, got "
                + ValueText.render(v));
    }

    private static Expression parsed(String condition) throws ConditionException {
        Object p = PARSED.get(condition);
        if (p == null) {
            try {
                p = Expression.parse(condition);
            } catch (ExpressionException ex) {
                p = ex;
            }
            if (PARSED.size() >= MAX_CACHED) {
                PARSED.clear(); // many distinct conditions means generated ones; keep memory bounded
            }
            PARSED.put(condition, p);
        }
        if (p instanceof ExpressionException ex) {
            throw new ConditionException("condition '" + condition + "' does not parse: " + ex.getMessage());
        }
        return (Expression) p;
    }

    /** A condition that cannot decide; the measurement becomes an ERROR with this message. */
    private static final class ConditionException extends Exception {
        private static final long serialVersionUID = 1L;

        ConditionException(String message) {
            super(message, null, false, false);
        }
    }
}
