package io.jenkins.plugins.progressive.kubernetes.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jenkins.plugins.progressive.kubernetes.KubernetesPlatform;
import io.jenkins.plugins.progressive.kubernetes.KubernetesStateStore;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.kubernetes.controller.DeploymentController;
import io.jenkins.plugins.progressive.rollout.RolloutEngine;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.RolloutScheduler;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One namespace {@code prod} on the project's test API server with the test Deployment controller, the stable
 * Deployment {@code shop} (4 x registry/shop:1.0, ready) and its Service; drivers are real engines.
 */
final class Cluster implements AutoCloseable {

    static final String NS = "prod";
    static final String KEY = "shop@kubernetes/prod/shop";

    final KubernetesApiServer api = new KubernetesApiServer().start();
    final KubernetesClient client;
    final DeploymentController controller;
    final TestMetrics metrics = new TestMetrics();

    Cluster() {
        api.createNamespace(NS);
        client = api.client();
        controller = new DeploymentController(api.client(), Duration.ofMillis(50)).start();
        client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata().withName("shop")
                .withNamespace(NS).addToLabels("app", "shop").endMetadata()
                .withNewSpec().withReplicas(4).withNewSelector().addToMatchLabels("app", "shop").endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate().withMaxSurge(new IntOrString(1))
                .withMaxUnavailable(new IntOrString(0)).endRollingUpdate().endStrategy()
                .withNewTemplate().withNewMetadata().addToLabels("app", "shop").endMetadata()
                .withNewSpec().addNewContainer().withName("shop").withImage("registry/shop:1.0").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        service("shop", Map.of("app", "shop"));
        await().atMost(Duration.ofSeconds(10)).until(() -> ready("shop") == 4);
    }

