package io.jenkins.plugins.progressive.rollout;

import io.jenkins.plugins.progressive.analysis.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a rollout ended: the result map of the pipeline steps and the CLI's {@code --output json}.
 *
 * @param verdict the analysis verdict that decided (SUCCESSFUL when every gate passed or there was none)
 * @param snapshotId the pre-rollout snapshot, null when none was taken
 * @param measurements every judged measurement, in order
 * @param routes what the router really serves, read back at the end (null when it could not be read)
 * @param exitCode the CLI exit code: 0 succeeded, 3 rolled back, 4 needs a person, 5 aborted
 */
public record RolloutResult(Phase status, Verdict verdict, String snapshotId, List<NamedMeasurement> measurements,
        long durationMillis, Routes routes, String message, int exitCode) {

    public RolloutResult {
        measurements = List.copyOf(measurements);
    }

    /** The result map of PRODUCT.md's steps. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status.name());
        m.put("verdict", verdict.name());
        m.put("snapshotId", snapshotId);
        m.put("measurements", measurements.stream().map(NamedMeasurement::toMap).toList());
        m.put("durationMillis", durationMillis);
        m.put("routes", routes == null ? null : Map.of("stable", routes.stable(), "canary", routes.canary()));
        m.put("message", message);
        m.put("exitCode", exitCode);
        return m;
    }

    static int exitCodeOf(Phase status, boolean requestedRollback) {
        return switch (status) {
            case SUCCEEDED -> 0;
            case ROLLED_BACK -> requestedRollback ? 0 : 3;
            case FAILED_NEEDS_PERSON -> 4;
            case ABORTED -> 5;
            default -> throw new IllegalArgumentException(status + " is not an end state");
        };
    }
}
