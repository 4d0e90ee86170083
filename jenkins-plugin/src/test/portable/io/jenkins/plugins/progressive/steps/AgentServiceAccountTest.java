package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A step in a pod agent connects with the pod's service account, read from the agent when used. */
class AgentServiceAccountTest {

    private final Map<String, String> agentFiles = new HashMap<>();
    private final AgentServiceAccount.AgentFiles files = agentFiles::get;

    @Test
    void aPodAgentWithAServiceAccountGivesTheInClusterServerAndItsNamespace() throws Exception {
        agentFiles.put(AgentServiceAccount.DIR + "token", "eyJhbGciOi.token\n");
        agentFiles.put(AgentServiceAccount.DIR + "namespace", "ci\n");
        RolloutDriver.ClusterConnection cluster = AgentServiceAccount.detect(files,
                Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443")).orElseThrow();

        assertThat(cluster.serverUrl()).isEqualTo("https://10.96.0.1:443");
        assertThat(cluster.namespace()).isEqualTo("ci");
        assertThat(cluster.credentialsId()).as("a reserved id, never the token")
                .isEqualTo(AgentServiceAccount.CREDENTIAL_ID);
    }

    @Test
    void anAgentThatIsNotAPodGivesNothing() throws Exception {
        assertThat(AgentServiceAccount.detect(files, Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"))).isEmpty();
        agentFiles.put(AgentServiceAccount.DIR + "token", "t");
        assertThat(AgentServiceAccount.detect(files, Map.of())).isEmpty();
    }

    @Test
    void theTokenIsReadFromTheAgentWhenTheEngineConnectsAndOtherIdsGoToTheStore() throws Exception {
        RolloutDriver.CredentialLookup store = id -> new RolloutDriver.Credential.Token("from-store-" + id);
        RolloutDriver.CredentialLookup lookup = AgentServiceAccount.wrap(store, files);

        assertThatThrownBy(() -> lookup.find(AgentServiceAccount.CREDENTIAL_ID)).isInstanceOf(AbortException.class)
                .hasMessageContaining("no service account token");
        agentFiles.put(AgentServiceAccount.DIR + "token", "rotated-token\n");
        agentFiles.put(AgentServiceAccount.DIR + "ca.crt", "-----BEGIN CERTIFICATE-----\n...");

        RolloutDriver.Credential account = lookup.find(AgentServiceAccount.CREDENTIAL_ID);
        assertThat(account).isEqualTo(new RolloutDriver.Credential.ServiceAccount("rotated-token",
                "-----BEGIN CERTIFICATE-----\n..."));
        assertThat(account.toString()).doesNotContain("rotated-token");
        assertThat(lookup.find("prom-token")).isEqualTo(new RolloutDriver.Credential.Token("from-store-prom-token"));
    }

    @Test
    void forAClusterThePodsAccountIsTheLoginAndOtherIdsAreTheStoresLogins() throws Exception {
        RolloutDriver.Credential.ClusterLogin storeLogin = new RolloutDriver.Credential.ClusterLogin(false,
                (builder, serverUrl, ca, skipTlsVerify) -> builder);
        RolloutDriver.CredentialLookup store = new RolloutDriver.CredentialLookup() {
            @Override
            public RolloutDriver.Credential find(String credentialsId) {
                return new RolloutDriver.Credential.Token("from-store-" + credentialsId);
            }

            @Override
            public RolloutDriver.Credential findForCluster(String credentialsId) {
                return storeLogin;
            }
        };
        agentFiles.put(AgentServiceAccount.DIR + "token", "pod-token\n");
        RolloutDriver.CredentialLookup lookup = AgentServiceAccount.wrap(store, files);

        assertThat(lookup.findForCluster(AgentServiceAccount.CREDENTIAL_ID))
                .isEqualTo(new RolloutDriver.Credential.ServiceAccount("pod-token", ""));
        assertThat(lookup.findForCluster("prod-kubeconfig")).isSameAs(storeLogin);
    }
}
