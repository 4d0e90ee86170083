package io.jenkins.plugins.progressive.configuration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/** Manage Jenkins » System » Progressive Delivery (run with -Pjenkins). */
@WithJenkins
class ProgressiveConfigurationTest {

    @Test
    void clustersAndPrometheusServersSurviveTheSystemConfigurationForm(JenkinsRule r) throws Exception {
        Cluster prod = new Cluster("prod");
        prod.setServerUrl("https://k8s.example.com:6443");
        prod.setCredentialsId("prod-token");
        prod.setNamespace("shop-prod");
        PrometheusServer main = new PrometheusServer("main");
        main.setUrl("http://prometheus.monitoring:9090");
        ProgressiveConfiguration config = ProgressiveConfiguration.get();
        config.setClusters(List.of(prod));
        config.setPrometheusServers(List.of(main));

        r.configRoundtrip();

        ProgressiveConfiguration after = ProgressiveConfiguration.get();
        r.assertEqualDataBoundBeans(List.of(prod), after.getClusters());
        r.assertEqualDataBoundBeans(List.of(main), after.getPrometheusServers());
        assertThat(after.cluster("prod")).isPresent();
        assertThat(after.prometheus("main").map(PrometheusServer::getUrl)).contains("http://prometheus.monitoring:9090");
    }

    @Test
    void settingsArePersistedAcrossALoad(JenkinsRule r) {
        PrometheusServer main = new PrometheusServer("main");
        main.setUrl("http://prometheus.monitoring:9090");
        ProgressiveConfiguration.get().setPrometheusServers(List.of(main));

        ProgressiveConfiguration reloaded = new ProgressiveConfiguration();

        assertThat(reloaded.prometheus("main")).isPresent();
    }
}
