package io.jenkins.plugins.progressive.snapshot;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a restore writes: the kubernetes module implements it over the API server. Objects handed over
 * have their server-set fields removed; {@link #update} is expected to carry over from the live object
 * whatever the platform needs for an update (the live {@code resourceVersion}; a Service's immutable
 * {@code spec.clusterIP}/{@code clusterIPs}, which the restore strips).
 */
public interface ObjectSink {

    boolean exists(ObjectKey key);

    void create(ObjectNode object);

    void update(ObjectNode object);

    void delete(ObjectKey key);
}
