package io.jenkins.plugins.progressive.steps;

import io.jenkins.plugins.progressive.configuration.Cluster;
import io.jenkins.plugins.progressive.configuration.PrometheusServer;
import io.jenkins.plugins.progressive.configuration.Servers;
import java.util.List;
import java.util.Optional;

/** The global configuration as the tests want it: cluster "prod" and Prometheus server "main". */
final class FakeServers implements Servers {

    private final List<Cluster> clusters;
    private final List<PrometheusServer> servers;

    FakeServers() {
        Cluster prod = new Cluster("prod");
        prod.setServerUrl("https://k8s.example.com:6443");
        prod.setCredentialsId("prod-token");
        prod.setNamespace("shop-prod");
        PrometheusServer main = new PrometheusServer("main");
        main.setUrl("http://prometheus.monitoring:9090");
        main.setCredentialsId("prom-token");
        this.clusters = List.of(prod);
        this.servers = List.of(main);
    }

    @Override
    public Optional<Cluster> cluster(String name) {
        return clusters.stream().filter(c -> c.getName().equals(name)).findFirst();
    }

    @Override
    public Optional<PrometheusServer> prometheus(String name) {
        return servers.stream().filter(s -> s.getName().equals(name)).findFirst();
    }

    @Override
    public List<Cluster> getClusters() {
        return clusters;
    }

    @Override
    public List<PrometheusServer> getPrometheusServers() {
        return servers;
    }

    /** One Kubernetes-plugin cloud, {@code kubernetes}, in namespace {@code ci}. */
    @Override
    public String cloudNamespace(String cloud) {
        if (cloud.equals("kubernetes")) {
            return "ci";
        }
        throw new IllegalArgumentException("no cloud named '" + cloud + "' in Manage Jenkins » Clouds");
    }
}
