package io.jenkins.plugins.progressive.analysis;

import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Takes one measurement for a template (Prometheus, web/JSON, …). Implementations live in the
 * {@code metrics} module, one folder per provider.
 *
 * <p>Asynchronous so that a slow metrics server never holds the engine's thread: the engine asks,
 * returns, and is woken when the answer is there.
 */
public interface MetricProvider {

    /**
     * @param vars the template variables ({@code canary.version}, {@code stable.version}, {@code name},
     *             {@code namespace}) to substitute into queries, URLs and bodies
     * @return completes with the value, or exceptionally with {@link MetricException} for a query error,
     *         an unreachable server, or no data
     */
    CompletionStage<MetricValue> measure(AnalysisTemplate template, Map<String, String> vars);

    /** A measurement that could not be taken; counts as an error, never as a success. */
    final class MetricException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public MetricException(String message) {
            super(message, null, false, false);
        }

        public MetricException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}
