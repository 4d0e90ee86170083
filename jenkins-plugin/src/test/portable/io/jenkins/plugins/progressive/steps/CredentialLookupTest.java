package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
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
    }
}
