package io.jenkins.plugins.progressive.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes clients of the steps: logins the Kubernetes Credentials plugin makes (here a stand-in: the stubs cannot
 * run its code), the pod's account, the controller's own account only with leave, no secret copy left behind.
 */
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
    void thePodsAccountSendsItsTokenAndTrustsItsCaWithNoCopyOnDisk() throws Exception {
        String pem = certificate();
        assertThat(pem).contains("-----BEGIN CERTIFICATE-----");
        Set<Path> before = caCopies();
        RolloutDriver.ClusterConnection pod = new RolloutDriver.ClusterConnection("pod service account",
                api.url(), "progressive:pod-service-account", "prod", "");

        try (KubernetesClient client = ClusterClients.connect(Optional.of(pod),
                id -> new RolloutDriver.Credential.ServiceAccount("sa-token", pem), ControllerAccess.NONE)) {
            assertThat(client.getConfiguration().getMasterUrl()).startsWith(api.url());
            assertThat(client.getConfiguration().getOauthToken()).isEqualTo("sa-token");
            assertThat(new String(Base64.getDecoder().decode(client.getConfiguration().getCaCertData()),
                    StandardCharsets.UTF_8)).isEqualTo(pem);
            assertThat(caCopies()).as("no copy of the certificate is left in the temp folder").isEqualTo(before);
        }
    }

    /** What the Kubernetes Credentials plugin's login is asked with, and what it adds: a token. */
    private final List<String> loginsMade = new ArrayList<>();

    private RolloutDriver.Credential.ClusterLogin tokenLogin(String token) {
        return new RolloutDriver.Credential.ClusterLogin(true, (builder, serverUrl, ca, skipTlsVerify) -> {
            loginsMade.add(serverUrl + " ca=" + (ca != null) + " skipTlsVerify=" + skipTlsVerify);
            return builder.withOauthToken(token);
        });
    }

    private static RolloutDriver.ClusterConnection cluster(String serverUrl, String credentialsId) {
        return new RolloutDriver.ClusterConnection("prod", serverUrl, credentialsId, "prod", "");
    }

    @Test
    void aTokenLoginIsMadeForTheClustersServerAndSentWithEveryRequest() {
        try (KubernetesClient client = ClusterClients.connect(Optional.of(cluster(api.url(), "prod-token")),
                lookup("prod-token", tokenLogin("s3cr3t-token")), ControllerAccess.NONE)) {
            assertThat(client.getConfiguration().getMasterUrl()).startsWith(api.url());
            assertThat(client.getConfiguration().getOauthToken()).isEqualTo("s3cr3t-token");
            assertThat(loginsMade).containsExactly(api.url() + " ca=false skipTlsVerify=false");
        }
    }

    @Test
    void aTokenLoginWithoutAServerUrlIsRefusedNamingTheCredential() {
        assertThatThrownBy(() -> ClusterClients.connect(Optional.of(cluster("", "prod-token")),
                lookup("prod-token", tokenLogin("s3cr3t-token")), ControllerAccess.NONE))
                .isInstanceOf(ClusterException.class)
                .hasMessage("cluster 'prod': credential 'prod-token' names no server; give the server URL too"
                        + " (or use a kubeconfig file credential)");
        assertThat(loginsMade).as("no login is made for nothing").isEmpty();
    }

    @Test
    void aKubeconfigLoginNamesItsOwnServer() {
        String kubeconfig = "apiVersion: v1\nkind: Config\ncurrent-context: ci\n"
                + "clusters: [{name: test, cluster: {server: '" + api.url() + "'}}]\n"
                + "users: [{name: ci, user: {token: kubeconfig-token}}]\n"
                + "contexts: [{name: ci, context: {cluster: test, user: ci, namespace: prod}}]\n";
        RolloutDriver.Credential login = new RolloutDriver.Credential.ClusterLogin(false,
                (builder, serverUrl, ca, skipTlsVerify) -> new ConfigBuilder(Config.fromKubeconfig(kubeconfig)));

        try (KubernetesClient client = ClusterClients.connect(Optional.of(cluster("", "kubeconfig")),
                lookup("kubeconfig", login), ControllerAccess.NONE)) {
            assertThat(client.getConfiguration().getMasterUrl()).startsWith(api.url());
            assertThat(client.getConfiguration().getAutoOAuthToken()).isEqualTo("kubeconfig-token");
        }
    }

    @Test
    void aCredentialThatIsNoLoginOrMakesNoneFailsNamingItAndNoSecret() {
        assertThatThrownBy(() -> ClusterClients.connect(Optional.of(cluster(api.url(), "prom-basic")),
                lookup("prom-basic", new RolloutDriver.Credential.UsernamePassword("alice", "pa55word")),
                ControllerAccess.NONE)).isInstanceOf(ClusterException.class)
                .hasMessageStartingWith("cluster 'prod': credential 'prom-basic' is no Kubernetes login")
                .hasMessageNotContaining("pa55word");

        RolloutDriver.Credential failing = new RolloutDriver.Credential.ClusterLogin(true, (b, url, ca, skip) -> {
            throw new AbortException("credential 'gke' made no login: java.io.IOException: token expired");
        });
        assertThatThrownBy(() -> ClusterClients.connect(Optional.of(cluster(api.url(), "gke")),
                lookup("gke", failing), ControllerAccess.NONE)).isInstanceOf(ClusterException.class)
                .hasMessage("cluster 'prod': credential 'gke' made no login: java.io.IOException: token expired");

        assertThatThrownBy(() -> ClusterClients.connect(Optional.of(cluster(api.url(), "gone")),
                RolloutDriver.CredentialLookup.NONE, ControllerAccess.NONE)).isInstanceOf(ClusterException.class)
                .hasMessage("cluster 'prod': credential 'gone' cannot be read: there is no build to read it for");
    }

    /** A store that has one credential, and gives it only as a cluster login. */
    private static RolloutDriver.CredentialLookup lookup(String id, RolloutDriver.Credential login) {
        return new RolloutDriver.CredentialLookup() {
            @Override
            public RolloutDriver.Credential find(String credentialsId) {
                throw new AssertionError("a cluster's credential is read as a login, not as a value");
            }

            @Override
            public RolloutDriver.Credential findForCluster(String credentialsId) throws IOException {
                if (!credentialsId.equals(id)) {
                    throw new AbortException("credential '" + credentialsId + "' does not exist");
                }
                return login;
            }
        };
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