    void service(String name, Map<String, String> selector) {
        client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName(name)
                .addToLabels("app", "shop").endMetadata().withNewSpec().addToSelector(selector).addNewPort()
                .withName("http").withPort(80).withNewTargetPort(8080).endPort().endSpec().build()).create();
    }

    /** The router objects that the spec's {@code traffic} names. */
    void routerObjects(String router) {
        switch (router) {
            case "nginxIngress" -> client.network().v1().ingresses().inNamespace(NS).resource(new IngressBuilder()
                    .withNewMetadata().withName("shop").endMetadata().withNewSpec().withIngressClassName("nginx")
                    .addNewRule().withHost("shop.example.com").withNewHttp().addNewPath().withPath("/")
                    .withPathType("Prefix").withNewBackend().withNewService().withName("shop").withNewPort()
                    .withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec()
                    .build()).create();
            case "gatewayApi" -> client.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute")
                    .inNamespace(NS).resource(Serialization.unmarshal("""
                            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
                             "metadata":{"name":"shop"},
                             "spec":{"parentRefs":[{"name":"gw"}],
                                     "rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/"}}],
                                               "backendRefs":[{"name":"shop","port":80}]}]}}""",
                            GenericKubernetesResource.class)).create();
            case "istio" -> client.genericKubernetesResources("networking.istio.io/v1beta1", "VirtualService")
                    .inNamespace(NS).resource(Serialization.unmarshal("""
                            {"apiVersion":"networking.istio.io/v1beta1","kind":"VirtualService",
                             "metadata":{"name":"shop"},
                             "spec":{"hosts":["shop.example.com"],
                                     "http":[{"name":"primary","route":[{"destination":{
                                         "host":"shop.prod.svc.cluster.local","port":{"number":80}}}]}]}}""",
                            GenericKubernetesResource.class)).create();
            default -> {
            }
        }
    }

    static String traffic(String router) {
        return switch (router) {
            case "nginxIngress" -> "{nginxIngress: {ingress: shop}}";
            case "gatewayApi" -> "{gatewayApi: {httpRoute: shop}}";
            case "istio" -> "{istio: {virtualService: shop, route: primary}}";
            default -> "{replicas: {}}";
        };
    }

    /** A spec for shop 2.0 with the analysis template {@code error-rate} (fails at 0.05 and above). */
    static RolloutSpec spec(String traffic, String strategy) {
        String yaml = """
                name: shop
                version: "2.0"
                target: {kubernetes: {namespace: prod, deployment: shop, container: shop, image: registry/shop}}
                traffic: %s
                strategy:
                %s
                analysis:
                  error-rate:
                    prometheus: {address: "http://127.0.0.1:9090", query: 'sum(rate(errors_total[1m]))'}
                    successCondition: "result < 0.01"
                    failureCondition: "result >= 0.05"
                    interval: 200ms
                    count: 2
                """.formatted(traffic, strategy.indent(2).stripTrailing());
        try {
            return SpecReader.parse(yaml, SpecReader.Format.YAML, Map.of());
        } catch (InvalidSpecException e) {
            throw new AssertionError(e.getMessage() + "\n" + yaml, e);
        }
    }

    Driver driver(String holder, Duration lease) {
        return new Driver(this, holder, lease, api.client());
    }

    /** A driver whose every request carries {@code token}: it may do what {@link KubernetesApiServer#bindRole} grants. */
    Driver driver(String holder, Duration lease, String token) {
        return new Driver(this, holder, lease, api.client(token));
    }

    Optional<Deployment> deployment(String name) {
        return Optional.ofNullable(client.apps().deployments().inNamespace(NS).withName(name).get());
    }

    String image(String deployment) {
        return deployment(deployment).map(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .orElse(null);
    }

    int ready(String deployment) {
        return deployment(deployment).map(d -> d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                : d.getStatus().getReadyReplicas()).orElse(0);
    }

    int replicas(String deployment) {
        return deployment(deployment).map(d -> d.getSpec().getReplicas()).orElse(0);
    }

    Map<String, String> selector(String service) {
        Service s = client.services().inNamespace(NS).withName(service).get();
        return s.getSpec().getSelector();
    }

    /** The images of the Pods a Service's selector reaches now. */
    List<String> imagesBehind(String service) {
        return client.pods().inNamespace(NS).withLabels(selector(service)).list().getItems().stream()
                .map(p -> p.getSpec().getContainers().get(0).getImage()).toList();
    }

    /** Kubernetes Events on the shop Deployment, as "Type Reason". */
    List<String> deploymentEvents() {
        List<Event> list = client.v1().events().inNamespace(NS).withField("involvedObject.name", "shop").list()
                .getItems();
        return list.stream().map(e -> e.getType() + " " + e.getReason()).toList();
    }

    /** The messages of the Events with {@code reason} on the shop Deployment. */
    List<String> eventMessages(String reason) {
        return client.v1().events().inNamespace(NS).withField("involvedObject.name", "shop").list().getItems()
                .stream().filter(e -> reason.equals(e.getReason())).map(Event::getMessage).toList();
    }

    @Override
    public void close() {
        controller.close();
        api.close();
    }

    /** One driver: its own client, platform (Lease holder), in-cluster state store, engine and scheduler. */
    static final class Driver implements AutoCloseable {
        final KubernetesClient client;
        final KubernetesPlatform platform;
        final RolloutEngine engine;
        final RolloutScheduler scheduler;

        Driver(Cluster cluster, String holder, Duration lease, KubernetesClient client) {
            this.client = client;
            AtomicReference<RolloutScheduler> wake = new AtomicReference<>();
            platform = new KubernetesPlatform(client, cluster.metrics, (String key) -> {
                RolloutScheduler s = wake.get();
                if (s != null) {
                    s.wake(key);
                }
            }).lease(holder, lease);
            // Readiness comes from watches: the poll interval is far longer than any test, so a rollout that
            // progresses through its waits was woken by a watch event.
            engine = RolloutEngine.builder(new KubernetesStateStore(client, NS), platform).events(platform.events())
                    .pollInterval(Duration.ofSeconds(60)).commandPollInterval(Duration.ofMillis(200))
                    .progressDeadline(Duration.ofSeconds(20)).retries(2, Duration.ofMillis(100)).build();
            scheduler = new RolloutScheduler(engine, 2);
            wake.set(scheduler);
        }

        CompletableFuture<RolloutResult> run(RolloutSpec spec) {
            return scheduler.submit(spec);
        }

        CompletableFuture<RolloutResult> resume(RolloutSpec spec) {
            engine.resume(spec);
            return scheduler.drive(spec.lockKey());
        }

        /** The driver's process dies: nothing is released, the connection is gone. */
        void crash() {
            scheduler.close();
            client.close();
        }

        @Override
        public void close() {
            scheduler.close();
            platform.close();
        }
    }
}
