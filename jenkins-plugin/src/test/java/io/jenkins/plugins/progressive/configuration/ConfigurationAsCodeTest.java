package io.jenkins.plugins.progressive.configuration;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.casc.misc.ConfiguredWithCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import io.jenkins.plugins.casc.misc.junit.jupiter.WithJenkinsConfiguredWithCode;
import io.jenkins.plugins.progressive.engine.ControllerAccess;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The global configuration imported by Configuration as Code from the YAML that docs/jenkins-security.md shows
 * (run with -Pjenkins).
 */
class ConfigurationAsCodeTest {

    @Test
    @WithJenkinsConfiguredWithCode
    @ConfiguredWithCode("configuration-as-code.yaml")
    void importsTheGlobalConfigurationFromConfigurationAsCode(JenkinsConfiguredWithCodeRule r) {
        ProgressiveConfiguration config = ProgressiveConfiguration.get();

        assertThat(config.getClusters()).extracting(Cluster::getName).containsExactly("prod", "ci");
        Cluster prod = config.cluster("prod").orElseThrow();
        assertThat(prod.getServerUrl()).isEqualTo("https://k8s.example.com:6443");
        assertThat(prod.getCredentialsId()).isEqualTo("prod-kube-token");
        assertThat(prod.getNamespace()).isEqualTo("shop");
        assertThat(config.cluster("ci").map(Cluster::getCloud)).contains("kubernetes");
        PrometheusServer main = config.prometheus("main").orElseThrow();
        assertThat(main.getUrl()).isEqualTo("http://prometheus.monitoring:9090");
        assertThat(main.getCredentialsId()).isEqualTo("prometheus-token");
        assertThat(config.controllerAccess()).isEqualTo(new ControllerAccess(false,
                List.of("/var/lib/progressive", "/etc/nginx/conf.d"), false));
    }
}
