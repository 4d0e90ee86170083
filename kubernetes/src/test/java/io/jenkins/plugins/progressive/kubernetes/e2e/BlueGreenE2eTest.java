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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(result.routes()).isEqualTo(Routes.ALL_STABLE);
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
}
