package io.jenkins.plugins.progressive.steps;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * A bound step, as its execution keeps it until the engine has the rollout: the parameters as a JSON tree (the whole
 * spec, or the overrides of a spec file still to be read from the workspace), the cluster, the options. A plain
 * serializable class holding strings, so that Pipeline can persist it with the running step.
 */
final class Plan implements Serializable {
    private static final long serialVersionUID = 1L;

    final String functionName;
    final RolloutDriver.Operation operation;
    /** Workspace path of the spec file, or null for inline parameters. */
    final String specPath;
    /** JSON: the inline spec, or the overrides applied over the spec file. */
    final String tree;
    /** The strategy the step runs ({@code canary}, {@code blueGreen}, {@code rolling}), or null. */
    final String strategy;
    final RolloutDriver.ClusterConnection cluster;
    final HashMap<String, String> options;

    Plan(String functionName, RolloutDriver.Operation operation, String specPath, String tree, String strategy,
            RolloutDriver.ClusterConnection cluster, Map<String, String> options) {
        this.functionName = functionName;
        this.operation = operation;
        this.specPath = specPath;
        this.tree = tree;
        this.strategy = strategy;
        this.cluster = cluster;
        this.options = new HashMap<>(options);
    }
}
