package io.jenkins.plugins.progressive.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import org.csanchez.jenkins.plugins.kubernetes.KubernetesCloud;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/** A step's {@code cloud:} reads the Kubernetes plugin's cloud (run with -Pjenkins; this machine cannot). */
@WithJenkins
class KubernetesCloudsTest {

    @Test
    void aNamedCloudGivesItsServerNamespaceAndCredentialId(JenkinsRule r) {
        KubernetesCloud cloud = new KubernetesCloud("kubernetes");
        cloud.setServerUrl("https://k8s.example.com:6443");
        cloud.setNamespace("ci");
        cloud.setCredentialsId("k8s-token");
        cloud.setSkipTlsVerify(true);
        r.jenkins.clouds.add(cloud);

        assertThat(KubernetesClouds.find("kubernetes")).isEqualTo(
                new KubernetesClouds.Cloud("https://k8s.example.com:6443", "ci", "k8s-token", "", true));
    }

    @Test
    void anUnknownCloudIsNamedInTheError(JenkinsRule r) {
        assertThatThrownBy(() -> KubernetesClouds.find("nope")).isInstanceOf(ClusterException.class)
                .hasMessage("no cloud named 'nope' in Manage Jenkins » Clouds");
    }
}
