package io.jenkins.plugins.progressive.spec;

import java.time.Duration;
import java.util.Optional;

/**
 * A named gate: where to measure, how to judge each measurement, and how many measurements decide.
 * Defaults follow PRODUCT.md: interval 30s, count 1, no initial delay, all limits 0 except
 * consecutiveErrorLimit 4.
 *
 * @param successCondition a safe expression over {@code result}; empty means "success unless failureCondition"
 * @param failureCondition a safe expression over {@code result}
 * @param judge a statistical comparison of canary and baseline; when present the conditions are not used
 */
public record AnalysisTemplate(
        String name,
        MetricQuery query,
        Optional<String> successCondition,
        Optional<String> failureCondition,
        Duration interval,
        int count,
        Duration initialDelay,
        int failureLimit,
        int inconclusiveLimit,
        int consecutiveErrorLimit,
        Optional<Judge> judge) {

    /** Where a template reads its numbers. */
    public sealed interface MetricQuery {
    }

    /**
     * Prometheus. Either {@code query} (one instant query per measurement), or for a judge
     * {@code canaryQuery} and {@code baselineQuery} as range queries over {@code range} at {@code step}.
     *
     * @param credentials name of a credential the caller resolves (Jenkins credentials id, or for the CLI an
     *                    environment variable); never the secret itself
     * @param caCertificate a PEM file of CA certificates to trust besides the JDK's (an https address signed by
     *                      a private CA)
     */
    public record Prometheus(String address, Optional<String> query, Optional<String> canaryQuery,
            Optional<String> baselineQuery, Optional<Duration> range, Optional<Duration> step,
            Optional<Duration> timeout, Optional<String> credentials, Optional<String> caCertificate)
            implements MetricQuery {

        /** Without a CA certificate of its own. */
        public Prometheus(String address, Optional<String> query, Optional<String> canaryQuery,
                Optional<String> baselineQuery, Optional<Duration> range, Optional<Duration> step,
                Optional<Duration> timeout, Optional<String> credentials) {
            this(address, query, canaryQuery, baselineQuery, range, step, timeout, credentials, Optional.empty());
        }
    }

    /**
     * An HTTP endpoint answering JSON.
     *
     * @param jsonPath which value of the answer is the result ({@code $} for the whole document)
     * @param headers header values may reference credentials as {@code {{secret:NAME}}}, resolved by the caller
     * @param caCertificate a PEM file of CA certificates to trust besides the JDK's
     */
    public record Web(String url, String method, java.util.Map<String, String> headers, Optional<String> body,
            String jsonPath, Optional<Duration> timeout, Optional<String> caCertificate) implements MetricQuery {
        public Web {
            headers = java.util.Map.copyOf(headers);
        }

        /** Without a CA certificate of its own. */
        public Web(String url, String method, java.util.Map<String, String> headers, Optional<String> body,
                String jsonPath, Optional<Duration> timeout) {
            this(url, method, headers, body, jsonPath, timeout, Optional.empty());
        }
    }

    /** The Mann-Whitney judge (Kayenta): is the canary worse than the baseline? */
    public record Judge(Direction direction, double confidence, double tolerance) {
        public static final double DEFAULT_CONFIDENCE = 0.98;
        public static final double DEFAULT_TOLERANCE = 0.25;
    }

    /** Which change of the metric is bad. */
    public enum Direction {
        INCREASE, DECREASE, EITHER
    }
}
