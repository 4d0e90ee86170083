package io.jenkins.plugins.progressive.configuration;

import java.util.List;
import java.util.Optional;

/** The clusters and Prometheus servers that steps may name, by name. */
public interface Servers {

    Optional<Cluster> cluster(String name);

    Optional<PrometheusServer> prometheus(String name);

    List<Cluster> getClusters();

    List<PrometheusServer> getPrometheusServers();
}
