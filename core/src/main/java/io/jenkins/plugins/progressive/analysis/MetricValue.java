package io.jenkins.plugins.progressive.analysis;

import java.util.List;

/** What a metric provider returned for one measurement. */
public sealed interface MetricValue {

    /**
     * A value for the conditions' {@code result}: a {@link Double}, {@link String}, {@link Boolean}, or a
     * {@link List} of those (a Prometheus vector with several series, a JSON array).
     */
    record Result(Object value) implements MetricValue {
    }

    /** Two series for a judge: the canary's and the baseline's points over the same range. */
    record Samples(double[] canary, double[] baseline) implements MetricValue {
    }

    static Result of(Object value) {
        return new Result(value);
    }
}
