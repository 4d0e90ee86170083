package io.jenkins.plugins.progressive.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Kubernetes clients of the steps: the controller's own account only with leave, no secret copy left behind. */
class ClusterClientsTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @TempDir
    Path dir;

    /** A real CA certificate in PEM, made by the JDK's keytool. */
    private String certificate() throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path store = dir.resolve("ca.p12");
        run(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=test-ca", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit");
        return run(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass",
                "changeit");
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    private static Set<Path> caCopies() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("progressive-ca"))
                    .collect(Collectors.toSet());
        }
    }

    @Test
    void theCopyOfAClustersCertificateIsDeletedOnceTheClientIsBuilt() throws Exception {
        String pem = certificate();
        assertThat(pem).contains("-----BEGIN CERTIFICATE-----");
        Set<Path> before = caCopies();
        RolloutDriver.ClusterConnection pod = new RolloutDriver.ClusterConnection("pod service account",
                api.url(), "progressive:pod-service-account", "prod", "");

        try (KubernetesClient client = ClusterClients.connect(Optional.of(pod),
                id -> new RolloutDriver.Credential.ServiceAccount("sa-token", pem), ControllerAccess.NONE)) {
            assertThat(client.getConfiguration().getMasterUrl()).startsWith(api.url());
            assertThat(caCopies()).as("no copy of the certificate is left in the temp folder").isEqualTo(before);
        }
    }

    @Test
    void theControllersOwnAccountNeedsTheAdministratorsLeave() {
        assertThatThrownBy(() -> ClusterClients.connect(Optional.empty(), RolloutDriver.CredentialLookup.NONE,
                ControllerAccess.NONE)).isInstanceOf(ClusterException.class)
                .hasMessageContaining("cluster: the step names no cluster")
                .hasMessageContaining("allow the controller's Kubernetes identity");
        assertThat(ClusterClients.usesControllerAccount(Optional.of(new RolloutDriver.ClusterConnection("local", "",
                "", "prod", "")))).isTrue();
        assertThat(ClusterClients.usesControllerAccount(Optional.of(new RolloutDriver.ClusterConnection("prod",
                "https://k8s.example.com:6443", "prod-token", "prod", "")))).isFalse();
    }
}
