package io.jenkins.plugins.progressive.configuration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the global configuration form says about names, URLs and cluster connections. */
class ConfigurationChecksTest {

    @Test
    void namesAreWhatStepsCanWrite() {
        assertThat(ConfigurationChecks.name("prod-eu.1")).isEmpty();
        assertThat(ConfigurationChecks.name(" ")).contains("A name is required: steps refer to this entry by it.");
        assertThat(ConfigurationChecks.name("prod eu")).contains(
                "'prod eu' is not a valid name: use letters, digits, '.', '_' and '-'.");
    }

    @Test
    void prometheusNeedsAnHttpUrlWithAHost() {
        assertThat(ConfigurationChecks.httpUrl("http://prometheus.monitoring:9090")).isEmpty();
        assertThat(ConfigurationChecks.httpUrl("https://prom.example.com/prefix")).isEmpty();
        assertThat(ConfigurationChecks.httpUrl("ftp://prom")).contains(
                "'ftp://prom' is not an http:// or https:// URL with a host.");
        assertThat(ConfigurationChecks.httpUrl("http://bad host")).get().asString().startsWith(
                "'http://bad host' is not a URL");
        assertThat(ConfigurationChecks.httpUrl("")).get().asString().startsWith("A URL is required");
    }

    @Test
    void aClusterIsAUrlOrACloudNotBoth() {
        assertThat(ConfigurationChecks.clusterServer("", "")).as("the controller's own account").isEmpty();
        assertThat(ConfigurationChecks.clusterServer("", "kubernetes")).isEmpty();
        assertThat(ConfigurationChecks.clusterServer("https://k8s.example.com:6443", "")).isEmpty();
        assertThat(ConfigurationChecks.clusterServer("https://k8s.example.com:6443", "kubernetes")).contains(
                "Give either an API server URL or a Kubernetes cloud, not both.");
    }

    @Test
    void formValuesAreTrimmedAndNeverNull() {
        Cluster cluster = new Cluster("  prod ");
        cluster.setServerUrl(null);
        cluster.setNamespace(" shop ");
        assertThat(cluster.getName()).isEqualTo("prod");
        assertThat(cluster.getServerUrl()).isEmpty();
        assertThat(cluster.getNamespace()).isEqualTo("shop");
    }
}
