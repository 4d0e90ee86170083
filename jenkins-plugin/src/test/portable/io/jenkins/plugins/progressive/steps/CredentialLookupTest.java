package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Secrets reach the engine only through the lookup, and never show in text. */
class CredentialLookupTest {

    @Test
    void credentialValuesNeverShowInText() {
        RolloutDriver.Credential token = new RolloutDriver.Credential.Token("s3cr3t-token");
        RolloutDriver.Credential basic = new RolloutDriver.Credential.UsernamePassword("alice", "pa55word");
        RolloutDriver.Credential file = new RolloutDriver.Credential.File(
                "apiVersion: v1\nusers: [{user: {token: abc}}]".getBytes(StandardCharsets.UTF_8));

        assertThat(token.toString()).isEqualTo("Token[****]").doesNotContain("s3cr3t");
        assertThat(basic.toString()).isEqualTo("UsernamePassword[alice, ****]").doesNotContain("pa55word");
        assertThat(file.toString()).isEqualTo("File[44 bytes]");
        assertThat(String.valueOf(java.util.List.of(token, basic))).doesNotContain("s3cr3t", "pa55word");
    }

    @Test
    void withoutABuildEveryLookupFailsNamingTheId() {
        assertThatThrownBy(() -> BuildCredentials.of(null).find("prom-token")).isInstanceOf(AbortException.class)
                .hasMessage("credential 'prom-token' cannot be read: there is no build to read it for");
        assertThatThrownBy(() -> BuildCredentials.of(null).findForCluster("prod-kubeconfig"))
                .isInstanceOf(AbortException.class)
                .hasMessage("credential 'prod-kubeconfig' cannot be read: there is no build to read it for");
    }

    @Test
    void theMaskLearnsTheSecretsAClusterLoginPutsIntoTheClientWhenItIsMade() throws Exception {
        RolloutDriver.Credential.ClusterLogin login = new RolloutDriver.Credential.ClusterLogin(true,
                (builder, serverUrl, ca, skipTlsVerify) -> builder.withOauthToken("produced-token")
                        .withAutoOAuthToken("kubeconfig-token").withClientKeyData("a2V5LWRhdGE=")
                        .withPassword("pa55word"));
        RolloutDriver.CredentialLookup store = new RolloutDriver.CredentialLookup() {
            @Override
            public RolloutDriver.Credential find(String credentialsId) {
                return new RolloutDriver.Credential.Token("not-the-login");
            }

            @Override
            public RolloutDriver.Credential findForCluster(String credentialsId) {
                return login;
            }
        };
        SecretMask mask = new SecretMask();

        RolloutDriver.Credential recorded = mask.recording(store).findForCluster("prod-token");
        assertThat(mask.apply("token produced-token")).as("nothing is known before the login is made")
                .isEqualTo("token produced-token");
        ConfigBuilder made = ((RolloutDriver.Credential.ClusterLogin) recorded).auth()
                .decorate(new ConfigBuilder(), "https://k8s.example.com:6443", null, false);

        assertThat(made.getOauthToken()).isEqualTo("produced-token");
        assertThat(((RolloutDriver.Credential.ClusterLogin) recorded).needsServerUrl()).isTrue();
        assertThat(mask.apply("401 for produced-token, key a2V5LWRhdGE=, password pa55word, kubeconfig-token"))
                .isEqualTo("401 for ****, key ****, password ****, ****");
    }
}
