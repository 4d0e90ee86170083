package io.jenkins.plugins.progressive.kubernetes.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesStateStore;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutCommands;
import io.jenkins.plugins.progressive.rollout.RolloutEngine;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import io.jenkins.plugins.progressive.rollout.StateStore;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rolling on the Deployment itself: the batches move instances from the Deployment's old ReplicaSet to a new one
 * of the same Deployment while it is paused; no second Deployment exists at any time. Every split is observed by
 * a watch on the ReplicaSets, as "old+new" replicas; the Deployment's controller is the test controller, which
 * treats a paused Deployment as kube-controller-manager does.
 */
class RollingE2eTest {

    private static final String BATCHES = """
            rolling: {batches: ["25%", "50%", "100%"], pauseBetweenBatches: 300ms, analysis: [error-rate]}
            """;

    private Cluster cluster;
    private Cluster.Driver driver;
    private Cluster.Driver other;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    /** Every (1.0 replicas)+(2.0 replicas) split of the Deployment's ReplicaSets, in order. */
    private final List<String> splits = new CopyOnWriteArrayList<>();
    /** The ready Pods of all the Deployment's ReplicaSets together, at every ReplicaSet change during the rollout. */
    private final List<Integer> available = new CopyOnWriteArrayList<>();
    private final Set<String> deploymentNames = ConcurrentHashMap.newKeySet();
    private final Set<String> replicaSetNames = ConcurrentHashMap.newKeySet();
    private Deployment before;

