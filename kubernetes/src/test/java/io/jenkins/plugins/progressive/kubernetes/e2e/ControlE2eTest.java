package io.jenkins.plugins.progressive.kubernetes.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesWorkload;
import io.jenkins.plugins.progressive.kubernetes.KubernetesStateStore;
import io.jenkins.plugins.progressive.kubernetes.RolloutLease;
import io.jenkins.plugins.progressive.kubernetes.controller.DeploymentController;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutCommands;
import io.jenkins.plugins.progressive.rollout.RolloutEngine;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.StateStore;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Driving a rollout from outside and across drivers: promote and abort through the in-cluster state, a
 * failing image, a driver that crashes and one that resumes, the Lease, and RBAC at preflight.
 */
class ControlE2eTest {

    private static final String MANUAL = """
            canary:
              steps:
                - setWeight: 25
                - pause: manual
                - setWeight: 50
                - analysis: [error-rate]
            """;

    private Cluster cluster;
    private Cluster.Driver a;
    private Cluster.Driver b;
    private StateStore otherProcess;

    @BeforeEach
    void setUp() {
        cluster = new Cluster();
        cluster.routerObjects("istio");
        otherProcess = new KubernetesStateStore(cluster.api.client(), "prod");
    }

    @AfterEach
    void tearDown() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        cluster.close();
    }

    private RolloutState stored() {
        // What `progressive status` does from another process: read the in-cluster state, bind nothing.
        return RolloutEngine.builder(otherProcess, spec -> {
            throw new AssertionError("status binds nothing");
        }).build().status(Cluster.KEY).orElseThrow();
    }

    private void awaitPaused() {
        await().atMost(Duration.ofSeconds(20)).until(() -> otherProcess.load(Cluster.KEY).isPresent()
                && stored().phase() == Phase.PAUSED);
    }

    private Routes istioWeights() {
        GenericKubernetesResource vs = cluster.client.genericKubernetesResources("networking.istio.io/v1beta1",
                "VirtualService").inNamespace("prod").withName("shop").get();
        List<Map<String, Object>> route = vs.get("spec", "http", 0, "route");
        int canary = route.stream().filter(m -> String.valueOf(((Map<?, ?>) m.get("destination")).get("host"))
                .startsWith("shop-canary")).mapToInt(m -> ((Number) m.getOrDefault("weight", 0)).intValue()).sum();
        return Routes.canary(canary);
    }

    @Test
    void aManualPauseIsPassedByPromoteFromAnotherProcess() throws Exception {
        a = cluster.driver("jenkins-a#1", Duration.ofSeconds(15));
        CompletableFuture<RolloutResult> run = a.run(Cluster.spec(Cluster.traffic("istio"), MANUAL));
        awaitPaused();
        assertThat(istioWeights()).isEqualTo(Routes.canary(25));
        assertThat(stored().pauseReason()).contains("pause step 1");
        // 25% means 25%: the stable Service reaches the old Pods only, the canary Service the new ones only.
        assertThat(cluster.imagesBehind("shop")).hasSize(4).containsOnly("registry/shop:1.0");
        assertThat(cluster.imagesBehind("shop-canary")).hasSize(1).containsOnly("registry/shop:2.0");

        RolloutCommands.promote(otherProcess, Cluster.KEY, false);
        RolloutResult result = run.get(60, TimeUnit.SECONDS);
        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
        assertThat(istioWeights()).isEqualTo(Routes.ALL_STABLE);
        assertThat(cluster.eventMessages("RolloutPromoted")).anyMatch(m -> m.contains("passed by a person"));
    }

    @Test
    void aReplicaRatioCanarySizesBothDeploymentsAsTheRuleSaysAtEveryPause() throws Exception {
        a = cluster.driver("jenkins-a#1", Duration.ofSeconds(15));
        CompletableFuture<RolloutResult> run = a.run(Cluster.spec(Cluster.traffic("replicas"), """
                canary:
                  steps:
                    - setWeight: 10
                    - pause: manual
                    - setWeight: 50
                    - pause: manual
                    - setWeight: 90
                    - pause: manual
                """));
        // The rule of docs/routers/replicas.md on 4 replicas, written out: the nearest count, but at least one
        // instance on each side while both run, so 10% is 3+1 and 90% is 1+3; the share is the ready-Pod ratio.
        int[][] expected = {{10, 3, 1, 25}, {50, 2, 2, 50}, {90, 1, 3, 75}};
        int step = 1;
        for (int[] e : expected) {
            int pauseStep = step;
            // One read per look: between two reads the engine may take the previous promote and clear the reason.
            await().atMost(Duration.ofSeconds(20)).until(() -> otherProcess.load(Cluster.KEY).map(st -> RolloutState
                    .fromJson(st.json())).filter(st -> st.phase() == Phase.PAUSED && st.pauseReason() != null
                            && st.pauseReason().contains("pause step " + pauseStep)).isPresent());
            assertThat(cluster.replicas("shop")).as("stable at setWeight %d", e[0]).isEqualTo(e[1]);
            assertThat(cluster.replicas("shop-canary")).as("canary at setWeight %d", e[0]).isEqualTo(e[2]);
            assertThat(cluster.ready("shop") + cluster.ready("shop-canary")).isEqualTo(4);
            assertThat(RouterWeights.read(cluster, "replicas")).isEqualTo(Routes.canary(e[3]));
            RolloutCommands.promote(otherProcess, Cluster.KEY, false);
            step += 2;
        }
        RolloutResult result = run.get(60, TimeUnit.SECONDS);
        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(cluster.replicas("shop")).isEqualTo(4);
        assertThat(cluster.deployment("shop-canary")).isEmpty();
    }

    @Test
    void abortSendsEverythingBackToStableAndRemovesTheCanary() throws Exception {
        a = cluster.driver("jenkins-a#1", Duration.ofSeconds(15));
        CompletableFuture<RolloutResult> run = a.run(Cluster.spec(Cluster.traffic("istio"), MANUAL));
        awaitPaused();

        RolloutCommands.abort(otherProcess, Cluster.KEY, "latency looks wrong");
        RolloutResult result = run.get(60, TimeUnit.SECONDS);
        assertThat(result.status()).isEqualTo(Phase.ABORTED);
        assertThat(result.exitCode()).isEqualTo(5);
        assertThat(result.message()).contains("latency looks wrong");
        assertThat(istioWeights()).isEqualTo(Routes.ALL_STABLE);
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:1.0");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(cluster.deploymentEvents())
                .contains("Warning RolloutAborted"));
    }

    @ParameterizedTest
    @ValueSource(strings = {DeploymentController.IMAGE_PULL_BACK_OFF, DeploymentController.CRASH_LOOP_BACK_OFF})
    void aPodThatCannotStartFailsTheStepWithThePodsReasonAndWarningEvent(String reason) throws Exception {
        cluster.controller.failImage("registry/shop:2.0", reason);
        a = cluster.driver("jenkins-a#1", Duration.ofSeconds(15));
        RolloutResult result = a.run(Cluster.spec(Cluster.traffic("istio"), MANUAL)).get(60, TimeUnit.SECONDS);

        assertThat(result.status()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(result.message()).contains("canary 2.0 cannot become ready").contains("pod shop-canary-")
                .contains("is waiting: " + reason);
        if (reason.equals(DeploymentController.IMAGE_PULL_BACK_OFF)) {
            assertThat(result.message()).contains("event Failed: Failed to pull image \"registry/shop:2.0\": rpc "
                    + "error: code = NotFound");
        } else {
            assertThat(result.message()).contains("last exit code 1 (Error)")
                    .contains("event BackOff: Back-off restarting failed container in pod shop-canary-");
        }
        assertThat(istioWeights()).isEqualTo(Routes.ALL_STABLE);
        assertThat(cluster.deployment("shop-canary")).isEmpty();
    }

    @Test
    void podsThatNeverBecomeReadyFailTheStepAtTheDeploymentsProgressDeadline() throws Exception {
        // No waiting reason at all (no node has room, say): only the Deployment's progress deadline tells.
        cluster.controller.holdImage("registry/shop:2.0");
        cluster.client.apps().deployments().inNamespace("prod").withName("shop").edit(d -> {
            d.getSpec().setProgressDeadlineSeconds(3);
            return d;
        });
        a = cluster.driver("jenkins-a#1", Duration.ofSeconds(15));
        RolloutResult result = a.run(Cluster.spec(Cluster.traffic("istio"), MANUAL)).get(60, TimeUnit.SECONDS);

        assertThat(result.status()).isEqualTo(Phase.ROLLED_BACK);
        // The Deployment's 3 s deadline, long before the engine's own (20 s) would have ended the wait.
        assertThat(result.message()).contains("canary 2.0 cannot become ready: progress deadline exceeded: "
                + "ReplicaSet \"shop-canary-").contains("\" has timed out progressing.");
        assertThat(istioWeights()).isEqualTo(Routes.ALL_STABLE);
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:1.0");
    }

    @Test
    void aRolloutKeepsProgressingAfterItsWatchesAreDroppedAndTheirHistoryCompacted() throws Exception {
        cluster.controller.holdImage("registry/shop:2.0");
        a = cluster.driver("jenkins-a#1", Duration.ofSeconds(15));
        CompletableFuture<RolloutResult> run = a.run(Cluster.spec(Cluster.traffic("istio"), MANUAL));
        // The canary's Pod is there but not ready: the driver waits for a watch event (it polls every 60 s).
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.client.pods().inNamespace("prod")
                .withLabel(KubernetesWorkload.ROLE_LABEL, "canary").list().getItems().size() == 1);

        // The API server restarts after an etcd compaction: every watch is cut, and resuming from the
        // resourceVersion it saw last gets 410 Gone.
        cluster.client.configMaps().inNamespace("prod").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("a-later-write").endMetadata().build()).create();
        cluster.api.compactHistory();
        assertThat(cluster.api.dropWatches()).isPositive();
        cluster.controller.releaseImage("registry/shop:2.0");

        // Seen within seconds, not at the next 60 s poll: the watches were re-established.
        awaitPaused();
        assertThat(istioWeights()).isEqualTo(Routes.canary(25));
        RolloutCommands.promote(otherProcess, Cluster.KEY, false);
        RolloutResult result = run.get(60, TimeUnit.SECONDS);
        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
    }

    @Test
    void aCrashedDriversRolloutIsResumedByAnotherFromTheInClusterState() throws Exception {
        RolloutSpec spec = Cluster.spec(Cluster.traffic("istio"), MANUAL);
        a = cluster.driver("jenkins-a#1", Duration.ofSeconds(2));
        a.run(spec);
        awaitPaused();
        a.crash();

        b = cluster.driver("jenkins-b#9", Duration.ofSeconds(2));
        // A's Lease has not run out yet: B is refused, and says by whom.
        assertThatThrownBy(() -> b.engine.resume(spec)).isInstanceOf(RolloutLease.HeldException.class)
                .hasMessageContaining("already being driven by jenkins-a#1");
        // Once it has, starting the same rollout again is refused by the live state, and the refused start
        // keeps no Lease: whoever resumes next may.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(
                RolloutLease.HeldException.class).untilAsserted(() -> assertThatThrownBy(() -> b.engine.start(spec))
                        .isInstanceOf(RolloutEngine.LockedException.class).hasMessageContaining("already live"));
        assertThat(cluster.client.leases().inNamespace("prod").list().getItems()).allMatch(l -> l.getSpec()
                .getHolderIdentity() == null);
        CompletableFuture<RolloutResult>[] run = new CompletableFuture[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(
                RolloutLease.HeldException.class).until(() -> {
                    run[0] = b.resume(spec);
                    return true;
                });
        assertThat(cluster.client.leases().inNamespace("prod").list().getItems()).extracting(l -> l.getSpec()
                .getHolderIdentity()).containsExactly("jenkins-b#9");
        RolloutCommands.promote(otherProcess, Cluster.KEY, false);
        RolloutResult result = run[0].get(60, TimeUnit.SECONDS);

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        assertThat(istioWeights()).isEqualTo(Routes.ALL_STABLE);
        assertThat(result.measurements()).hasSize(2);
    }

    @Test
    void theLeaseRefusesASecondEngineAndNothingChanges() throws Exception {
        RolloutSpec spec = Cluster.spec(Cluster.traffic("istio"), MANUAL);
        a = cluster.driver("jenkins-a#1", Duration.ofSeconds(1));
        CompletableFuture<RolloutResult> run = a.run(spec);
        awaitPaused();
        long revision = otherProcess.load(Cluster.KEY).orElseThrow().revision();

        b = cluster.driver("jenkins-b#2", Duration.ofSeconds(15));
        // A renews its 1s Lease while it drives: B stays refused for longer than the Lease lives.
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    try {
                        b.engine.resume(spec);
                        return false;
                    } catch (RolloutLease.HeldException e) {
                        return true;
                    }
                });
        assertThatThrownBy(() -> b.run(spec)).isInstanceOf(RolloutLease.HeldException.class)
                .hasMessageContaining("rollout 'shop@kubernetes/prod/shop' is already being driven by jenkins-a#1");
        assertThatThrownBy(() -> b.engine.resume(spec)).isInstanceOf(RolloutLease.HeldException.class);
        // The driver itself starting it again is refused by the live state, and keeps driving with its Lease.
        assertThatThrownBy(() -> a.engine.start(spec)).isInstanceOf(RolloutEngine.LockedException.class);
        assertThat(cluster.client.leases().inNamespace("prod").list().getItems()).extracting(l -> l.getSpec()
                .getHolderIdentity()).containsExactly("jenkins-a#1");
        assertThat(otherProcess.load(Cluster.KEY).orElseThrow().revision()).isEqualTo(revision);
        assertThat(istioWeights()).isEqualTo(Routes.canary(25));

        RolloutCommands.abort(otherProcess, Cluster.KEY, "test over");
        assertThat(run.get(60, TimeUnit.SECONDS).status()).isEqualTo(Phase.ABORTED);
        // Released at the end: the next rollout may be driven by anybody.
        assertThat(cluster.client.leases().inNamespace("prod").list().getItems()).allMatch(l -> l.getSpec()
                .getHolderIdentity() == null);
    }

    @Test
    void rbacDenialIsReportedAtPreflightAndNothingChanges() {
        RolloutSpec spec = Cluster.spec(Cluster.traffic("istio"), MANUAL);
        cluster.api.deny("update", "networking.istio.io", "virtualservices", "prod");
        cluster.api.deny("create", "coordination.k8s.io", "leases", "prod");
        a = cluster.driver("jenkins-a#1", Duration.ofSeconds(15));
        long before = cluster.api.resourceVersion();

        assertThatThrownBy(() -> a.platform.validate(spec)).isInstanceOf(ClusterException.class)
                .hasMessage("RBAC does not allow this rollout in namespace \"prod\"; missing: create "
                        + "leases.coordination.k8s.io (one driver per rollout), update virtualservices.networking.istio.io"
                        + " (route weights). Nothing was changed; grant them in the Role (see docs/routers/istio.md)");
        assertThat(cluster.api.resourceVersion()).as("nothing written").isEqualTo(before);
        assertThat(((ClusterException) catchThrowable(() -> a.platform.validate(spec))).code()).isEqualTo(403);
    }

    @Test
    void preflightNamesAMissingRouterObjectOrService() {
        a = cluster.driver("jenkins-a#1", Duration.ofSeconds(15));
        assertThatThrownBy(() -> a.platform.validate(Cluster.spec(Cluster.traffic("gatewayApi"), MANUAL)))
                .isInstanceOf(ClusterException.class).hasMessage("httproute prod/shop not found");
        assertThatThrownBy(() -> a.platform.validate(Cluster.spec("{istio: {virtualService: shop, route: main}}",
                MANUAL))).isInstanceOf(ClusterException.class)
                .hasMessage("virtualservice prod/shop has no HTTP route named 'main' (routes: primary)");
        cluster.routerObjects("nginxIngress");
        cluster.client.services().inNamespace("prod").withName("shop").delete();
        assertThatThrownBy(() -> a.platform.validate(Cluster.spec(Cluster.traffic("nginxIngress"), MANUAL)))
                .isInstanceOf(ClusterException.class)
                .hasMessage("service prod/shop not found (named by traffic.nginxIngress.ingress)");
        assertThatThrownBy(() -> a.platform.validate(Cluster.spec("{replicas: {}}",
                "blueGreen: {previewService: shop-preview}"))).isInstanceOf(ClusterException.class)
                .hasMessage("service prod/shop not found (blue-green's active service, named like the deployment)");
        cluster.service("shop", Map.of("app", "shop"));
        assertThatThrownBy(() -> a.platform.validate(Cluster.spec("{replicas: {}}",
                "blueGreen: {previewService: shop-preview}"))).isInstanceOf(ClusterException.class)
                .hasMessage("service prod/shop-preview not found (strategy.blueGreen.previewService)");
        assertThat(cluster.deployment("shop-canary")).isEmpty();
    }

    private static Throwable catchThrowable(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
        return org.assertj.core.api.Assertions.catchThrowable(c);
    }
}
