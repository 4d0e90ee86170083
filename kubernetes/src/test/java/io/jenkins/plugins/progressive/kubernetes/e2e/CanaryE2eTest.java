package io.jenkins.plugins.progressive.kubernetes.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Canary through every router, driven by the real engine against the test API server and controller. */
class CanaryE2eTest {

    private static final String STEPS = """
            canary:
              steps:
                - setWeight: 25
                - analysis: [error-rate]
                - setWeight: 50
                - analysis: [error-rate]
            """;

    private Cluster cluster;
    private Cluster.Driver driver;

    @BeforeEach
    void setUp() {
        cluster = new Cluster();
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        cluster.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"replicas", "nginxIngress", "gatewayApi", "istio"})
    void canaryPromotesThroughEveryRouter(String router) throws Exception {
        cluster.routerObjects(router);
        RolloutSpec spec = Cluster.spec(Cluster.traffic(router), STEPS);
        driver = cluster.driver("jenkins-a#1", Duration.ofSeconds(15));
        driver.platform.validate(spec);
        RolloutResult result;
        if (router.equals("replicas")) {
            result = driver.run(spec).get(60, TimeUnit.SECONDS);
        } else {
            RouterWeights.Recorded run = RouterWeights.during(cluster, router, 4,
                    () -> driver.run(spec).get(60, TimeUnit.SECONDS));
            result = run.result();
            // As a watch on the router object saw it: the steps' 25% and 50%; for the promotion all traffic on the
            // canary while the stable Deployment takes the new template; then all back to the (new) stable.
            assertThat(run.canaryWeights()).containsExactly(25, 50, 100, 0);
        }

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.ready("shop") == 4);
        assertThat(cluster.deployment("shop-canary")).as("canary removed").isEmpty();
        assertThat(result.routes()).isEqualTo(Routes.ALL_STABLE);
        assertThat(RouterWeights.read(cluster, router)).isEqualTo(Routes.ALL_STABLE);
        assertThat(result.measurements()).hasSize(4);
        if (!router.equals("replicas")) {
            // The stable share reaches the new stable Pods only, and every one of them.
            assertThat(cluster.selector("shop")).isEqualTo(Map.of("app", "shop", "progressive.jenkins.io/role",
                    "stable"));
            assertThat(cluster.imagesBehind("shop")).hasSize(4).containsOnly("registry/shop:2.0");
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(cluster.deploymentEvents())
                .contains("Normal RolloutStep", "Normal RolloutWeight", "Normal RolloutPromoted"));
        // Every weight the rollout went through is told by an Event on the Deployment.
        assertThat(cluster.eventMessages("RolloutWeight")).anyMatch(m -> m.contains("canary 25%"))
                .anyMatch(m -> m.contains("canary 50%"));
        assertThat(cluster.client.leases().inNamespace("prod").list().getItems()).allMatch(l -> l.getSpec()
                .getHolderIdentity() == null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"replicas", "nginxIngress", "gatewayApi", "istio"})
    void aFailingGateRollsBackToStableInTheRouterObject(String router) throws Exception {
        cluster.routerObjects(router);
        cluster.metrics.set("error-rate", 0.2);
        driver = cluster.driver("jenkins-a#2", Duration.ofSeconds(15));
        RolloutResult result = driver.run(Cluster.spec(Cluster.traffic(router), STEPS)).get(60, TimeUnit.SECONDS);

        assertThat(result.status()).as(result.message()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.message()).contains("error-rate").contains("FAILED");
        assertThat(RouterWeights.read(cluster, router)).isEqualTo(Routes.ALL_STABLE);
        assertThat(cluster.deployment("shop-canary")).as("canary removed").isEmpty();
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:1.0");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.ready("shop") == 4);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(cluster.deploymentEvents())
                .contains("Warning RolloutRollback"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.selector("shop"))
                .as("no pin left behind").isEqualTo(Map.of("app", "shop")));
    }
}
