package io.jenkins.plugins.progressive.kubernetes.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
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

    // ------------------------------------------------------------ paused Deployments and hand-made ReplicaSets

    private Deployment edit(UnaryOperator<Deployment> change) {
        return client.apps().deployments().inNamespace("prod").withName("shop").edit(change);
    }

    private Deployment pauseWithImage(String image) {
        return edit(d -> {
            d.getSpec().setPaused(true);
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
            return d;
        });
    }

    private void resume() {
        edit(d -> {
            d.getSpec().setPaused(false);
            return d;
        });
    }

    private void awaitRolledOut(int replicas) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Deployment d = shop();
            assertThat(d.getStatus()).isNotNull();
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(replicas);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(replicas);
            assertThat(progressing(d).getReason()).isEqualTo("NewReplicaSetAvailable");
        });
    }

    /** What `kubectl get deploy shop` and `kubectl describe` show once the controller has seen the paused spec. */
    private void awaitPausedAndObserved() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Deployment d = shop();
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
            DeploymentCondition progressing = progressing(d);
            assertThat(progressing.getReason()).isEqualTo("DeploymentPaused");
            assertThat(progressing.getStatus()).isEqualTo("Unknown");
            assertThat(progressing.getMessage()).isEqualTo("Deployment is paused");
        });
    }

    private static DeploymentCondition progressing(Deployment d) {
        return d.getStatus().getConditions().stream().filter(c -> c.getType().equals("Progressing")).findFirst()
                .orElseThrow();
    }

    private List<ReplicaSet> replicaSets() {
        return client.apps().replicaSets().inNamespace("prod").list().getItems();
    }

    private ReplicaSet replicaSet(String name) {
        return client.apps().replicaSets().inNamespace("prod").withName(name).get();
    }

    private void scaleReplicaSet(String name, int replicas) {
        client.apps().replicaSets().inNamespace("prod").withName(name).scale(replicas);
    }

    /**
     * A ReplicaSet made by hand as our rollout engine makes it: controlled by the Deployment, with its pod template
     * plus a pod-template-hash of our own choosing (not the controller's), named after it.
     */
    private ReplicaSet createHandMade(String hash, int replicas, Map<String, String> annotations) {
        Deployment d = shop();
        PodTemplateSpec template = Serialization.clone(d.getSpec().getTemplate());
        template.getMetadata().getLabels().put("pod-template-hash", hash);
        Map<String, String> selector = new LinkedHashMap<>(d.getSpec().getSelector().getMatchLabels());
        selector.put("pod-template-hash", hash);
        return client.apps().replicaSets().inNamespace("prod").resource(new ReplicaSetBuilder().withNewMetadata()
                .withName("shop-" + hash).withLabels(template.getMetadata().getLabels()).withAnnotations(annotations)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                        .withName("shop").withUid(d.getMetadata().getUid()).withController(true)
                        .withBlockOwnerDeletion(true).build())
                .endMetadata().withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(selector)
                .endSelector().withTemplate(template).endSpec().build()).create();
    }

    /**
     * Waits until the controller has finished a whole pass that began after this call: it copies a Deployment
     * annotation onto the new ReplicaSet (as the real one does), and passes run one after the other, so once a second
     * mark arrives the pass that copied the first one is over.
     */
    private void awaitTwoPasses(String newReplicaSet) {
        for (int i = 0; i < 2; i++) {
            String mark = Long.toString(System.nanoTime());
            edit(d -> {
                d.getMetadata().getAnnotations().put("example.com/mark", mark);
                return d;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> mark.equals(replicaSet(newReplicaSet).getMetadata()
                    .getAnnotations().get("example.com/mark")));
        }
    }

    private static Deployment recreate(String image, int replicas) {
        Deployment d = deployment(image, replicas);
        d.getSpec().getStrategy().setType("Recreate");
        d.getSpec().getStrategy().setRollingUpdate(null);
        return d;
    }

    @Test
    void anOrphanedReplicaSetWithTheDeploymentsTemplateIsAdoptedAsItsNewOne() {
        Deployment spec = deployment("shop:1", 2);
        PodTemplateSpec template = Serialization.clone(spec.getSpec().getTemplate());
        template.getMetadata().getLabels().put("pod-template-hash", "4d8f6b2c7");
        client.apps().replicaSets().inNamespace("prod").resource(new ReplicaSetBuilder().withNewMetadata()
                .withName("shop-4d8f6b2c7").withLabels(template.getMetadata().getLabels()).endMetadata().withNewSpec()
                .withReplicas(1).withNewSelector().withMatchLabels(template.getMetadata().getLabels()).endSelector()
                .withTemplate(template).endSpec().build()).create();

        client.apps().deployments().inNamespace("prod").resource(spec).create();

        awaitRolledOut(2);
        assertThat(replicaSets()).extracting(rs -> rs.getMetadata().getName()).containsExactly("shop-4d8f6b2c7");
        ReplicaSet adopted = replicaSet("shop-4d8f6b2c7");
        assertThat(adopted.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getUid()).isEqualTo(shop().getMetadata().getUid());
            assertThat(o.getController()).isTrue();
        });
        assertThat(adopted.getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void aPausedDeploymentWhoseTemplateChangedGetsNoNewReplicaSet() {
        client.apps().deployments().inNamespace("prod").resource(deployment("shop:1", 2)).create();
        awaitRolledOut(2);
        String old = replicaSets().get(0).getMetadata().getName();

        pauseWithImage("shop:2");

        awaitPausedAndObserved();
        assertThat(shop().getStatus().getUpdatedReplicas()).as("no pod runs the paused template").isZero();
        assertThat(replicaSets()).extracting(rs -> rs.getMetadata().getName()).containsExactly(old);
        assertThat(replicaSet(old).getSpec().getReplicas()).isEqualTo(2);
        assertThat(client.pods().inNamespace("prod").list().getItems()).hasSize(2)
                .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("shop:1"));
    }

    @Test
    void aHandMadeReplicaSetWithTheDeploymentsTemplateIsItsNewOne() {
        client.apps().deployments().inNamespace("prod").resource(deployment("shop:1", 3)).create();
        awaitRolledOut(3);
        String old = replicaSets().get(0).getMetadata().getName();
        pauseWithImage("shop:2");
        awaitPausedAndObserved();

        createHandMade("7c5d9f8b4", 0, Map.of());
        // As getNewReplicaSet: the new ReplicaSet's revision goes above the old one's, and the Deployment's follows.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(replicaSet("shop-7c5d9f8b4").getMetadata().getAnnotations())
                    .containsEntry("deployment.kubernetes.io/revision", "2");
            assertThat(shop().getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "2");
        });
        resume();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Deployment d = shop();
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
            assertThat(d.getStatus().getReplicas()).isEqualTo(3);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
            assertThat(progressing(d).getReason()).isEqualTo("NewReplicaSetAvailable");
            assertThat(progressing(d).getMessage()).isEqualTo("ReplicaSet \"shop-7c5d9f8b4\" has successfully progressed.");
        });
        assertThat(replicaSets()).extracting(rs -> rs.getMetadata().getName())
                .containsExactlyInAnyOrder(old, "shop-7c5d9f8b4");
        assertThat(replicaSet(old).getSpec().getReplicas()).isZero();
        assertThat(replicaSet("shop-7c5d9f8b4").getSpec().getReplicas()).isEqualTo(3);
        assertThat(client.pods().inNamespace("prod").list().getItems()).hasSize(3)
                .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("shop:2")
                        && "7c5d9f8b4".equals(p.getMetadata().getLabels().get("pod-template-hash")));
    }

    @Test
    void aPausedRecreateDeploymentLeavesTwoActiveReplicaSetsAsTheyAre() {
        client.apps().deployments().inNamespace("prod").resource(recreate("shop:1", 4)).create();
        awaitRolledOut(4);
        String old = replicaSets().get(0).getMetadata().getName();
        pauseWithImage("shop:2");
        awaitPausedAndObserved();

        // 3 + 2 is not the 4 replicas: a RollingUpdate Deployment would be scaled in proportion, a Recreate one is not.
        createHandMade("5b8d7f9c2", 2, Map.of());
        scaleReplicaSet(old, 3);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Deployment d = shop();
            assertThat(d.getStatus().getReplicas()).isEqualTo(5);
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(2);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(5);
        });
        awaitTwoPasses("shop-5b8d7f9c2");
        assertThat(replicaSet(old).getSpec().getReplicas()).isEqualTo(3);
        assertThat(replicaSet("shop-5b8d7f9c2").getSpec().getReplicas()).isEqualTo(2);
        assertThat(progressing(shop()).getReason()).isEqualTo("DeploymentPaused");
    }

    @Test
    void aPausedRollingUpdateDeploymentIsScaledInProportionAsByTheRealController() {
        Deployment spec = deployment("shop:1", 10);
        spec.getSpec().getStrategy().getRollingUpdate().setMaxSurge(new IntOrString(3));
        spec.getSpec().getStrategy().getRollingUpdate().setMaxUnavailable(new IntOrString(2));
        client.apps().deployments().inNamespace("prod").resource(spec).create();
        awaitRolledOut(10);
        String old = replicaSets().get(0).getMetadata().getName();
        assertThat(replicaSet(old).getMetadata().getAnnotations()).as("sized for 10 replicas + 3 surge")
                .containsEntry("deployment.kubernetes.io/desired-replicas", "10")
                .containsEntry("deployment.kubernetes.io/max-replicas", "13");
        pauseWithImage("shop:2");
        awaitPausedAndObserved();

        // A rollout left half way, sized for the same Deployment: 10 + 5 is 2 more than replicas + maxSurge allow.
        createHandMade("6f4c8d2b9", 5, Map.of("deployment.kubernetes.io/desired-replicas", "10",
                "deployment.kubernetes.io/max-replicas", "13"));
        // Removing: largest (then oldest) first; proportions of 10/13 and 5/13 of 13 are their sizes, so the
        // leftover -2 goes to the largest.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(replicaSet(old).getSpec().getReplicas()).isEqualTo(8);
            assertThat(replicaSet("shop-6f4c8d2b9").getSpec().getReplicas()).isEqualTo(5);
        });

        client.apps().deployments().inNamespace("prod").withName("shop").scale(15);

        // Adding 5 up to 15 + 3: round(8 * 18 / 13) = 11 and round(5 * 18 / 13) = 7, no leftover.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (String name : List.of(old, "shop-6f4c8d2b9")) {
                assertThat(replicaSet(name).getMetadata().getAnnotations()).as(name)
                        .containsEntry("deployment.kubernetes.io/desired-replicas", "15")
                        .containsEntry("deployment.kubernetes.io/max-replicas", "18");
            }
            assertThat(replicaSet(old).getSpec().getReplicas()).isEqualTo(11);
            assertThat(replicaSet("shop-6f4c8d2b9").getSpec().getReplicas()).isEqualTo(7);
            assertThat(shop().getStatus().getReplicas()).isEqualTo(18);
            assertThat(shop().getStatus().getUpdatedReplicas()).isEqualTo(7);
        });
        awaitTwoPasses("shop-6f4c8d2b9");
        assertThat(replicaSet(old).getSpec().getReplicas()).isEqualTo(11);
        assertThat(replicaSet("shop-6f4c8d2b9").getSpec().getReplicas()).isEqualTo(7);
        assertThat(replicaSets()).hasSize(2);
    }

    @Test
    void aPausedDeploymentsOnlyActiveReplicaSetGetsAllItsReplicas() {
        client.apps().deployments().inNamespace("prod").resource(deployment("shop:1", 2)).create();
        awaitRolledOut(2);
        String old = replicaSets().get(0).getMetadata().getName();
        pauseWithImage("shop:2");
        awaitPausedAndObserved();

        client.apps().deployments().inNamespace("prod").withName("shop").scale(4);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Deployment d = shop();
            assertThat(d.getStatus().getReplicas()).isEqualTo(4);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(4);
            assertThat(d.getStatus().getUpdatedReplicas()).isZero();
            assertThat(progressing(d).getReason()).isEqualTo("DeploymentPaused");
        });
        assertThat(replicaSets()).extracting(rs -> rs.getMetadata().getName()).containsExactly(old);
        assertThat(replicaSet(old).getSpec().getReplicas()).isEqualTo(4);
        assertThat(replicaSet(old).getMetadata().getAnnotations())
                .containsEntry("deployment.kubernetes.io/desired-replicas", "4")
                .containsEntry("deployment.kubernetes.io/max-replicas", "5");
        assertThat(client.pods().inNamespace("prod").list().getItems()).hasSize(4)
                .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("shop:1"));
    }

    @Test
    void aPausedDeploymentsSaturatedNewReplicaSetLeavesTheOldOnesNone() {
        client.apps().deployments().inNamespace("prod").resource(recreate("shop:1", 3)).create();
        awaitRolledOut(3);
        String old = replicaSets().get(0).getMetadata().getName();
        pauseWithImage("shop:2");
        awaitPausedAndObserved();

        createHandMade("9d2b6c4f8", 3, Map.of("deployment.kubernetes.io/desired-replicas", "3"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(replicaSet(old).getSpec().getReplicas()).isZero();
            Deployment d = shop();
            assertThat(d.getStatus().getReplicas()).isEqualTo(3);
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
        });
        assertThat(replicaSet("shop-9d2b6c4f8").getSpec().getReplicas()).isEqualTo(3);
        assertThat(client.pods().inNamespace("prod").list().getItems()).hasSize(3)
                .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("shop:2"));
        assertThat(progressing(shop()).getReason()).isEqualTo("DeploymentPaused");
    }

    @Test
    void noDeadlineRunsWhilePausedAndItCountsFromTheResume() {
        controller.holdImage("shop:held");
        Deployment spec = deployment("shop:1", 1);
        spec.getSpec().setProgressDeadlineSeconds(1);
        client.apps().deployments().inNamespace("prod").resource(spec).create();
        awaitRolledOut(1);
        List<String> reasons = new CopyOnWriteArrayList<>(); // as `kubectl get deploy shop -w` shows them
        var watch = client.apps().deployments().inNamespace("prod").withName("shop").inform(
                new ResourceEventHandler<Deployment>() {
                    @Override
                    public void onAdd(Deployment d) {
                        record(d);
                    }

                    @Override
                    public void onUpdate(Deployment before, Deployment d) {
                        record(d);
                    }

                    @Override
                    public void onDelete(Deployment d, boolean unknown) {
                    }

                    private void record(Deployment d) {
                        String reason = d.getStatus() == null || d.getStatus().getConditions() == null ? null
                                : d.getStatus().getConditions().stream().filter(c -> c.getType().equals("Progressing"))
                                        .map(DeploymentCondition::getReason).findFirst().orElse(null);
                        if (reason != null && (reasons.isEmpty() || !reasons.get(reasons.size() - 1).equals(reason))) {
                            reasons.add(reason);
                        }
                    }
                });
        try {
            pauseWithImage("shop:held");
            awaitPausedAndObserved();
            // Twice the deadline paused with a template no pod runs yet ...
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> progressing(shop()).getReason().equals("DeploymentPaused"));
            // ... and passes past it (scaling while paused) still estimate no progress.
            client.apps().deployments().inNamespace("prod").withName("shop").scale(2);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Deployment d = shop();
                assertThat(d.getStatus().getReplicas()).isEqualTo(2);
                assertThat(d.getStatus().getReadyReplicas()).isEqualTo(2);
                assertThat(d.getStatus().getUpdatedReplicas()).isZero();
            });
            assertThat(progressing(shop()).getReason()).isEqualTo("DeploymentPaused");
            assertThat(reasons).doesNotContain("ProgressDeadlineExceeded");

            Instant resumed = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            resume();

            // The held image never becomes ready: the deadline is exceeded, one deadline after the resume.
            await().atMost(Duration.ofSeconds(10)).until(() -> reasons.contains("ProgressDeadlineExceeded"));
            assertThat(reasons.subList(reasons.indexOf("DeploymentPaused"), reasons.size())).containsExactly(
                    "DeploymentPaused", "DeploymentResumed", "ReplicaSetUpdated", "ProgressDeadlineExceeded");
            DeploymentCondition timedOut = progressing(shop());
            assertThat(timedOut.getStatus()).isEqualTo("False");
            assertThat(Instant.parse(timedOut.getLastUpdateTime())).isAfterOrEqualTo(resumed.plusSeconds(1));
            assertThat(shop().getStatus().getUpdatedReplicas()).isEqualTo(1);
        } finally {
            watch.stop();
        }
    }
}
