package io.jenkins.plugins.progressive.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import hudson.AbortException;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.rollout.DirectoryStateStore;
import io.jenkins.plugins.progressive.rollout.Platform;
import io.jenkins.plugins.progressive.rollout.testing.FallbackJudge;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryPlatform;
import io.jenkins.plugins.progressive.rollout.testing.VirtualClock;
import io.jenkins.plugins.progressive.snapshot.DirectorySnapshotStore;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.SnapshotKey;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary rollout whose spec has {@code snapshot.enabled} on a Kubernetes target: the driver binds the kubernetes
 * module's pre-rollout snapshot (objects read from the test API server; workload and router are core's in-memory
 * platform on a virtual clock), with its key from the credential the step named and its {@code file:} store in the
 * workspace.
 */
class RolloutSnapshotTest {

    private static final byte[] KEY = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @TempDir
    Path dir;

    private final VirtualClock clock = new VirtualClock();
    private final InMemoryPlatform platform = new InMemoryPlatform(clock, 4, "1.4.1", false);
    private final AtomicInteger keyReads = new AtomicInteger();
    private final RolloutDriver.CredentialLookup credentials = id -> {
        if (id.equals("snapshot-key")) {
            keyReads.incrementAndGet();
            return new RolloutDriver.Credential.Token(Base64.getEncoder().encodeToString(KEY));
        }
        throw new AbortException("credential '" + id + "' does not exist, or this build may not use it");
    };

    private static final String SPEC = """
            {"name": "shop", "version": "1.4.2",
             "target": {"kubernetes": {"namespace": "prod", "deployment": "shop", "image": "registry/shop"}},
             "strategy": {"canary": {"steps": [{"setWeight": 50}, {"setWeight": 100}]}},
             "snapshot": {"enabled": true, "store": "file:.progressive/snapshots"}}
            """;

    /** The spec names no cluster: the test API server's client stands for the controller's own account. */
    private static final ControllerAccess KUBERNETES_IDENTITY = new ControllerAccess(false, List.of(), true);

    private EngineDriver driver(KubernetesClient client) {
        Contexts contexts = new Contexts();
        SpecPlatforms platforms = new SpecPlatforms(contexts, dir.resolve("local"), () -> KUBERNETES_IDENTITY);
        return new EngineDriver(new DirectoryStateStore(dir.resolve("state")),
                new DirectoryStateStore(dir.resolve("requests")), contexts,
                spec -> new Platform(platform, platform, platform, platforms.snapshots(client, spec, spec.lockKey())),
                key -> platform, (work, delay) -> { }, clock, FallbackJudge.INSTANCE,
                b -> b.pollInterval(Duration.ofSeconds(1)).commandPollInterval(Duration.ofSeconds(5)),
                () -> KUBERNETES_IDENTITY);
    }

    private void seed(KubernetesClient client) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build())
                .create();
        client.secrets().inNamespace("prod").resource(new SecretBuilder().withNewMetadata().withName("shop-db")
                .endMetadata().addToData("password", Base64.getEncoder().encodeToString(
                        "s3cret".getBytes(StandardCharsets.UTF_8))).build()).create();
        client.apps().deployments().inNamespace("prod").resource(new DeploymentBuilder().withNewMetadata()
                .withName("shop").endMetadata().withNewSpec().withReplicas(4).withNewSelector()
                .addToMatchLabels("app", "shop").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "shop").endMetadata().withNewSpec().addNewContainer().withName("shop")
                .withImage("registry/shop:1.4.1").addNewEnv().withName("DB_PASSWORD").withNewValueFrom()
                .withNewSecretKeyRef("password", "shop-db", false).endValueFrom().endEnv().endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
    }

    private RolloutDriver.Outcome runToEnd(EngineDriver driver, Map<String, String> options) throws Exception {
        RolloutSpec spec = SpecReader.fromTree(new ObjectMapper().readTree(SPEC));
        String key = driver.start(new RolloutDriver.Request(RolloutDriver.Operation.ROLLOUT,
                new RolloutDriver.Work.Rollout(spec), Optional.empty(), options, credentials)).key();
        for (int i = 0; i < 10_000; i++) {
            RolloutDriver.Tick tick = driver.advance(key, credentials);
            if (tick instanceof RolloutDriver.Tick.Done done) {
                return done.outcome();
            }
            clock.advance(((RolloutDriver.Tick.Wait) tick).after());
        }
        throw new AssertionError("the rollout did not end");
    }

    @Test
    void aCanaryRolloutSnapshotsBeforeItsFirstActionAndReportsTheSnapshotId() throws Exception {
        KubernetesClient client = api.client();
        seed(client);

        RolloutDriver.Outcome outcome = runToEnd(driver(client), Map.of("encryptionKeyCredentialsId", "snapshot-key",
                RolloutDriver.Request.WORKSPACE, dir.resolve("workspace").toString()));

        assertThat(outcome.succeeded()).as(outcome.reason()).isTrue();
        assertThat(outcome.snapshotId()).matches("\\d{8}T\\d{9}Z-[0-9a-f]{6}");
        Manifest manifest = Snapshots.show(new DirectorySnapshotStore(dir.resolve("workspace/.progressive/snapshots")),
                outcome.snapshotId());
        assertThat(manifest.name()).isEqualTo("shop");
        assertThat(manifest.counts()).containsEntry("Deployment.apps", 1).containsEntry("Secret", 1);
        assertThat(manifest.keyIds()).as("the Secret the pod template references is sealed with the credential's key")
                .containsExactly(SnapshotKey.of(KEY).id());
        assertThat(keyReads).hasPositiveValue();
    }

    @Test
    void aRelativeStoreWithoutAWorkspaceOnTheControllerIsRefusedBeforeAnythingChanges() {
        KubernetesClient client = api.client();
        seed(client);

        assertThatThrownBy(() -> runToEnd(driver(client), Map.of("encryptionKeyCredentialsId", "snapshot-key")))
                .isInstanceOf(AbortException.class).hasMessageContaining("snapshot.store")
                .hasMessageContaining("relative to the workspace");
        assertThat(platform.calls()).as("no action on the target").isEmpty();
    }
}
