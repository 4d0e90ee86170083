package io.jenkins.plugins.progressive.kubernetes.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.kubernetes.KubernetesWorkload;
import io.jenkins.plugins.progressive.kubernetes.traffic.replicas.ReplicaRatioRouter;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.spec.Target;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Reading the served share back from the two Deployments' ready Pods. How the engine sizes the roles is core's
 * ReplicaRatioTest (every replicas × weight) and, on real Deployments, ControlE2eTest.
 */
class ReplicaRatioRouterTest {

    private static KubernetesApiServer api;
    private static KubernetesClient client;
    private static ReplicaRatioRouter router;

    @BeforeContainer
    static void start() {
        api = new KubernetesApiServer().start();
        api.createNamespace("prod");
        client = api.client();
        for (String name : new String[] {"shop", "shop-canary"}) {
            client.apps().deployments().inNamespace("prod").resource(new DeploymentBuilder().withNewMetadata()
                    .withName(name).endMetadata().withNewSpec().withReplicas(1).withNewSelector()
                    .addToMatchLabels("app", name).endSelector().withNewTemplate().withNewMetadata()
                    .addToLabels("app", name).endMetadata().withNewSpec().addNewContainer().withName("shop")
                    .withImage("registry/shop:1").endContainer().endSpec().endTemplate().endSpec().build()).create();
        }
        router = new ReplicaRatioRouter(new KubernetesWorkload(client, new Target.Kubernetes("prod", "shop", "shop",
                "registry/shop"), null));
    }

    @AfterContainer
    static void stop() {
        api.close();
    }

    private static void setReady(String name, int ready) {
        Deployment d = client.apps().deployments().inNamespace("prod").withName(name).get();
        d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(1L).withReplicas(ready)
                .withUpdatedReplicas(ready).withReadyReplicas(ready).withAvailableReplicas(ready).build());
        client.apps().deployments().inNamespace("prod").resource(d).updateStatus();
    }

    @Property(tries = 60)
    void readsBackTheShareOfReadyPodsFromTheApiServer(@ForAll @IntRange(max = 40) int stable,
            @ForAll @IntRange(max = 40) int canary) {
        setReady("shop", stable);
        setReady("shop-canary", canary);
        Routes routes = router.getRoutes();
        assertThat(routes.stable() + routes.canary()).isEqualTo(100);
        if (stable + canary == 0) {
            assertThat(routes).isEqualTo(Routes.ALL_STABLE);
        } else {
            assertThat(Math.abs(routes.canary() - 100.0 * canary / (stable + canary))).isLessThanOrEqualTo(0.5);
            assertThat(routes.canary() == 0).isEqualTo(canary == 0);
            assertThat(routes.canary() == 100).isEqualTo(stable == 0);
        }
    }
}
