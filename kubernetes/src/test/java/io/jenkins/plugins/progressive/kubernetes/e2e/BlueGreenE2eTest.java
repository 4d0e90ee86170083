package io.jenkins.plugins.progressive.kubernetes.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jenkins.plugins.progressive.kubernetes.KubernetesStateStore;
import io.jenkins.plugins.progressive.kubernetes.KubernetesWorkload;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutCommands;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Blue-green on Kubernetes: the active Service and the preview Service are switched by selector. */
class BlueGreenE2eTest {

    private static final String ROLE = KubernetesWorkload.ROLE_LABEL;

    private Cluster cluster;
    private Cluster.Driver driver;

    @BeforeEach
    void setUp() {
        cluster = new Cluster();
        cluster.service("shop-preview", Map.of("app", "shop"));
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        cluster.close();
    }

    @Test
    void previewFirstThenTheActiveServiceSwitchesAndTheOldVersionStaysForTheScaleDownDelay() throws Exception {
        RolloutSpec spec = Cluster.spec("{replicas: {}}", """
                blueGreen:
                  previewService: shop-preview
                  prePromotionAnalysis: [error-rate]
                  postPromotionAnalysis: [error-rate]
                  autoPromotion: false
                  scaleDownDelay: 3s
                """);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.selector("shop"))
                .isEqualTo(Map.of("app", "shop")));
        driver = cluster.driver("jenkins-a#7", Duration.ofSeconds(15));
        driver.platform.validate(spec);
        Timeline timeline = new Timeline(cluster);
        CompletableFuture<RolloutResult> run = driver.run(spec);

        // Preview: the new version at full size behind the preview Service; live traffic stays on the old pods.
        await().atMost(Duration.ofSeconds(20)).until(() -> driver.engine.status(Cluster.KEY).orElseThrow().phase()
                == Phase.PAUSED);
        assertThat(cluster.ready("shop-canary")).isEqualTo(4);
        assertThat(cluster.image("shop-canary")).isEqualTo("registry/shop:2.0");
        assertThat(cluster.selector("shop-preview")).isEqualTo(Map.of("app", "shop", ROLE, "canary"));
        assertThat(cluster.selector("shop")).containsEntry("app", "shop").containsKey("pod-template-hash")
                .doesNotContainKey(ROLE);
        assertThat(cluster.client.pods().inNamespace("prod").withLabels(cluster.selector("shop")).list().getItems())
                .hasSize(4).allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("registry/shop:1.0"));

        // A person promotes from another process, through the in-cluster state.
        RolloutCommands.promote(new KubernetesStateStore(cluster.api.client(), "prod"), Cluster.KEY, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> "canary".equals(cluster.selector("shop").get(ROLE)));
        // scaleDownDelay: the old version is still up, at full size, ready for an instant flip back.
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:1.0");
        assertThat(cluster.ready("shop")).isEqualTo(4);

        RolloutResult result = run.get(60, TimeUnit.SECONDS);
        timeline.close();
        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(result.routes()).isEqualTo(Routes.ALL_STABLE);
        // As the watches saw it: the old version (the Deployment shop at 1.0) was first touched no earlier than
        // scaleDownDelay after the active Service had switched to the new version's Pods.
        Instant switched = timeline.switchedToNewVersion();
        Instant oldTouched = timeline.oldVersionFirstTouched();
        assertThat(switched).as("switch seen").isNotNull();
        assertThat(oldTouched).as("old version replaced").isNotNull();
        assertThat(Duration.between(switched, oldTouched)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
        assertThat(cluster.selector("shop")).isEqualTo(Map.of("app", "shop", ROLE, "stable"));
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.ready("shop") == 4);
        assertThat(cluster.client.pods().inNamespace("prod").withLabels(cluster.selector("shop")).list().getItems())
                .hasSize(4).allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("registry/shop:2.0"));
        // The flip happened after the switch only: the old pods were replaced once the delay had passed.
        assertThat(cluster.eventMessages("RolloutStep")).anyMatch(m -> m.contains("switched to 2.0"));
    }

    @Test
    void aFailingPostPromotionAnalysisFlipsBackWhileTheOldVersionIsStillUp() throws Exception {
        cluster.metrics.set("error-rate", 0.3);
        RolloutSpec spec = Cluster.spec("{replicas: {}}", """
                blueGreen: {previewService: shop-preview, postPromotionAnalysis: [error-rate], scaleDownDelay: 30s}
                """);
        driver = cluster.driver("jenkins-a#9", Duration.ofSeconds(15));
        driver.platform.validate(spec);
        Timeline timeline = new Timeline(cluster);
        RolloutResult result = driver.run(spec).get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.selector("shop"))
                .isEqualTo(Map.of("app", "shop")));
        timeline.close();

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(result.message()).contains("error-rate");
        assertThat(timeline.switchedToNewVersion()).as("the active Service had switched to the new version")
                .isNotNull();
        // The flip back went to the old version as it was: the Deployment shop never left 1.0 nor its 4 replicas.
        assertThat(timeline.oldVersionFirstTouched()).isNull();
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:1.0");
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        assertThat(cluster.imagesBehind("shop")).hasSize(4).containsOnly("registry/shop:1.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginxIngress", "gatewayApi", "istio"})
    void blueGreenSwitchesThroughEveryRouter(String router) throws Exception {
        cluster.routerObjects(router);
        RolloutSpec spec = Cluster.spec(Cluster.traffic(router), """
                blueGreen: {prePromotionAnalysis: [error-rate], postPromotionAnalysis: [error-rate], scaleDownDelay: 1s}
                """);
        driver = cluster.driver("jenkins-a#10", Duration.ofSeconds(15));
        driver.platform.validate(spec);
        RouterWeights.Recorded run = RouterWeights.during(cluster, router, 2,
                () -> driver.run(spec).get(60, TimeUnit.SECONDS));
        RolloutResult result = run.result();
        List<Integer> seen = run.canaryWeights();

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        // All at once to the new version, and back to the stable backend once it runs the new version.
        assertThat(seen).containsExactly(100, 0);
        assertThat(RouterWeights.read(cluster, router)).isEqualTo(Routes.ALL_STABLE);
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.ready("shop") == 4);
        assertThat(cluster.imagesBehind("shop")).hasSize(4).containsOnly("registry/shop:2.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginxIngress", "gatewayApi", "istio"})
    void aFailingPostPromotionAnalysisFlipsTheRouterBack(String router) throws Exception {
        cluster.routerObjects(router);
        cluster.metrics.set("error-rate", 0.3);
        driver = cluster.driver("jenkins-a#11", Duration.ofSeconds(15));
        RolloutSpec spec = Cluster.spec(Cluster.traffic(router), """
                blueGreen: {postPromotionAnalysis: [error-rate], scaleDownDelay: 30s}
                """);
        RouterWeights.Recorded run = RouterWeights.during(cluster, router, 2,
                () -> driver.run(spec).get(60, TimeUnit.SECONDS));
        RolloutResult result = run.result();
        List<Integer> seen = run.canaryWeights();

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(seen).containsExactly(100, 0);
        // Flipped back to the old version as it was: still at full size, within the 30s scaleDownDelay.
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:1.0");
        assertThat(cluster.replicas("shop")).isEqualTo(4);
        assertThat(cluster.ready("shop")).isEqualTo(4);
        assertThat(cluster.deployment("shop-canary")).isEmpty();
    }

    @Test
    void aFailingPrePromotionAnalysisNeverSwitchesTheActiveService() throws Exception {
        cluster.metrics.set("error-rate", 0.3);
        RolloutSpec spec = Cluster.spec("{replicas: {}}", """
                blueGreen: {previewService: shop-preview, prePromotionAnalysis: [error-rate], scaleDownDelay: 1s}
                """);
        driver = cluster.driver("jenkins-a#8", Duration.ofSeconds(15));
        RolloutResult result = driver.run(spec).get(60, TimeUnit.SECONDS);

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.ROLLED_BACK);
        // Not pinned any more: no canary Pod is left, and a later hash change must not empty the Service.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.selector("shop"))
                .isEqualTo(Map.of("app", "shop")));
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:1.0");
        assertThat(cluster.client.pods().inNamespace("prod").withLabels(cluster.selector("shop")).list().getItems())
                .hasSize(4);
    }

    /**
     * When the test API server stored the changes that matter, on its own clock (a watch's arrival time would add
     * the watch's delivery delay): when the active Service first selected the new version's Pods, and when the old
     * version (the Deployment shop at 1.0, 4 replicas) was first changed (its template or its size).
     */
    private static final class Timeline implements AutoCloseable {
        private volatile boolean open = true;
        private volatile Instant switched;
        private volatile Instant oldTouched;

        Timeline(Cluster cluster) {
            cluster.api.onChange(o -> {
                if (!open || !Cluster.NS.equals(o.path("metadata").path("namespace").asText())
                        || !"shop".equals(o.path("metadata").path("name").asText())) {
                    return;
                }
                String kind = o.path("kind").asText();
                if (kind.equals("Service") && switched == null
                        && "canary".equals(o.path("spec").path("selector").path(ROLE).asText(null))) {
                    switched = Instant.now();
                }
                if (kind.equals("Deployment") && oldTouched == null) {
                    boolean old = o.path("spec").path("template").path("spec").path("containers").path(0)
                            .path("image").asText().equals("registry/shop:1.0") && o.path("spec").path("replicas").asInt() == 4;
                    if (!old) {
                        oldTouched = Instant.now();
                    }
                }
            });
        }

        Instant switchedToNewVersion() {
            return switched;
        }

        Instant oldVersionFirstTouched() {
            return oldTouched;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
