package io.jenkins.plugins.progressive.kubernetes.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rolling on Kubernetes: each batch moves instances from the stable Deployment to the new version (held by
 * {@code shop-canary}), the Service reaches both; at 100% the Deployment itself takes the new template.
 */
class RollingE2eTest {

    private static final String BATCHES = """
            rolling: {batches: ["25%", "50%", "100%"], pauseBetweenBatches: 300ms, analysis: [error-rate]}
            """;

    private Cluster cluster;
    private Cluster.Driver driver;
    private Watch watch;
    private final List<String> splits = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        cluster = new Cluster();
        // Every (stable, canary) replica split the Deployments go through, as the API server tells it.
        Map<String, Integer> replicas = new ConcurrentHashMap<>(Map.of("shop", 4, "shop-canary", 0));
        watch = cluster.api.client().apps().deployments().inNamespace("prod").watch(new Watcher<Deployment>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
                replicas.put(d.getMetadata().getName(), action == Action.DELETED ? 0 : d.getSpec().getReplicas());
                String split = replicas.get("shop") + "+" + replicas.getOrDefault("shop-canary", 0);
                if (splits.isEmpty() || !splits.get(splits.size() - 1).equals(split)) {
                    splits.add(split);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }

    @AfterEach
    void tearDown() {
        watch.close();
        if (driver != null) {
            driver.close();
        }
        cluster.close();
    }

    @Test
    void batchesMoveInstancesToTheNewVersionThenTheDeploymentTakesIt() throws Exception {
        RolloutSpec spec = Cluster.spec("{replicas: {}}", BATCHES);
        driver = cluster.driver("jenkins-a#3", Duration.ofSeconds(15));
        RolloutResult result = driver.run(spec).get(60, TimeUnit.SECONDS);

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        // maxUnavailable 0: each batch's new instances come up before the same number of old ones go.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(splits)
                .containsSubsequence("4+1", "3+1", "3+2", "2+2", "2+4", "4+4", "4+0"));
        assertThat(result.measurements()).hasSize(6);

        // Rolling back a finished rollout returns the Deployment to the previous template.
        driver.engine.rollback(Cluster.KEY);
        RolloutResult back = driver.scheduler.drive(Cluster.KEY).get(60, TimeUnit.SECONDS);
        assertThat(back.status()).as(back.message()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(back.exitCode()).isZero();
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:1.0");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.ready("shop") == 4);
    }

    @Test
    void maxUnavailableLetsOldInstancesGoBeforeTheNewOnesAreReady() throws Exception {
        driver = cluster.driver("jenkins-a#5", Duration.ofSeconds(15));
        RolloutResult result = driver.run(Cluster.spec("{replicas: {}}", """
                rolling: {batches: ["50%", "100%"], maxUnavailable: 1}
                """)).get(60, TimeUnit.SECONDS);

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        // One old instance goes first (3+0), never more than one below size before the new ones are ready.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(splits)
                .containsSubsequence("3+0", "3+2", "2+2", "2+4", "4+4", "4+0"));
        assertThat(splits).noneMatch(s -> s.equals("2+0") || s.equals("1+0"));
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
    }

    @Test
    void aFailingBatchGateBringsTheStableBackToFullSize() throws Exception {
        cluster.metrics.set("error-rate", 0.1);
        driver = cluster.driver("jenkins-a#4", Duration.ofSeconds(15));
        RolloutResult result = driver.run(Cluster.spec("{replicas: {}}", BATCHES)).get(60, TimeUnit.SECONDS);

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.ROLLED_BACK);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(splits)
                .containsSubsequence("3+1", "4+1", "4+0"));
        assertThat(cluster.replicas("shop")).isEqualTo(4);
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:1.0");
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        assertThat(cluster.deployment("shop").orElseThrow().getMetadata().getAnnotations())
                .doesNotContainKey("progressive.jenkins.io/stable-replicas");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginxIngress", "gatewayApi", "istio"})
    void aRouterIsRefusedBeforeAnythingChanges(String router) {
        cluster.routerObjects(router);
        driver = cluster.driver("jenkins-a#21", Duration.ofSeconds(15));
        long before = cluster.api.resourceVersion();

        assertThatThrownBy(() -> driver.platform.validate(Cluster.spec(Cluster.traffic(router), BATCHES)))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("traffic")
                .hasMessageContaining("strategy.rolling takes no router").hasMessageContaining("traffic.replicas");
        assertThat(cluster.api.resourceVersion()).isEqualTo(before);
    }
}
