package io.jenkins.plugins.progressive.kubernetes.snapshot;

import static io.jenkins.plugins.progressive.rollout.testing.Specs.analysis;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.canary;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.weight;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.rollout.Next;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.Platform;
import io.jenkins.plugins.progressive.rollout.RolloutEngine;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.testing.FallbackJudge;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryPlatform;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryStateStore;
import io.jenkins.plugins.progressive.rollout.testing.Specs;
import io.jenkins.plugins.progressive.rollout.testing.VirtualClock;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.SnapshotKey;
import io.jenkins.plugins.progressive.spec.OnFailure;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine with the Kubernetes snapshot: the snapshot is taken before the first action, and when a gate
 * fails the rollback puts back what the release changed beyond traffic and scaling (here a ConfigMap the
 * pod template uses). Workload, router and metrics are core's in-memory platform on a virtual clock.
 */
class RollbackRestoresSnapshotTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @TempDir
    Path dir;

    @Test
    void aFailedGateRollsBackAndRestoresTheObjectsTheReleaseChanged() {
        KubernetesClient client = api.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build())
                .create();
        client.configMaps().inNamespace("prod").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("shop-config").endMetadata().addToData("feature", "off").build()).create();
        client.apps().deployments().inNamespace("prod").resource(new DeploymentBuilder().withNewMetadata()
                .withName("shop").endMetadata().withNewSpec().withReplicas(4).withNewSelector()
                .addToMatchLabels("app", "shop").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "shop").endMetadata().withNewSpec().addNewContainer().withName("shop")
                .withImage("registry/shop:1.0").addNewEnvFrom().withNewConfigMapRef("shop-config", false).endEnvFrom()
                .endContainer().endSpec().endTemplate().endSpec().build()).create();

        RolloutSpec base = Specs.spec(canary(weight(25), analysis("error-rate"), weight(50)))
                .template(Specs.template("error-rate", "result < 0.01", "result >= 0.05", 2, Duration.ofSeconds(30)))
                .onFailure(OnFailure.ROLLBACK).build();
        RolloutSpec spec = new RolloutSpec(base.name(), base.version(),
                new Target.Kubernetes("prod", "shop", "shop", "registry/shop"), base.traffic(), base.strategy(),
                base.analysis(), base.backgroundAnalysis(), base.onFailure(), new SnapshotSpec(true,
                        "file:" + dir.resolve("snapshots"), List.of(), List.of(), Optional.empty(), List.of(),
                        Optional.empty(), List.of(), List.of()));
        VirtualClock clock = new VirtualClock();
        InMemoryPlatform platform = new InMemoryPlatform(clock, 4, "1.0", true);
        platform.metrics((t, at, v) -> MetricValue.of(0.2));
        KubernetesRolloutSnapshots snapshots = new KubernetesRolloutSnapshots(client, spec,
                KeyProvider.of(SnapshotKey.of(new byte[32])), Path.of(""));
        RolloutEngine engine = RolloutEngine.builder(new InMemoryStateStore(),
                        s -> new Platform(platform, platform, platform, snapshots))
                .clock(clock).judge(FallbackJudge.INSTANCE).pollInterval(Duration.ofSeconds(1))
                .commandPollInterval(Duration.ofSeconds(5)).progressDeadline(Duration.ofMinutes(2)).build();

        engine.start(spec);
        String key = spec.lockKey();
        boolean changed = false;
        RolloutResult result = null;
        for (int i = 0; i < 10_000 && result == null; i++) {
            Next n = engine.advance(key);
            if (n.isDone()) {
                result = n.result();
            } else {
                clock.set(n.wakeAt());
            }
            var state = engine.status(key).orElseThrow();
            if (!platform.calls().isEmpty() && !changed) {
                // The first action on the platform comes after the snapshot; then the release changes the config.
                assertThat(state.snapshotId()).isNotNull();
                client.configMaps().inNamespace("prod").withName("shop-config").edit(c -> {
                    c.getData().put("feature", "on");
                    return c;
                });
                changed = true;
            }
        }

        assertThat(changed).isTrue();
        assertThat(result).isNotNull();
        assertThat(result.status()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(result.snapshotId()).matches("\\d{8}T\\d{9}Z-[0-9a-f]{6}");
        assertThat(client.configMaps().inNamespace("prod").withName("shop-config").get().getData())
                .containsEntry("feature", "off");
    }
}
