package io.jenkins.plugins.progressive.spec;

import java.util.List;
import java.util.Map;

/**
 * One release of one service, as a spec file or inline step parameters describe it.
 * Instances come only from {@link SpecReader}, which validates everything first: code that
 * holds a {@code RolloutSpec} never re-checks it.
 *
 * @param name the service; with the target it is the lock key (one live rollout per name and target)
 * @param version the release being rolled out
 * @param traffic how requests are split; {@link Traffic.Replicas} when the spec names no router
 * @param analysis named analysis templates, in spec order
 * @param backgroundAnalysis templates that run for the whole rollout
 * @param snapshot what to snapshot before the first action; {@link SnapshotSpec#DISABLED} when absent
 */
public record RolloutSpec(
        String name,
        String version,
        Target target,
        Traffic traffic,
        Strategy strategy,
        Map<String, AnalysisTemplate> analysis,
        List<String> backgroundAnalysis,
        OnFailure onFailure,
        SnapshotSpec snapshot) {

    public RolloutSpec {
        analysis = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(analysis)); // keeps spec order
        backgroundAnalysis = List.copyOf(backgroundAnalysis);
    }

    /** The lock key: one live rollout per name and target. */
    public String lockKey() {
        return name + "@" + target.key();
    }

    public RolloutSpec withVersion(String newVersion) {
        return new RolloutSpec(name, newVersion, target, traffic, strategy, analysis, backgroundAnalysis, onFailure,
                snapshot);
    }
}
