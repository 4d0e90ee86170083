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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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

    @Test
    void aDeploymentCreatedAfterTheFirstEventIsLinkedFromTheNextOne() {
        api.createNamespace("prod");
        KubernetesClient client = api.client();
        try (KubernetesEvents events = new KubernetesEvents(client, new Target.Kubernetes("prod", "shop", "shop",
                "registry/shop"))) {
            events.accept(new RolloutEvent(Instant.now(), "shop", "step", "before the deployment"));
            await().atMost(Duration.ofSeconds(5)).until(() -> eventsOnShop(client).size() == 1);
            client.apps().deployments().inNamespace("prod").resource(Fixtures.shop("registry/shop:1", 1)).create();
            String uid = client.apps().deployments().inNamespace("prod").withName("shop").get().getMetadata()
                    .getUid();
            events.accept(new RolloutEvent(Instant.now(), "shop", "step", "after it"));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(eventsOnShop(client))
                    .extracting(e -> e.getMessage() + " " + e.getInvolvedObject().getUid())
                    .containsExactlyInAnyOrder("before the deployment null", "after it " + uid));
        }
    }

    @Test
    void eventsThatCannotBeWrittenAreWarnedAboutOncePerRolloutWithoutTheToken() {
        api.createNamespace("prod");
        api.requireToken("s3cr3t-token");
        api.deny("create", "", "events", "prod");
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(KubernetesEvents.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level level = log.getLevel();
        log.setLevel(Level.ALL);
        log.addHandler(handler);
        try (KubernetesClient client = KubernetesConnection.fromToken(api.url(), "s3cr3t-token", null);
                KubernetesEvents events = new KubernetesEvents(client, new Target.Kubernetes("prod", "shop", "shop",
                        "registry/shop"))) {
            for (int i = 0; i < 3; i++) {
                events.accept(new RolloutEvent(Instant.now(), "shop", "weight", "canary 1.1 now gets 20%"));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> events.failures() == 3);
        } finally {
            log.removeHandler(handler);
            log.setLevel(level);
        }
        assertThat(logged).hasSize(3).allSatisfy(r -> assertThat(r.getMessage()).doesNotContain("s3cr3t-token"));
        assertThat(logged).filteredOn(r -> r.getLevel() == Level.WARNING).singleElement()
                .satisfies(r -> assertThat(r.getMessage()).startsWith("could not record the rollout's weight event "
                        + "on deployment prod/shop (later failures are logged at FINE): the Kubernetes API server "
                        + "refused: events is forbidden: User \"system:serviceaccount:ci:jenkins\" cannot create "
                        + "resource \"events\""));
    }

    private static List<Event> eventsOnShop(KubernetesClient client) {
        return client.v1().events().inNamespace("prod").withField("involvedObject.name", "shop").list().getItems();
    }
}
