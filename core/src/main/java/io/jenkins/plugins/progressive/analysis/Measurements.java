package io.jenkins.plugins.progressive.analysis;

import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.time.Instant;

/** Turns a provider's value into a judged {@link Measurement}, by the template's conditions or judge. */
public final class Measurements {

    private Measurements() {
    }

    /**
     * Measurement verdict (Argo Rollouts): no condition → success; success condition false → failed;
     * failure condition true → failed; neither decides → inconclusive; evaluation error → error.
     * No data, NaN or an empty vector is an error, never a success.
     */
    public static Measurement judge(AnalysisTemplate template, MetricValue value, Instant at) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** A measurement that could not be taken. */
    public static Measurement error(Instant at, String message) {
        return new Measurement(at, Verdict.ERROR, "", message);
    }
}
