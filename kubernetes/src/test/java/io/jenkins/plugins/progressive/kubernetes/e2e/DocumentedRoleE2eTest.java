package io.jenkins.plugins.progressive.kubernetes.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.DocsManifests;
import io.jenkins.plugins.progressive.kubernetes.KubernetesWorkload;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every strategy and router runs, preflight included, with exactly the permissions of the Role its docs page
 * shows (an allow-list: what the Role does not grant is Forbidden), so a verb the docs forget fails here.
 */
class DocumentedRoleE2eTest {

    private static final String TOKEN = "documented-role";
    private static final String CANARY = """
            canary:
              steps:
                - setWeight: 25
                - analysis: [error-rate]
                - setWeight: 50
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

    @ParameterizedTest(name = "{0} under the Role of docs/{1}")
    @CsvSource({"replicas, routers/replicas.md", "nginxIngress, routers/nginx-ingress.md",
        "gatewayApi, routers/gateway-api.md", "istio, routers/istio.md", "istio, kubernetes.md"})
    void aCanaryPromotesUnderTheDocumentedRole(String router, String page) throws Exception {
        cluster.routerObjects(router);
        assertSucceedsUnder(page, Cluster.spec(Cluster.traffic(router), CANARY));
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        assertThat(RouterWeights.read(cluster, router)).isEqualTo(Routes.ALL_STABLE);
    }

    @ParameterizedTest(name = "{0} under the Role of docs/{1}")
    @CsvSource({"replicas, routers/replicas.md", "gatewayApi, routers/gateway-api.md"})
    void aFailingCanaryRollsBackUnderTheDocumentedRole(String router, String page) throws Exception {
        cluster.routerObjects(router);
        cluster.metrics.set("error-rate", 0.2);
        RolloutResult result = runUnder(page, Cluster.spec(Cluster.traffic(router), CANARY));
        assertThat(result.status()).as(result.message()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        // What the rollback had to do under the Role was done: all traffic on the old version, at full size.
        assertThat(RouterWeights.read(cluster, router)).isEqualTo(Routes.ALL_STABLE);
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:1.0");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.ready("shop") == 4);
    }

    @Test
    void blueGreenSwitchesUnderTheRoleOfTheReplicasPage() throws Exception {
        cluster.service("shop-preview", Map.of("app", "shop"));
        assertSucceedsUnder("routers/replicas.md", Cluster.spec("{replicas: {}}", """
                blueGreen: {previewService: shop-preview, prePromotionAnalysis: [error-rate], scaleDownDelay: 1s}
                """));
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
        // The active Service was switched and put back on the (new) stable, the preview Deployment deleted.
        assertThat(cluster.selector("shop")).isEqualTo(Map.of("app", "shop", KubernetesWorkload.ROLE_LABEL, "stable"));
        assertThat(cluster.deployment("shop-canary")).isEmpty();
    }

    @ParameterizedTest(name = "{0} under the Role of docs/{1}")
    @CsvSource({"nginxIngress, routers/nginx-ingress.md", "gatewayApi, routers/gateway-api.md",
        "istio, routers/istio.md"})
    void blueGreenSwitchesThroughARouterUnderTheDocumentedRole(String router, String page) throws Exception {
        cluster.routerObjects(router);
        assertSucceedsUnder(page, Cluster.spec(Cluster.traffic(router), """
                blueGreen: {prePromotionAnalysis: [error-rate], scaleDownDelay: 1s}
                """));
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
        assertThat(cluster.deployment("shop-canary")).isEmpty();
        assertThat(RouterWeights.read(cluster, router)).isEqualTo(Routes.ALL_STABLE);
    }

    @Test
    void rollingUpdatesUnderTheRoleOfTheReplicasPage() throws Exception {
        assertSucceedsUnder("routers/replicas.md", Cluster.spec("{replicas: {}}", """
                rolling: {batches: ["50%", "100%"], pauseBetweenBatches: 200ms, analysis: [error-rate]}
                """));
        assertThat(cluster.image("shop")).isEqualTo("registry/shop:2.0");
        // The Deployment was let go (unpaused) under the Role and finishes on the new version.
        assertThat(cluster.deployment("shop").orElseThrow().getSpec().getPaused()).isNotEqualTo(Boolean.TRUE);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.imagesBehind("shop"))
                .hasSize(4).containsOnly("registry/shop:2.0"));
    }

    @Test
    void aRoleWithoutAVerbTheRolloutUsesIsRefusedBeforeAnythingChanges() {
        Role role = DocsManifests.role("routers/replicas.md");
        role.getRules().stream().filter(r -> r.getResources().contains("deployments"))
                .forEach(r -> r.setVerbs(r.getVerbs().stream().filter(v -> !v.equals("watch")).toList()));
        cluster.api.bindRole(TOKEN, role);
        driver = cluster.driver("jenkins-rbac#2", Duration.ofSeconds(15), TOKEN);
        long before = cluster.api.resourceVersion();

        assertThatThrownBy(() -> driver.platform.validate(Cluster.spec("{replicas: {}}", CANARY)))
                .isInstanceOf(ClusterException.class).hasMessageContaining("watch deployments.apps");
        assertThat(cluster.api.resourceVersion()).isEqualTo(before);
        // and the API server itself refuses what the Role does not grant
        assertThatThrownBy(() -> driver.client.namespaces().withName("prod").get())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("forbidden");
    }

    private void assertSucceedsUnder(String page, RolloutSpec spec) throws Exception {
        RolloutResult result = runUnder(page, spec);
        assertThat(result.status()).as(result.message()).isEqualTo(Phase.SUCCEEDED);
    }

    private RolloutResult runUnder(String page, RolloutSpec spec) throws Exception {
        cluster.api.bindRole(TOKEN, DocsManifests.role(page));
        driver = cluster.driver("jenkins-rbac#1", Duration.ofSeconds(15), TOKEN);
        driver.platform.validate(spec);
        return driver.run(spec).get(90, TimeUnit.SECONDS);
    }
}
