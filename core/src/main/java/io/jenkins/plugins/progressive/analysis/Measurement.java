package io.jenkins.plugins.progressive.analysis;

import java.time.Instant;

/**
 * One judged measurement.
 *
 * @param value the measured value as text (for logs, reports, the result map)
 * @param message why the verdict is what it is (the condition that decided, the query error, …)
 */
public record Measurement(Instant at, Verdict verdict, String value, String message) {
}
