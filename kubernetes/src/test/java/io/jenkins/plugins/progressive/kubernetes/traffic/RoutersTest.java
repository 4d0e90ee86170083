package io.jenkins.plugins.progressive.kubernetes.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesWorkload;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.kubernetes.controller.DeploymentController;
import io.jenkins.plugins.progressive.kubernetes.traffic.gatewayapi.GatewayApiRouter;
import io.jenkins.plugins.progressive.kubernetes.traffic.istio.IstioRouter;
import io.jenkins.plugins.progressive.kubernetes.traffic.nginxingress.NginxIngressRouter;
import io.jenkins.plugins.progressive.kubernetes.traffic.replicas.ReplicaRatioRouter;
import io.jenkins.plugins.progressive.rollout.ReplicaRatio;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RoutersTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    private KubernetesClient client;

    @BeforeEach
    void setUp() {
        api.createNamespace("prod");
        client = api.client();
        client.services().inNamespace("prod").resource(new ServiceBuilder().withNewMetadata().withName("shop")
                .addToLabels("app", "shop").endMetadata().withNewSpec().addToSelector("app", "shop").addNewPort()
                .withName("http").withPort(80).withNewTargetPort(8080).endPort().endSpec().build()).create();
    }

    @Test
    void replicaRouterReadsTheShareFromReadyPods() {
        try (DeploymentController controller = new DeploymentController(api.client(), Duration.ofMillis(50))
                .start()) {
            client.apps().deployments().inNamespace("prod").resource(new DeploymentBuilder().withNewMetadata()
                    .withName("shop").endMetadata().withNewSpec().withReplicas(4).withNewSelector()
                    .addToMatchLabels("app", "shop").endSelector().withNewTemplate().withNewMetadata()
                    .addToLabels("app", "shop").endMetadata().withNewSpec().addNewContainer().withName("shop")
                    .withImage("registry/shop:1").endContainer().endSpec().endTemplate().endSpec().build()).create();
            Target.Kubernetes target = new Target.Kubernetes("prod", "shop", "shop", "registry/shop");
            KubernetesWorkload workload = new KubernetesWorkload(client, target, null);
            ReplicaRatioRouter router = new ReplicaRatioRouter(workload);
            assertThat(router.followsReplicas()).isTrue();
            int canary = ReplicaRatio.split(4, 25).canary();
            workload.scale(Role.STABLE, "1", 4 - canary);
            workload.scale(Role.CANARY, "2", canary);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(router.getRoutes())
                    .isEqualTo(Routes.canary(25)));
            workload.close();
        }
    }

    @Test
    void nginxIngressRouterWritesACanaryIngressAndReadsItBack() {
        client.network().v1().ingresses().inNamespace("prod").resource(new IngressBuilder().withNewMetadata()
                .withName("shop").addToAnnotations("nginx.ingress.kubernetes.io/rewrite-target", "/").endMetadata()
                .withNewSpec().withIngressClassName("nginx").addNewRule().withHost("shop.example.com").withNewHttp()
                .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName("shop")
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule()
                .endSpec().build()).create();
        NginxIngressRouter router = new NginxIngressRouter(client, "prod", new Traffic.NginxIngress("shop"));
        assertThat(router.getRoutes()).isEqualTo(Routes.ALL_STABLE);

        router.setRoutes(Routes.canary(20));
        assertThat(router.getRoutes()).isEqualTo(Routes.canary(20));
        Ingress canary = client.network().v1().ingresses().inNamespace("prod").withName("shop-canary").get();
        assertThat(canary.getMetadata().getAnnotations()).containsEntry("nginx.ingress.kubernetes.io/canary", "true")
                .containsEntry("nginx.ingress.kubernetes.io/canary-weight", "20")
                .containsEntry("nginx.ingress.kubernetes.io/rewrite-target", "/");
        assertThat(canary.getSpec().getRules().get(0).getHost()).isEqualTo("shop.example.com");
        assertThat(canary.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService()
                .getName()).isEqualTo("shop-canary");
        assertThat(client.services().inNamespace("prod").withName("shop-canary").get().getSpec().getSelector())
                .containsEntry("app", "shop").containsEntry(KubernetesWorkload.ROLE_LABEL, "canary");

        String rv = canary.getMetadata().getResourceVersion();
        long before = api.resourceVersion();
        router.setRoutes(Routes.canary(20));
        assertThat(api.resourceVersion()).as("nothing written when nothing changes").isEqualTo(before);
        assertThat(client.network().v1().ingresses().inNamespace("prod").withName("shop-canary").get().getMetadata()
                .getResourceVersion()).as("idempotent").isEqualTo(rv);
        router.setRoutes(Routes.ALL_STABLE);
        assertThat(router.getRoutes()).isEqualTo(Routes.ALL_STABLE);
    }

    @Test
    void gatewayApiRouterSetsBackendRefWeights() {
        client.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute").inNamespace("prod")
                .resource(Serialization.unmarshal("""
                        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
                         "metadata":{"name":"shop"},
                         "spec":{"parentRefs":[{"name":"gw"}],
                                 "rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/"}}],
                                           "backendRefs":[{"name":"shop","port":80}]}]}}""",
                        GenericKubernetesResource.class)).create();
        GatewayApiRouter router = new GatewayApiRouter(client, "prod", new Traffic.GatewayApi("shop"));
        assertThat(router.getRoutes()).isEqualTo(Routes.ALL_STABLE);
        router.setRoutes(Routes.canary(30));
        assertThat(router.getRoutes()).isEqualTo(Routes.canary(30));
        GenericKubernetesResource route = client.genericKubernetesResources("gateway.networking.k8s.io/v1",
                "HTTPRoute").inNamespace("prod").withName("shop").get();
        List<Map<String, Object>> refs = route.get("spec", "rules", 0, "backendRefs");
        assertThat(refs).extracting(r -> r.get("name") + ":" + r.get("port") + "@" + r.get("weight"))
                .containsExactly("shop:80@70", "shop-canary:80@30");
        router.setRoutes(Routes.ALL_CANARY);
        assertThat(router.getRoutes()).isEqualTo(Routes.ALL_CANARY);
    }

    @Test
    void istioRouterSetsTheNamedRoutesDestinationWeights() {
        client.genericKubernetesResources("networking.istio.io/v1beta1", "VirtualService").inNamespace("prod")
                .resource(Serialization.unmarshal("""
                        {"apiVersion":"networking.istio.io/v1beta1","kind":"VirtualService",
                         "metadata":{"name":"shop"},
                         "spec":{"hosts":["shop.example.com"],
                                 "http":[{"name":"admin","route":[{"destination":{"host":"admin"}}]},
                                         {"name":"primary","route":[{"destination":{"host":"shop.prod.svc.cluster.local",
                                                                     "port":{"number":80}}}]}]}}""",
                        GenericKubernetesResource.class)).create();
        IstioRouter router = new IstioRouter(client, "prod", new Traffic.Istio("shop", "primary"));
        assertThat(router.getRoutes()).isEqualTo(Routes.ALL_STABLE);
        router.setRoutes(Routes.canary(5));
        assertThat(router.getRoutes()).isEqualTo(Routes.canary(5));
        GenericKubernetesResource vs = client.genericKubernetesResources("networking.istio.io/v1", "VirtualService")
                .inNamespace("prod").withName("shop").get();
        List<Map<String, Object>> route = vs.get("spec", "http", 1, "route");
        assertThat(route).extracting(r -> ((Map<?, ?>) r.get("destination")).get("host") + "@" + r.get("weight"))
                .containsExactly("shop.prod.svc.cluster.local@95", "shop-canary.prod.svc.cluster.local@5");
        List<Map<String, Object>> admin = vs.get("spec", "http", 0, "route");
        assertThat(admin).hasSize(1);
        assertThat(admin.get(0)).doesNotContainKey("weight");

        assertThatThrownBy(() -> new IstioRouter(client, "prod", new Traffic.Istio("shop", "main")))
                .isInstanceOf(ClusterException.class)
                .hasMessage("virtualservice prod/shop has no HTTP route named 'main' (routes: admin, primary)");
    }

    @Test
    void everyRouterChecksItsObjectBeforeChangingAnything() {
        assertThatThrownBy(() -> new NginxIngressRouter(client, "prod", new Traffic.NginxIngress("shop")))
                .isInstanceOf(ClusterException.class).hasMessage("ingress prod/shop not found");
        assertThatThrownBy(() -> new GatewayApiRouter(client, "prod", new Traffic.GatewayApi("shop")))
                .hasMessage("httproute prod/shop not found");
        assertThatThrownBy(() -> new IstioRouter(client, "prod", new Traffic.Istio("shop", "primary")))
                .hasMessage("virtualservice prod/shop not found");
        assertThat(client.services().inNamespace("prod").withName("shop-canary").get()).isNull();
    }

    @Test
    void aBackendServiceThatDoesNotExistIsNamedAndNothingChanges() {
        client.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute").inNamespace("prod")
                .resource(Serialization.unmarshal("""
                        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"cart"},
                         "spec":{"rules":[{"backendRefs":[{"name":"cart","port":80}]}]}}""",
                        GenericKubernetesResource.class)).create();
        GatewayApiRouter router = new GatewayApiRouter(client, "prod", new Traffic.GatewayApi("cart"));
        long before = api.resourceVersion();
        assertThatThrownBy(() -> router.setRoutes(Routes.canary(10))).isInstanceOf(ClusterException.class)
                .hasMessage("service prod/cart not found");
        assertThat(api.resourceVersion()).isEqualTo(before);
    }

    @Test
    void aForbiddenPatchIsReportedWithTheServersMessage() {
        client.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute").inNamespace("prod")
                .resource(Serialization.unmarshal("""
                        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"shop"},
                         "spec":{"rules":[{"backendRefs":[{"name":"shop","port":80}]}]}}""",
                        GenericKubernetesResource.class)).create();
        GatewayApiRouter router = new GatewayApiRouter(client, "prod", new Traffic.GatewayApi("shop"));
        api.deny("update", "gateway.networking.k8s.io", "httproutes", "prod");
        assertThatThrownBy(() -> router.setRoutes(Routes.canary(10))).isInstanceOf(ClusterException.class)
                .hasMessageContaining("cannot update resource \"httproutes\" in API group "
                        + "\"gateway.networking.k8s.io\" in the namespace \"prod\"");
        assertThat(router.getRoutes()).isEqualTo(Routes.ALL_STABLE);
    }
}
