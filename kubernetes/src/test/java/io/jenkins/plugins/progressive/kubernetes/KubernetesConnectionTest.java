package io.jenkins.plugins.progressive.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class KubernetesConnectionTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @Test
    void connectsThroughAKubeconfigContext(@TempDir Path dir) {
        Path kubeconfig = api.writeKubeconfig(dir);
        try (KubernetesClient client = KubernetesConnection.fromKubeconfig(kubeconfig, "test")) {
            assertThat(client.namespaces().withName("default").get()).isNotNull();
        }
        assertThatThrownBy(() -> KubernetesConnection.fromKubeconfig(kubeconfig, "prod-cluster"))
                .isInstanceOf(ClusterException.class)
                .hasMessageContaining("has no context named 'prod-cluster'");
        assertThatThrownBy(() -> KubernetesConnection.fromKubeconfig(dir.resolve("missing"), null))
                .hasMessageContaining("does not exist or is not readable");
    }

    @Test
    void connectsWithAUrlAndToken() {
        try (KubernetesClient client = KubernetesConnection.fromToken(api.url(), "s3cr3t-token", null)) {
            assertThat(client.namespaces().withName("default").get()).isNotNull();
        }
    }

    @Test
    void anUnreachableServerFailsAtOnceWithoutLeakingTheToken() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        assertThatThrownBy(() -> KubernetesConnection.fromToken(url, "s3cr3t-token", null))
                .isInstanceOf(ClusterException.class)
                .hasMessageStartingWith("cannot reach the Kubernetes API server at " + url)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t-token"));
    }

    @Test
    void notInAPod() {
        assertThatThrownBy(KubernetesConnection::inCluster).isInstanceOf(ClusterException.class)
                .hasMessageContaining("not running in a Kubernetes pod");
    }
}
