package io.jenkins.plugins.progressive.kubernetes;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** The stable Deployment the adapter tests start from. */
final class Fixtures {

    private Fixtures() {
    }

    static Deployment shop(String image, int replicas) {
        return new DeploymentBuilder().withNewMetadata().withName("shop").withNamespace("prod")
                .addToLabels("app", "shop").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "shop").endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate().withMaxSurge(new IntOrString(1))
                .withMaxUnavailable(new IntOrString(0)).endRollingUpdate().endStrategy()
                .withNewTemplate().withNewMetadata().addToLabels("app", "shop").endMetadata()
                .withNewSpec().addNewContainer().withName("shop").withImage(image).endContainer()
                .addNewContainer().withName("envoy").withImage("envoy:1.30").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    /** Creates the stable Deployment and waits until the test controller reports it ready. */
    static void createReadyShop(KubernetesClient client, String image, int replicas) {
        client.apps().deployments().inNamespace("prod").resource(shop(image, replicas)).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Deployment d = client.apps().deployments().inNamespace("prod").withName("shop").get();
            return d.getStatus() != null && Integer.valueOf(replicas).equals(d.getStatus().getReadyReplicas());
        });
    }
}
