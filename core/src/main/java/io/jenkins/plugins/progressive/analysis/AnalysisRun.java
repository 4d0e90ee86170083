package io.jenkins.plugins.progressive.analysis;

import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The measurements of one template during one gate, and the run verdict they add up to.
 * Immutable: {@link #record} returns the next run. Rules (Argo Rollouts):
 * failed &gt; failureLimit → FAILED; inconclusive &gt; inconclusiveLimit → INCONCLUSIVE;
 * consecutive errors &gt; consecutiveErrorLimit → ERROR; {@code count} successes → SUCCESSFUL.
 */
public record AnalysisRun(String template, Instant startedAt, List<Measurement> measurements, int successful,
        int failed, int inconclusive, int errors, int consecutiveErrors, Verdict verdict) {

    public AnalysisRun {
        measurements = List.copyOf(measurements);
    }

    public static AnalysisRun start(String template, Instant at) {
        return new AnalysisRun(template, at, List.of(), 0, 0, 0, 0, 0, Verdict.RUNNING);
    }

    /** When the next measurement is due: initialDelay after the start, then every interval. */
    public Instant nextMeasurementAt(AnalysisTemplate t) {
        if (measurements.isEmpty()) {
            return startedAt.plus(t.initialDelay());
        }
        return measurements.get(measurements.size() - 1).at().plus(t.interval());
    }

    public AnalysisRun record(AnalysisTemplate t, Measurement m) {
        if (verdict.decided()) {
            throw new IllegalStateException("analysis run '" + template + "' already ended " + verdict);
        }
        List<Measurement> all = new ArrayList<>(measurements);
        all.add(m);
        int s = successful;
        int f = failed;
        int i = inconclusive;
        int e = errors;
        int ce = m.verdict() == Verdict.ERROR ? consecutiveErrors + 1 : 0;
        switch (m.verdict()) {
            case SUCCESSFUL -> s++;
            case FAILED -> f++;
            case INCONCLUSIVE -> i++;
            case ERROR -> e++;
            default -> throw new IllegalArgumentException("a measurement cannot be " + m.verdict());
        }
        Verdict v = Verdict.RUNNING;
        if (f > t.failureLimit()) {
            v = Verdict.FAILED;
        } else if (i > t.inconclusiveLimit()) {
            v = Verdict.INCONCLUSIVE;
        } else if (ce > t.consecutiveErrorLimit()) {
            v = Verdict.ERROR;
        } else if (s >= t.count()) {
            v = Verdict.SUCCESSFUL;
        }
        return new AnalysisRun(template, startedAt, all, s, f, i, e, ce, v);
    }
}
