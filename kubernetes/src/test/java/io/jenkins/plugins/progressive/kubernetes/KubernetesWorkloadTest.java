package io.jenkins.plugins.progressive.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.kubernetes.controller.DeploymentController;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.spec.Target;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KubernetesWorkloadTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    private final Target.Kubernetes target = new Target.Kubernetes("prod", "shop", "shop", "registry/shop");
    private final AtomicInteger changes = new AtomicInteger();
    private KubernetesClient client;
    private DeploymentController controller;
    private KubernetesWorkload workload;

    @BeforeEach
    void setUp() {
        api.createNamespace("prod");
        client = api.client();
        controller = new DeploymentController(api.client(), Duration.ofMillis(50)).start();
        Fixtures.createReadyShop(client, "registry/shop:1.0", 3);
        workload = new KubernetesWorkload(client, target, changes::incrementAndGet);
    }

    @AfterEach
    void tearDown() {
        workload.close();
        controller.close();
    }

    private Deployment get(String name) {
        return client.apps().deployments().inNamespace("prod").withName(name).get();
    }

    @Test
    void readsTheStableRoleFromTheDeployment() {
        assertThat(workload.size()).isEqualTo(3);
        RoleStatus stable = workload.status(Role.STABLE);
        assertThat(stable.version()).contains("1.0");
        assertThat(stable.isReady("1.0", 3)).isTrue();
        assertThat(workload.status(Role.CANARY)).isEqualTo(RoleStatus.NONE);
    }

    @Test
    void aCanaryDeploymentBesideTheStableBecomesReadyAndWakesTheEngine() {
        int before = changes.get();
        workload.scale(Role.CANARY, "1.1", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> workload.status(Role.CANARY).isReady("1.1", 1));
        assertThat(changes.get()).as("watch callbacks").isGreaterThan(before);

        Deployment canary = get("shop-canary");
        assertThat(canary.getSpec().getSelector().getMatchLabels())
                .containsEntry("app", "shop").containsEntry(KubernetesWorkload.ROLE_LABEL, "canary");
        assertThat(canary.getSpec().getTemplate().getSpec().getContainers())
                .extracting(c -> c.getName() + "=" + c.getImage())
                .containsExactly("shop=registry/shop:1.1", "envoy=envoy:1.30");
        assertThat(client.pods().inNamespace("prod").withLabel("app", "shop").list().getItems())
                .as("a Service selecting app=shop sees both roles").hasSize(4);

        String rv = get("shop-canary").getMetadata().getResourceVersion();
        workload.scale(Role.CANARY, "1.1", 1);
        assertThat(get("shop-canary").getMetadata().getResourceVersion()).as("idempotent").isEqualTo(rv);
    }

    @Test
    void promotionPutsTheVersionOnTheStableAndRemovingTheCanaryDeletesIt() {
        workload.scale(Role.CANARY, "1.1", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> workload.status(Role.CANARY).isReady("1.1", 1));
        workload.scale(Role.STABLE, "1.1", 3);
        await().atMost(Duration.ofSeconds(15)).until(() -> workload.status(Role.STABLE).isReady("1.1", 3));
        assertThat(get("shop").getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry(KubernetesWorkload.ROLE_LABEL, "stable");
        workload.scale(Role.CANARY, "1.1", 0);
        assertThat(get("shop-canary")).isNull();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(workload.status(Role.CANARY))
                .isEqualTo(RoleStatus.NONE));
        assertThat(workload.status(Role.CANARY).isReady("1.1", 0)).isTrue();
    }

    @Test
    void aFailingCanarySurfacesTheWaitingReasonAndTheEvent() {
        controller.failImage("registry/shop:2.0", DeploymentController.IMAGE_PULL_BACK_OFF);
        workload.scale(Role.CANARY, "2.0", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> workload.status(Role.CANARY).failure().isPresent()
                && workload.status(Role.CANARY).failure().get().contains("event"));
        RoleStatus canary = workload.status(Role.CANARY);
        assertThat(canary.isReady("2.0", 1)).isFalse();
        assertThat(canary.failure().get()).contains("ImagePullBackOff", "registry/shop:2.0",
                "Failed to pull image");
    }

    @Test
    void aFirstErrImagePullIsRetriedByTheKubeletAndIsNotYetAFailure() {
        controller.failImage("registry/shop:2.0", DeploymentController.ERR_IMAGE_PULL);
        workload.scale(Role.CANARY, "2.0", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace("prod")
                .withLabel(KubernetesWorkload.ROLE_LABEL, "canary").list().getItems().stream()
                .anyMatch(p -> p.getStatus().getContainerStatuses() != null && !p.getStatus()
                        .getContainerStatuses().isEmpty()));
        RoleStatus canary = workload.status(Role.CANARY);
        assertThat(canary.isReady("2.0", 1)).isFalse();
        assertThat(canary.failure()).as("ErrImagePull alone may pass on the next pull").isEmpty();

        // When it keeps failing the kubelet backs off, and that fails the step.
        controller.failImage("registry/shop:2.1", DeploymentController.IMAGE_PULL_BACK_OFF);
        workload.scale(Role.CANARY, "2.1", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> workload.status(Role.CANARY).failure().isPresent());
        assertThat(workload.status(Role.CANARY).failure().get()).contains("is waiting: ImagePullBackOff");
    }

    @Test
    void aFailingPodIsReportedWithItsWarningEventWhichIsWaitedForABit() {
        controller.close(); // this test plays the kubelet, which records its Event after the status here
        workload.scale(Role.CANARY, "2.0", 1);
        Pod pod = client.pods().inNamespace("prod").resource(new PodBuilder().withNewMetadata()
                .withName("shop-canary-7d4f9-x2k8q").addToLabels("app", "shop")
                .addToLabels(KubernetesWorkload.ROLE_LABEL, "canary").endMetadata().withNewSpec().addNewContainer()
                .withName("shop").withImage("registry/shop:2.0").endContainer().endSpec().build()).create();
        pod.setStatus(new PodStatusBuilder().withPhase("Running").addNewContainerStatus().withName("shop")
                .withImage("registry/shop:2.0").withReady(false).withRestartCount(2).withNewState().withNewWaiting()
                .withReason("CrashLoopBackOff").withMessage("back-off 20s restarting failed container").endWaiting()
                .endState().endContainerStatus().build());
        client.pods().inNamespace("prod").resource(pod).updateStatus();

        assertThat(workload.status(Role.CANARY).failure()).as("no Warning Event yet: wait for it").isEmpty();
        // An Event that never comes holds the failure back for EVENT_GRACE only.
        await().atMost(KubernetesWorkload.EVENT_GRACE.plusSeconds(10)).until(() -> workload.status(Role.CANARY)
                .failure().isPresent());
        assertThat(workload.status(Role.CANARY).failure().get()).isEqualTo("pod shop-canary-7d4f9-x2k8q: container "
                + "shop is waiting: CrashLoopBackOff (back-off 20s restarting failed container)");

        client.v1().events().inNamespace("prod").resource(new EventBuilder().withNewMetadata()
                .withName("shop-canary-7d4f9-x2k8q.1").endMetadata().withNewInvolvedObject().withKind("Pod")
                .withName("shop-canary-7d4f9-x2k8q").withNamespace("prod").endInvolvedObject().withType("Warning")
                .withReason("BackOff").withMessage("Back-off restarting failed container shop").build()).create();
        assertThat(workload.status(Role.CANARY).failure().get())
                .endsWith("; event BackOff: Back-off restarting failed container shop");
    }

    @Test
    void aStatusTheControllerHasNotCaughtUpWithIsNotCountedAsReady() {
        controller.close(); // nobody observes the next generation
        client.apps().deployments().inNamespace("prod").withName("shop").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("registry/shop:1.1");
            return d;
        });
        Deployment d = get("shop");
        assertThat(d.getStatus().getObservedGeneration()).isLessThan(d.getMetadata().getGeneration());
        assertThat(d.getStatus().getReadyReplicas()).as("the old generation's ready Pods").isEqualTo(3);

        RoleStatus stable = workload.status(Role.STABLE);
        assertThat(stable.version()).contains("1.1");
        assertThat(stable.updated()).isZero();
        assertThat(stable.ready()).isZero();
        assertThat(stable.isReady("1.1", 3)).isFalse();
    }

    @Test
    void aConflictingWriteIsReadAgainAndRetriedKeepingTheOtherWritersChange() {
        api.raceNextUpdate("apps", "deployments", "prod", "shop");
        workload.scale(Role.STABLE, "1.1", 3);
        Deployment d = get("shop");
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry/shop:1.1");
        assertThat(d.getMetadata().getAnnotations())
                .containsEntry("test.progressive.jenkins.io/concurrent-write", "true")
                .containsEntry(KubernetesWorkload.VERSION_ANNOTATION, "1.1");
    }

    @Test
    void theSizeRecordedAtTheStartSurvivesADriverRestart() {
        workload.scale(Role.STABLE, "1.0", 2);
        workload.close();
        KubernetesWorkload restarted = new KubernetesWorkload(client, target, null);
        assertThat(restarted.size()).isEqualTo(3);
        restarted.scale(Role.STABLE, "1.0", 3);
        assertThat(get("shop").getMetadata().getAnnotations()).doesNotContainKey(KubernetesWorkload.SIZE_ANNOTATION);
    }

    @Test
    void clearErrorsForMissingObjectsContainersAndRbac() {
        assertThatThrownBy(() -> new KubernetesWorkload(client, new Target.Kubernetes("prod", "nope", "shop",
                "registry/shop"), null)).isInstanceOf(ClusterException.class)
                .hasMessage("deployment prod/nope not found");
        assertThatThrownBy(() -> new KubernetesWorkload(client, new Target.Kubernetes("prod", "shop", "web",
                "registry/shop"), null)).hasMessage("deployment prod/shop has no container named 'web' "
                        + "(containers: shop, envoy)");
        api.deny("update", "apps", "deployments", "prod");
        assertThatThrownBy(() -> workload.scale(Role.STABLE, "1.1", 3)).isInstanceOf(ClusterException.class)
                .hasMessageContaining("deployments.apps \"shop\" is forbidden: User "
                        + "\"system:serviceaccount:ci:jenkins\" cannot update resource \"deployments\" in API group "
                        + "\"apps\" in the namespace \"prod\"");
        assertThat(get("shop").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry/shop:1.0");
    }

    @Test
    void aFixedImageReferenceIsDeployedAsIsAndTheVersionComesFromTheAnnotation() {
        Target.Kubernetes pinned = new Target.Kubernetes("prod", "shop", "shop", "registry/shop@sha256:abc");
        KubernetesWorkload w = new KubernetesWorkload(client, pinned, null);
        w.scale(Role.CANARY, "7.0", 1);
        assertThat(get("shop-canary").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry/shop@sha256:abc");
        assertThat(w.status(Role.CANARY).version()).isEqualTo(Optional.of("7.0"));
        w.close();
    }
}
