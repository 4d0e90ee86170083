package io.jenkins.plugins.progressive.kubernetes.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The defaulting a real API server does for the fields the test controller and our code read. */
final class Defaults {

    private Defaults() {
    }

    static void apply(ResourceType type, ObjectNode o) {
        if (type.group().equals("apps") && type.plural().equals("deployments")) {
            ObjectNode spec = o.with("spec");
            if (!spec.has("replicas")) {
                spec.put("replicas", 1);
            }
            if (!spec.has("strategy")) {
                spec.putObject("strategy").put("type", "RollingUpdate").putObject("rollingUpdate")
                        .put("maxSurge", "25%").put("maxUnavailable", "25%");
            }
            if (!spec.has("revisionHistoryLimit")) {
                spec.put("revisionHistoryLimit", 10);
            }
            if (!spec.has("progressDeadlineSeconds")) {
                spec.put("progressDeadlineSeconds", 600);
            }
        } else if (type.group().equals("apps") && type.plural().equals("replicasets")) {
            if (!o.with("spec").has("replicas")) {
                o.with("spec").put("replicas", 1);
            }
        } else if (type.group().isEmpty() && type.plural().equals("pods") && !o.has("status")) {
            o.putObject("status").put("phase", "Pending");
        } else if (type.group().isEmpty() && type.plural().equals("namespaces") && !o.has("status")) {
            o.putObject("status").put("phase", "Active");
        } else if (type.group().isEmpty() && type.plural().equals("services")) {
            if (!o.with("spec").has("type")) {
                o.with("spec").put("type", "ClusterIP");
            }
        }
    }
}
