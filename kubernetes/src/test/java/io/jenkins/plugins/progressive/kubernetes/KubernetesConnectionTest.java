package io.jenkins.plugins.progressive.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three ways to reach a cluster, against the test API server over HTTPS with a CA of its own and a bearer
 * token it checks.
 */
class KubernetesConnectionTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer().https();

    @TempDir
    Path dir;

    private String savedKubeconfigProperty;

    @AfterEach
    void restoreKubeconfigProperty() {
        if (savedKubeconfigProperty != null) {
            System.setProperty("kubeconfig", savedKubeconfigProperty);
        } else {
            System.clearProperty("kubeconfig");
        }
    }

    @Test
    void connectsThroughAKubeconfigContextWithItsTokenAndCa() throws IOException {
        api.requireToken("test-token");
        Path kubeconfig = api.writeKubeconfig(dir);
        try (KubernetesClient client = KubernetesConnection.fromKubeconfig(kubeconfig, "test")) {
            assertThat(client.namespaces().withName("default").get()).isNotNull();
        }
        assertThatThrownBy(() -> KubernetesConnection.fromKubeconfig(kubeconfig, "prod-cluster"))
                .isInstanceOf(ClusterException.class)
                .hasMessageContaining("has no context named 'prod-cluster'");
        assertThatThrownBy(() -> KubernetesConnection.fromKubeconfig(dir.resolve("missing"), null))
                .hasMessageContaining("does not exist or is not readable");

        Files.writeString(kubeconfig, Files.readString(kubeconfig).replace("token: test-token", "token: expired"));
        assertThatThrownBy(() -> KubernetesConnection.fromKubeconfig(kubeconfig, "test"))
                .isInstanceOf(ClusterException.class)
                .hasMessage("the Kubernetes API server at " + api.url() + " rejected the credentials (401 "
                        + "Unauthorized): check the token or kubeconfig user");
    }

    @Test
    void connectsWithAUrlTokenAndCaCertificate() {
        api.requireToken("s3cr3t-token");
        try (KubernetesClient client = KubernetesConnection.fromToken(api.url(), "s3cr3t-token",
                api.caCertificate())) {
            assertThat(client.namespaces().withName("default").get()).isNotNull();
        }
        assertThatThrownBy(() -> KubernetesConnection.fromToken(api.url(), "wrong-token", api.caCertificate()))
                .isInstanceOf(ClusterException.class)
                .hasMessageContaining("rejected the credentials (401 Unauthorized)")
                .satisfies(e -> assertThat(((ClusterException) e).code()).isEqualTo(401));
    }

    @Test
    void aCaThatDidNotSignTheServersCertificateFailsNamingTheServer() throws Exception {
        Path otherCa = selfSignedCertificate("CN=some-other-ca");
        assertThatThrownBy(() -> KubernetesConnection.fromToken(api.url(), "s3cr3t-token", otherCa))
                .isInstanceOf(ClusterException.class)
                .hasMessageStartingWith("cannot verify the Kubernetes API server at " + api.url()
                        + ": the TLS handshake failed; check the CA certificate given for this server")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t-token"));
        // Without a CA the JVM's trust store is used, which does not know the cluster's CA either.
        assertThatThrownBy(() -> KubernetesConnection.fromToken(api.url(), "s3cr3t-token", null))
                .hasMessageStartingWith("cannot verify the Kubernetes API server at " + api.url());
    }

    @Test
    void inClusterUsesTheServiceAccountEvenWhenAKubeconfigExists() throws IOException {
        // A kubeconfig that fabric8's auto-configuration would prefer: same server, someone else's token.
        api.requireToken("pod-token-1");
        Path kubeconfig = api.writeKubeconfig(dir);
        savedKubeconfigProperty = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", kubeconfig.toString());
        Path serviceAccount = serviceAccount("pod-token-1");
        Map<String, String> env = Map.of("KUBERNETES_SERVICE_HOST", "localhost", "KUBERNETES_SERVICE_PORT",
                Integer.toString(port()), "KUBECONFIG", kubeconfig.toString());

        try (KubernetesClient client = KubernetesConnection.inCluster(serviceAccount, env)) {
            assertThat(client.getMasterUrl().toString()).isEqualTo(api.url() + "/");
            assertThat(client.getNamespace()).isEqualTo("ci");
            assertThat(client.namespaces().withName("default").get()).isNotNull();

            // The kubelet rotates the bound token: the next request sends the new one.
            Files.writeString(serviceAccount.resolve("token"), "pod-token-2\n");
            api.requireToken("pod-token-2");
            assertThat(client.namespaces().withName("default").get()).isNotNull();
        }
    }

    @Test
    void inClusterWithTheWrongCaOrAnUnreachableServerFailsClearly() throws Exception {
        Path serviceAccount = serviceAccount("pod-token-1");
        Files.copy(selfSignedCertificate("CN=some-other-ca"), serviceAccount.resolve("ca.crt"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> KubernetesConnection.inCluster(serviceAccount, Map.of("KUBERNETES_SERVICE_HOST",
                "localhost", "KUBERNETES_SERVICE_PORT", Integer.toString(port()))))
                .isInstanceOf(ClusterException.class)
                .hasMessageStartingWith("cannot verify the Kubernetes API server at " + api.url());

        int closed = freePort();
        assertThatThrownBy(() -> KubernetesConnection.inCluster(serviceAccount, Map.of("KUBERNETES_SERVICE_HOST",
                "127.0.0.1", "KUBERNETES_SERVICE_PORT", Integer.toString(closed))))
                .isInstanceOf(ClusterException.class)
                .hasMessageStartingWith("cannot reach the Kubernetes API server at https://127.0.0.1:" + closed)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pod-token-1"));
    }

    @Test
    void anUnreachableServerFailsAtOnceWithoutLeakingTheToken() throws Exception {
        String url = "http://127.0.0.1:" + freePort();
        assertThatThrownBy(() -> KubernetesConnection.fromToken(url, "s3cr3t-token", null))
                .isInstanceOf(ClusterException.class)
                .hasMessageStartingWith("cannot reach the Kubernetes API server at " + url)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t-token"));
    }

    @Test
    void notInAPod() {
        assertThatThrownBy(() -> KubernetesConnection.inCluster(dir, Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1")))
                .isInstanceOf(ClusterException.class)
                .hasMessage("not running in a Kubernetes pod: no service account token at " + dir.resolve("token")
                        + " or KUBERNETES_SERVICE_HOST is unset");
    }

    /** A service-account mount as the kubelet makes it: token, the cluster's CA, the pod's namespace. */
    private Path serviceAccount(String token) throws IOException {
        Path sa = Files.createDirectories(dir.resolve("serviceaccount"));
        Files.writeString(sa.resolve("token"), token + "\n");
        Files.copy(api.caCertificate(), sa.resolve("ca.crt"));
        Files.writeString(sa.resolve("namespace"), "ci");
        return sa;
    }

    private int port() {
        return Integer.parseInt(api.url().substring(api.url().lastIndexOf(':') + 1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A CA certificate (PEM) the test API server's certificate was not signed by, made with the JDK's keytool. */
    private Path selfSignedCertificate(String dname) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path store = dir.resolve("other-ca.p12");
        Path pem = dir.resolve("other-ca.pem");
        run(List.of(keytool.toString(), "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", dname, "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit"));
        run(List.of(keytool.toString(), "-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(),
                "-storepass", "changeit", "-file", pem.toString()));
        return pem;
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
