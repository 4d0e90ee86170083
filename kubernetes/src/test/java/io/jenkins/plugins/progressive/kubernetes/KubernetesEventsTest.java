package io.jenkins.plugins.progressive.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.rollout.RolloutEvent;
import io.jenkins.plugins.progressive.spec.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KubernetesEventsTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @Test
    void rolloutEventsBecomeEventsOnTheDeployment() {
        api.createNamespace("prod");
        KubernetesClient client = api.client();
        client.apps().deployments().inNamespace("prod").resource(Fixtures.shop("registry/shop:1", 1)).create();
        String uid = client.apps().deployments().inNamespace("prod").withName("shop").get().getMetadata().getUid();
        try (KubernetesEvents events = new KubernetesEvents(client, new Target.Kubernetes("prod", "shop", "shop",
                "registry/shop"))) {
            events.accept(new RolloutEvent(Instant.now(), "shop", "weight", "canary 1.1 now gets 20%"));
            events.accept(new RolloutEvent(Instant.now(), "shop", "rollback", "error-rate failed: 0.07 >= 0.05"));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                List<Event> list = client.v1().events().inNamespace("prod")
                        .withField("involvedObject.name", "shop").list().getItems();
                assertThat(list).extracting(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage())
                        .containsExactlyInAnyOrder("Normal RolloutWeight: canary 1.1 now gets 20%",
                                "Warning RolloutRollback: error-rate failed: 0.07 >= 0.05");
                assertThat(list).allMatch(e -> uid.equals(e.getInvolvedObject().getUid())
                        && "Deployment".equals(e.getInvolvedObject().getKind()));
            });
            assertThat(events.failures()).isZero();
        }
    }
}
