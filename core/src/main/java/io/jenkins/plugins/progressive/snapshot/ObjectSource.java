package io.jenkins.plugins.progressive.snapshot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.stream.Stream;

/**
 * Where a snapshot's objects are read from: a cluster (the kubernetes module), a host's router and
 * instances (the hosts module), or memory (tests). Objects are whole resource documents with
 * {@code apiVersion}, {@code kind} and {@code metadata.name} (and {@code metadata.namespace} when namespaced).
 */
public interface ObjectSource {

    /** The objects the selection names; the source may return more, capture filters again. */
    Stream<ObjectNode> objects(Selection selection);

    /** Where the objects come from, recorded in the manifest: a cluster URL and context, a host name. */
    String describe();

    /**
     * Whether an object must be encrypted although it is not a Secret (a router's credentials, a
     * token in a ConfigMap). Secrets ({@code v1 Secret}) are always encrypted.
     */
    default boolean sensitive(ObjectNode object) {
        return false;
    }
}
