package io.jenkins.plugins.progressive.configuration;

import java.util.List;
import java.util.Optional;

/** The clusters and Prometheus servers that steps may name, by name. */
public interface Servers {

    Optional<Cluster> cluster(String name);

    Optional<PrometheusServer> prometheus(String name);

    List<Cluster> getClusters();

    List<PrometheusServer> getPrometheusServers();

    /**
     * The namespace of the Kubernetes-plugin cloud named {@code cloud} ("" when it has none), for steps that name a
     * cloud instead of a configured cluster.
     *
     * @throws IllegalArgumentException naming the problem: no such cloud, or no Kubernetes plugin
     */
    default String cloudNamespace(String cloud) {
        throw new IllegalArgumentException("clouds of the Kubernetes plugin cannot be used here");
    }
}
