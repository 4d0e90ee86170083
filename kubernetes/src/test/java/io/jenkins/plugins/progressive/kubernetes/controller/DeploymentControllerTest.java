package io.jenkins.plugins.progressive.kubernetes.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeploymentControllerTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    private KubernetesClient client;
    private DeploymentController controller;

    @BeforeEach
    void setUp() {
        api.createNamespace("prod");
        client = api.client();
        controller = new DeploymentController(api.client(), Duration.ofMillis(50)).start();
    }

    @AfterEach
    void tearDown() {
        controller.close();
    }

    private static Deployment deployment(String image, int replicas) {
        return new DeploymentBuilder().withNewMetadata().withName("shop").withNamespace("prod").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "shop").endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate()
                .endStrategy().withNewTemplate().withNewMetadata().addToLabels("app", "shop").endMetadata()
                .withNewSpec().addNewContainer().withName("shop").withImage(image).endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    private Deployment shop() {
        return client.apps().deployments().inNamespace("prod").withName("shop").get();
    }

    @Test
    void createsAReplicaSetAndReadyPodsAndReportsStatus() {
        client.apps().deployments().inNamespace("prod").resource(deployment("shop:1", 3)).create();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Deployment d = shop();
            assertThat(d.getStatus()).isNotNull();
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
            assertThat(d.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Progressing")
                    && c.getReason().equals("NewReplicaSetAvailable"));
        });
        var rs = client.apps().replicaSets().inNamespace("prod").list().getItems();
        assertThat(rs).hasSize(1);
        assertThat(rs.get(0).getMetadata().getName()).startsWith("shop-");
        assertThat(rs.get(0).getMetadata().getOwnerReferences().get(0).getName()).isEqualTo("shop");
        assertThat(client.pods().inNamespace("prod").withLabel("app", "shop").list().getItems()).hasSize(3)
                .allMatch(DeploymentController::isReady);
    }

    @Test
    void rollingUpdateNeverDropsBelowDesiredWithMaxUnavailableZero() {
        client.apps().deployments().inNamespace("prod").resource(deployment("shop:1", 3)).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> shop().getStatus() != null
                && Integer.valueOf(3).equals(shop().getStatus().getReadyReplicas()));
        AtomicInteger minReady = new AtomicInteger(3);
        var samples = new CopyOnWriteArrayList<Integer>();
        client.apps().deployments().inNamespace("prod").withName("shop").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("shop:2");
            return d;
        });
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            long ready = client.pods().inNamespace("prod").list().getItems().stream()
                    .filter(DeploymentController::isReady).count();
            samples.add((int) ready);
            minReady.accumulateAndGet((int) ready, Math::min);
            Deployment d = shop();
            assertThat(d.getStatus().getObservedGeneration()).as("status is about the new template")
                    .isEqualTo(d.getMetadata().getGeneration());
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
            assertThat(d.getStatus().getReplicas()).isEqualTo(3);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
        });
        assertThat(minReady.get()).as("ready pods sampled during the update: %s", samples).isGreaterThanOrEqualTo(3);
        assertThat(client.pods().inNamespace("prod").list().getItems()).hasSize(3)
                .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("shop:2"));
        assertThat(client.apps().replicaSets().inNamespace("prod").list().getItems()).hasSize(2);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {DeploymentController.IMAGE_PULL_BACK_OFF,
            DeploymentController.CRASH_LOOP_BACK_OFF})
    void aFailingImageLeavesPodsWaitingWithAReasonAndAWarningEvent(String reason) {
        controller.failImage("shop:bad", reason);
        Deployment d = deployment("shop:bad", 1);
        d.getSpec().setProgressDeadlineSeconds(1);
        client.apps().deployments().inNamespace("prod").resource(d).create();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var pods = client.pods().inNamespace("prod").list().getItems();
            assertThat(pods).hasSize(1);
            Pod pod = pods.get(0);
            assertThat(pod.getStatus().getContainerStatuses()).isNotEmpty();
            assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
                    .isEqualTo(reason);
            assertThat(client.v1().events().inNamespace("prod").withField("involvedObject.name",
                    pod.getMetadata().getName()).list().getItems()).anyMatch(e -> e.getType().equals("Warning")
                            && e.getMessage().contains(reason.equals(DeploymentController.IMAGE_PULL_BACK_OFF)
                                    ? "shop:bad" : pod.getMetadata().getName()));
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(shop().getStatus().getConditions())
                .anyMatch(c -> c.getType().equals("Progressing") && c.getReason().equals("ProgressDeadlineExceeded")));
        assertThat(shop().getStatus().getReadyReplicas()).isIn(null, 0);
    }

    @Test
    void scalingDownRemovesPods() {
        client.apps().deployments().inNamespace("prod").resource(deployment("shop:1", 3)).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> shop().getStatus() != null
                && Integer.valueOf(3).equals(shop().getStatus().getReadyReplicas()));
        client.apps().deployments().inNamespace("prod").withName("shop").scale(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(client.pods().inNamespace("prod").list().getItems()).hasSize(1);
            assertThat(shop().getStatus().getObservedGeneration()).isEqualTo(shop().getMetadata().getGeneration());
            assertThat(shop().getStatus().getReplicas()).isEqualTo(1);
        });
    }
}
