package io.jenkins.plugins.progressive.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotKey;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the controller refuses before a capture, a restore or a rollout with a snapshot changes anything. */
class SnapshotSetupTest {

    private static SnapshotSpec spec(String store, List<SnapshotSpec.Hook> pre, List<SnapshotSpec.Hook> restore,
            Optional<SnapshotSpec.KeySource> key) {
        return new SnapshotSpec(true, store, List.of(), List.of(), Optional.empty(), List.of(), key, pre, restore);
    }

    @Test
    void localHooksWouldRunOnTheControllerAndAreRefusedNamingEachOne() {
        SnapshotSpec s = spec("file:/srv/snapshots", List.of(new SnapshotSpec.Hook.Local(List.of("pg_dump", "shop")),
                new SnapshotSpec.Hook.Exec("db-0", Optional.of("postgres"), List.of("pg_dump", "-f", "{{out}}/db.sql"))),
                List.of(new SnapshotSpec.Hook.Local(List.of("psql", "-f", "{{in}}/db.sql"))), Optional.empty());

        assertThatThrownBy(() -> SnapshotSetup.check("snapshotState", s, Map.of()))
                .isInstanceOf(AbortException.class)
                .hasMessageStartingWith("snapshotState: 2 problems, nothing was changed:")
                .hasMessageContaining("snapshot.hooks.pre[0].local: local hooks would run on the Jenkins controller")
                .hasMessageContaining("snapshot.hooks.restore[0].local")
                .hasMessageNotContaining("pre[1]");
    }

    @Test
    void aRelativeStoreIsTheWorkspacesAndMayNotLeaveIt() throws Exception {
        Map<String, String> workspace = Map.of(RolloutDriver.Request.WORKSPACE, "/var/jenkins/workspace/shop");

        assertThat(SnapshotSetup.location("file:.progressive/snapshots", workspace))
                .isEqualTo(Path.of("/var/jenkins/workspace/shop"));
        assertThat(SnapshotSetup.location("file:///srv/snapshots", Map.of())).isEqualTo(Path.of(""));
        assertThat(SnapshotSetup.location("s3://bucket/prefix", Map.of())).isEqualTo(Path.of(""));
        assertThatThrownBy(() -> SnapshotSetup.location("file:../../secrets", workspace))
                .hasMessageContaining("snapshot.store").hasMessageContaining("leaves the workspace");
        SnapshotSetup.check("snapshotState", spec("file:snaps", List.of(), List.of(), Optional.empty()), workspace);
    }

    @Test
    void theKeyComesFromTheCredentialAndNeverFromTheControllersEnvironment() {
        String base64 = Base64.getEncoder().encodeToString(new byte[32]);
        SnapshotSpec withEnvKey = spec("file:/srv", List.of(), List.of(),
                Optional.of(new SnapshotSpec.KeySource.Env("PROGRESSIVE_SNAPSHOT_KEY")));

        assertThat(SnapshotSetup.keys(Map.of("encryptionKeyCredentialsId", "k"), withEnvKey,
                () -> id -> new RolloutDriver.Credential.File(base64.getBytes())).key())
                .contains(SnapshotKey.of(new byte[32]));
        assertThatThrownBy(() -> SnapshotSetup.keys(Map.of(), withEnvKey, () -> RolloutDriver.CredentialLookup.NONE)
                .key()).isInstanceOf(SnapshotException.class).hasMessageContaining("encryptionKeyCredentialsId");
        assertThatThrownBy(() -> SnapshotSetup.keys(Map.of("encryptionKeyCredentialsId", "k"), withEnvKey,
                () -> id -> new RolloutDriver.Credential.Token("not a key")).key())
                .isInstanceOf(SnapshotException.class).hasMessageContaining("encryptionKeyCredentialsId 'k'")
                .hasMessageNotContaining("not a key");
        assertThat(SnapshotSetup.keys(Map.of(), spec("file:/srv", List.of(), List.of(), Optional.empty()),
                () -> RolloutDriver.CredentialLookup.NONE).key()).isEmpty();
    }
}
