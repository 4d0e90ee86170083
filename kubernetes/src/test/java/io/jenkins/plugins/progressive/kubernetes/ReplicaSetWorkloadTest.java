package io.jenkins.plugins.progressive.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.kubernetes.controller.DeploymentController;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.spec.Target;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Deployment's own ReplicaSets as the two roles of a rolling update. Whole rollouts: RollingE2eTest. */
class ReplicaSetWorkloadTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    private final Target.Kubernetes target = new Target.Kubernetes("prod", "shop", "shop", "registry/shop");
    private final AtomicInteger changes = new AtomicInteger();
    private KubernetesClient client;
    private DeploymentController controller;
    private ReplicaSetWorkload workload;

    @BeforeEach
    void setUp() {
        api.createNamespace("prod");
        client = api.client();
        controller = new DeploymentController(api.client(), Duration.ofMillis(50)).start();
        Fixtures.createReadyShop(client, "registry/shop:1.0", 3);
        workload = new ReplicaSetWorkload(client, target, changes::incrementAndGet);
    }

    @AfterEach
    void tearDown() {
        workload.close();
        controller.close();
    }

    private Deployment shop() {
        return client.apps().deployments().inNamespace("prod").withName("shop").get();
    }

    private List<ReplicaSet> replicaSets() {
        return client.apps().replicaSets().inNamespace("prod").list().getItems();
    }

    @Test
    void theFirstNewInstanceHoldsTheDeploymentAndStartsAReplicaSetItsControllerTakesAsItsOwn() {
        Deployment before = shop();
        assertThat(workload.status(Role.STABLE).isReady("1.0", 3)).isTrue();
        assertThat(workload.status(Role.CANARY)).isEqualTo(RoleStatus.NONE);
        int seen = changes.get();

        workload.scale(Role.CANARY, "2.0", 1);

        await().atMost(Duration.ofSeconds(10)).until(() -> workload.status(Role.CANARY).isReady("2.0", 1));
        assertThat(changes.get()).as("watch callbacks").isGreaterThan(seen);
        assertThat(workload.status(Role.STABLE).isReady("1.0", 3)).isTrue();
        Deployment held = shop();
        assertThat(held.getSpec().getPaused()).isTrue();
        assertThat(held.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(held.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry/shop:2.0");
        assertThat(held.getSpec().getReplicas()).isEqualTo(3);
        assertThat(replicaSets()).hasSize(2).allSatisfy(rs -> assertThat(rs.getMetadata().getOwnerReferences())
                .singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo(before.getMetadata().getUid())));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(shop().getStatus().getUpdatedReplicas())
                .as("the controller counts the new ReplicaSet's Pods as up to date").isEqualTo(1));
        assertThat(workload.size()).isEqualTo(3);
    }

    @Test
    void everyCallAgainChangesNothing() {
        workload.scale(Role.CANARY, "2.0", 1);
        workload.scale(Role.STABLE, "1.0", 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> workload.status(Role.CANARY).isReady("2.0", 1)
                && workload.status(Role.STABLE).isReady("1.0", 2));
        // What the workload writes (the controller keeps writing status and its own annotations meanwhile).
        String deployment = written(shop());
        List<String> sets = replicaSets().stream().map(ReplicaSetWorkloadTest::written).toList();

        new ReplicaSetWorkload(client, target, null).scale(Role.CANARY, "2.0", 1);
        workload.scale(Role.STABLE, "1.0", 2);

        assertThat(written(shop())).isEqualTo(deployment);
        assertThat(replicaSets().stream().map(ReplicaSetWorkloadTest::written).toList()).isEqualTo(sets);
    }

    private static String written(Deployment d) {
        return d.getMetadata().getGeneration() + " " + d.getMetadata().getAnnotations().get(
                ReplicaSetWorkload.HOLD_ANNOTATION);
    }

    private static String written(ReplicaSet rs) {
        return rs.getMetadata().getName() + " generation " + rs.getMetadata().getGeneration();
    }

    @Test
    void anotherVersionWhileHeldIsRefusedAndChangesNothing() {
        workload.scale(Role.CANARY, "2.0", 1);
        String deployment = written(shop());

        assertThatThrownBy(() -> workload.scale(Role.CANARY, "3.0", 1)).isInstanceOf(ClusterException.class)
                .hasMessage("deployment prod/shop is held by an unfinished rolling update to 2.0 (annotation "
                        + "progressive.jenkins.io/rolling-update); finish or roll back that one first");
        assertThat(written(shop())).isEqualTo(deployment);
        assertThat(replicaSets()).hasSize(2);
    }

    @Test
    void rollingBackPutsThePreviousTemplateStrategyAndPauseBack() {
        Deployment before = shop();
        workload.scale(Role.CANARY, "2.0", 2);
        workload.scale(Role.STABLE, "1.0", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> workload.status(Role.CANARY).isReady("2.0", 2));

        workload.scale(Role.STABLE, "1.0", 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> workload.status(Role.STABLE).isReady("1.0", 3));
        workload.scale(Role.CANARY, "2.0", 0);

        Deployment after = shop();
        assertThat(after.getSpec().getTemplate()).isEqualTo(before.getSpec().getTemplate());
        assertThat(after.getSpec().getStrategy()).isEqualTo(before.getSpec().getStrategy());
        assertThat(after.getSpec().getPaused()).isEqualTo(before.getSpec().getPaused());
        assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(ReplicaSetWorkload.HOLD_ANNOTATION);
        await().atMost(Duration.ofSeconds(10)).until(() -> workload.status(Role.STABLE).isReady("1.0", 3)
                && workload.status(Role.CANARY).isReady("2.0", 0));
        assertThat(replicaSets()).extracting(rs -> rs.getSpec().getReplicas()).containsExactlyInAnyOrder(3, 0);
    }

    @Test
    void shrinkingTheOldReplicaSetBeforeAnyNewInstanceIsRefused() {
        assertThatThrownBy(() -> workload.scale(Role.STABLE, "1.0", 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scales the new ReplicaSet before the old one");
        assertThat(shop().getSpec().getReplicas()).isEqualTo(3);
    }
}
