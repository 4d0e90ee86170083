package io.jenkins.plugins.progressive.hosts.local;

import io.jenkins.plugins.progressive.rollout.Role;
import java.util.List;
import java.util.Map;

/** What {@link LocalProcesses} writes to its state file: enough to find its processes again. */
record State(Map<Role, Desired> desired, List<Recorded> instances) {

    State {
        desired = desired == null ? Map.of() : desired;
        instances = instances == null ? List.of() : instances;
    }

    record Desired(String version, int replicas) {
    }

    record Recorded(Role role, String version, int index, long pid, int port, List<String> command, long startedAt,
            boolean ready) {
    }
}