    @BeforeEach
    void setUp() {
        cluster = new Cluster();
        before = cluster.deployment("shop").orElseThrow();
        Map<String, ReplicaSet> sets = new ConcurrentHashMap<>();
        watches.add(cluster.api.client().apps().replicaSets().inNamespace("prod").watch(new Watcher<ReplicaSet>() {
            @Override
            public synchronized void eventReceived(Action action, ReplicaSet rs) {
                replicaSetNames.add(rs.getMetadata().getName());
                if (action == Action.DELETED) {
                    sets.remove(rs.getMetadata().getName());
                } else {
                    sets.put(rs.getMetadata().getName(), rs);
                }
                String split = replicasOf(sets, "registry/shop:1.0") + "+" + replicasOf(sets, "registry/shop:2.0");
                if (splits.isEmpty() || !splits.get(splits.size() - 1).equals(split)) {
                    splits.add(split);
                }
                available.add(sets.values().stream().mapToInt(r -> r.getStatus() == null
                        || r.getStatus().getAvailableReplicas() == null ? 0 : r.getStatus().getAvailableReplicas())
                        .sum());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        }));
        watches.add(cluster.api.client().apps().deployments().inNamespace("prod").watch(new Watcher<Deployment>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
                deploymentNames.add(d.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        }));
    }

    private static int replicasOf(Map<String, ReplicaSet> sets, String image) {
        return sets.values().stream().filter(rs -> image.equals(rs.getSpec().getTemplate().getSpec().getContainers()
                .get(0).getImage())).mapToInt(rs -> rs.getSpec().getReplicas()).sum();
    }

    @AfterEach
    void tearDown() {
        watches.forEach(Watch::close);
        if (driver != null) {
            driver.close();
        }
        if (other != null) {
            other.close();
        }
        cluster.close();
    }

    @Test
    void batchesMoveInstancesBetweenTheDeploymentsOwnReplicaSets() throws Exception {
        driver = cluster.driver("jenkins-a#3", Duration.ofSeconds(15));
        CompletableFuture<RolloutResult> run = driver.run(Cluster.spec("{replicas: {}}", """
                rolling: {batches: ["25%", "50%", "100%"], pauseBetweenBatches: 2s, analysis: [error-rate]}
                """));

        // During a batch, kubectl shows the Deployment paused on the new template, with the batch's Pods as
        // up to date and every Pod ready.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Deployment d = cluster.deployment("shop").orElseThrow();
            assertThat(d.getSpec().getPaused()).isTrue();
            assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
            assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(1);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(4);
        });
        RolloutResult result = run.get(60, TimeUnit.SECONDS);

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(result.measurements()).hasSize(6);
        // maxUnavailable 0: each batch's new instances come up before the same number of old ones go; at 100%
        // the old ReplicaSet is emptied. Never more than size + the batch's step at once, never a second Deployment.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(splits)
                .containsSubsequence("4+0", "4+1", "3+1", "3+2", "2+2", "2+4", "0+4"));
        assertThat(splits).noneMatch(s -> sum(s) > 6);
        assertThat(available).allMatch(n -> n >= 4);
        assertThat(deploymentNames).containsExactly("shop");
        // The Deployment is let go as it was, on the new template; its controller took the new ReplicaSet as its
        // own (it made none of its own) and reports the rollout complete.
        assertSettled("registry/shop:2.0");
        assertThat(replicaSetNames).hasSize(2);

        // Rolling back a finished rollout returns the Deployment to the previous template, on its old ReplicaSet.
        driver.engine.rollback(Cluster.KEY);
        RolloutResult back = driver.scheduler.drive(Cluster.KEY).get(60, TimeUnit.SECONDS);
        assertThat(back.status()).as(back.message()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(back.exitCode()).isZero();
        assertSettled("registry/shop:1.0");
        assertThat(cluster.deployment("shop").orElseThrow().getSpec().getTemplate()).isEqualTo(before.getSpec()
                .getTemplate());
        assertThat(replicaSetNames).hasSize(2);
    }

    @Test
    void maxUnavailableLetsOldInstancesGoAsSoonAsTheNewOnesAreAskedFor() throws Exception {
        driver = cluster.driver("jenkins-a#5", Duration.ofSeconds(15));
        RolloutResult result = driver.run(Cluster.spec("{replicas: {}}", """
                rolling: {batches: ["50%", "100%"], maxUnavailable: 1}
                """)).get(60, TimeUnit.SECONDS);

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        // Two new asked for, one old gone before they are ready; never more than one instance short.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(splits)
                .containsSubsequence("4+0", "4+2", "3+2", "2+2", "2+4", "0+4"));
        assertThat(available).allMatch(n -> n >= 3);
        assertSettled("registry/shop:2.0");
    }

    @Test
    void aFailingBatchGateReturnsTheDeploymentToItsPreviousTemplate() throws Exception {
        cluster.metrics.set("error-rate", 0.1);
        driver = cluster.driver("jenkins-a#4", Duration.ofSeconds(15));
        RolloutResult result = driver.run(Cluster.spec("{replicas: {}}", BATCHES)).get(60, TimeUnit.SECONDS);

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.ROLLED_BACK);
        // Old capacity back first, then the new instances go.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(splits)
                .containsSubsequence("3+1", "4+1", "4+0"));
        assertThat(available).allMatch(n -> n >= 4);
        assertSettled("registry/shop:1.0");
        Deployment d = cluster.deployment("shop").orElseThrow();
        assertThat(d.getSpec().getTemplate()).isEqualTo(before.getSpec().getTemplate());
        assertThat(d.getSpec().getReplicas()).isEqualTo(4);
        assertThat(deploymentNames).containsExactly("shop");
        // The new ReplicaSet stays, empty, as revision history (as after `kubectl rollout undo`).
        assertThat(replicaSetNames).hasSize(2);
    }

    @Test
    void aCrashedDriversRollingUpdateIsResumedByAnotherOnTheSameReplicaSets() throws Exception {
        RolloutSpec spec = Cluster.spec("{replicas: {}}", """
                rolling: {batches: ["25%", "50%", "100%"], pauseBetweenBatches: 1h}
                """);
        StateStore otherProcess = new KubernetesStateStore(cluster.api.client(), "prod");
        driver = cluster.driver("jenkins-a#1", Duration.ofSeconds(2));
        driver.run(spec);
        await().atMost(Duration.ofSeconds(20)).until(() -> stored(otherProcess).routes().canary() == 25
                && splits.get(splits.size() - 1).equals("3+1"));
        driver.crash();

        other = cluster.driver("jenkins-b#9", Duration.ofSeconds(2));
        CompletableFuture<RolloutResult>[] run = new CompletableFuture[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            run[0] = other.resume(spec);
            return true;
        });
        for (int weight : new int[] {50, 100}) {
            RolloutCommands.promote(otherProcess, Cluster.KEY, false);
            if (weight < 100) {
                await().atMost(Duration.ofSeconds(20)).until(() -> stored(otherProcess).routes().canary() == weight);
            }
        }
        RolloutResult result = run[0].get(60, TimeUnit.SECONDS);

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(splits).containsSubsequence("3+1", "3+2", "2+2", "2+4", "0+4");
        assertSettled("registry/shop:2.0");
        assertThat(replicaSetNames).as("the resumed driver went on with the ReplicaSet the crashed one made")
                .hasSize(2);
    }

    @Test
    void aDeploymentStillRollingOutOnItsOwnIsRefusedBeforeAnythingChanges() {
        cluster.controller.holdImage("registry/shop:1.5");
        cluster.client.apps().deployments().inNamespace("prod").withName("shop").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("registry/shop:1.5");
            return d;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> splits.size() > 0 && replicaSetNames.size() == 2);
        driver = cluster.driver("jenkins-a#6", Duration.ofSeconds(15));
        Deployment d = cluster.deployment("shop").orElseThrow();

        assertThatThrownBy(() -> driver.platform.validate(Cluster.spec("{replicas: {}}", BATCHES)))
                .isInstanceOf(ClusterException.class).hasMessageContaining("deployment prod/shop is still rolling out "
                        + "on its own").hasMessageContaining("kubectl rollout status deployment/shop -n prod");
        Deployment after = cluster.deployment("shop").orElseThrow();
        assertThat(after.getSpec()).isEqualTo(d.getSpec());
        assertThat(after.getMetadata().getAnnotations()).isEqualTo(d.getMetadata().getAnnotations());
        assertThat(replicaSetNames).hasSize(2);
        cluster.controller.releaseImage("registry/shop:1.5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginxIngress", "gatewayApi", "istio"})
    void aRouterIsRefusedBeforeAnythingChanges(String router) {
        cluster.routerObjects(router);
        driver = cluster.driver("jenkins-a#21", Duration.ofSeconds(15));
        long rv = cluster.api.resourceVersion();

        assertThatThrownBy(() -> driver.platform.validate(Cluster.spec(Cluster.traffic(router), BATCHES)))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("traffic")
                .hasMessageContaining("strategy.rolling takes no router").hasMessageContaining("traffic.replicas");
        assertThat(cluster.api.resourceVersion()).isEqualTo(rv);
    }

    /** Unpaused with its own strategy back, nothing of the hold left, every Pod on {@code image}, complete. */
    private void assertSettled(String image) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Deployment d = cluster.deployment("shop").orElseThrow();
            assertThat(d.getSpec().getPaused()).isNotEqualTo(Boolean.TRUE);
            assertThat(d.getSpec().getStrategy()).isEqualTo(before.getSpec().getStrategy());
            assertThat(d.getMetadata().getAnnotations()).doesNotContainKey("progressive.jenkins.io/rolling-update");
            assertThat(cluster.image("shop")).isEqualTo(image);
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(4);
            assertThat(d.getStatus().getReplicas()).isEqualTo(4);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(4);
            assertThat(cluster.imagesBehind("shop")).hasSize(4).containsOnly(image);
        });
    }

    private static int sum(String split) {
        String[] p = split.split("\\+");
        return Integer.parseInt(p[0]) + Integer.parseInt(p[1]);
    }

    private static RolloutState stored(StateStore store) {
        return RolloutEngine.builder(store, spec -> {
            throw new AssertionError("status binds nothing");
        }).build().status(Cluster.KEY).orElseThrow();
    }
}
