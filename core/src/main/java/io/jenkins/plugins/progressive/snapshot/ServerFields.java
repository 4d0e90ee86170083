package io.jenkins.plugins.progressive.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Fields the API server sets: stripped before a restore (and ignored by diff), as Velero does. */
final class ServerFields {

    private static final List<String> METADATA = List.of("uid", "resourceVersion", "generation",
            "creationTimestamp", "managedFields", "ownerReferences", "selfLink", "deletionTimestamp",
            "deletionGracePeriodSeconds");

    private ServerFields() {
    }

    /** A copy without server-set fields; {@code kubectl.kubernetes.io/last-applied-configuration} is kept. */
    static ObjectNode strip(ObjectNode object) {
        ObjectNode o = object.deepCopy();
        JsonNode md = o.get("metadata");
        if (md instanceof ObjectNode metadata) {
            metadata.remove(METADATA);
        }
        o.remove("status");
        if (o.path("apiVersion").asText().equals("v1") && o.path("kind").asText().equals("Service")
                && o.get("spec") instanceof ObjectNode spec) {
            // A headless Service ("None") must stay headless; any other address is reassigned by the cluster.
            if (!"None".equals(spec.path("clusterIP").asText())) {
                spec.remove("clusterIP");
                spec.remove("clusterIPs");
            }
        }
        return o;
    }
}
