package io.jenkins.plugins.progressive.rollout;

import io.jenkins.plugins.progressive.analysis.MetricProvider;
import io.jenkins.plugins.progressive.spec.RolloutSpec;

/**
 * The ports one rollout acts through.
 *
 * @param snapshots may be null when the target cannot be snapshotted; a spec asking for a snapshot then fails
 */
public record Platform(Workload workload, TrafficRouter router, MetricProvider metrics, RolloutSnapshots snapshots) {

    /** Finds the ports for a spec's target and traffic (the CLI, Jenkins and tests each have one). */
    @FunctionalInterface
    public interface Binder {
        Platform bind(RolloutSpec spec);
    }
}
