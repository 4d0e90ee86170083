package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.progressive.cli.demo.DemoEnvironment;
import io.jenkins.plugins.progressive.cli.demo.LoadGenerator;
import io.jenkins.plugins.progressive.hosts.demo.DemoService;
import io.jenkins.plugins.progressive.hosts.haproxy.HaproxyRouter;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code target.endpoints}: 1.0 and 2.0 already run (two demo services); a canary moves real traffic between
 * them through HAProxy, gated on their error rate in Prometheus.
 */
class EndpointsRolloutTest {

    @TempDir
    Path dir;

    @Test
    void aCanaryOntoRunningEndpointsGoesThroughItsStepsAndLeavesTheNewVersionServing() throws Exception {
        try (Rig rig = Rig.start(dir); DemoService v1 = DemoService.start(0, "1.0", 0, 0);
                DemoService v2 = DemoService.start(0, "2.0", 0, 0)) {
            Path spec = serving(rig, v1, v2);
            LoadGenerator load = rig.env.startLoad();

            CliRun run = rig.run(spec, "--output", "json");

            assertThat(run.exitCode()).as(run.err()).isZero();
            JsonNode doc = Rig.json(run);
            List<String> events = messages(doc);
            // Not a first release: the steps ran, the gate measured the canary.
            assertThat(events).contains("stable 50% / canary 50%");
            assertThat(events).anyMatch(m -> m.startsWith("error-rate (step-1): SUCCESSFUL"));
            assertThat(doc.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(rig.answers(50)).containsOnly("version=2.0");
            assertThat(rig.env.weights()).containsOnlyKeys("stable-1");
            assertThat(load.failed()).as("failed requests through HAProxy: %s", load.answers()).isZero();

            // The memory of the roles: the same spec again finds 2.0 serving and changes nothing.
            CliRun again = rig.run(spec);
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(again.out()).contains("stable 2.0");
            assertThat(rig.answers(20)).containsOnly("version=2.0");
        }
    }

    @Test
    void aFailingGateLeavesTheOldEndpointsServingEverything() throws Exception {
        try (Rig rig = Rig.start(dir); DemoService v1 = DemoService.start(0, "1.0", 0, 0);
                DemoService v2 = DemoService.start(0, "2.0", 0.3, 0)) {
            Path spec = serving(rig, v1, v2);
            rig.env.startLoad();

            CliRun run = rig.run(spec, "--output", "json");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
            JsonNode doc = Rig.json(run);
            assertThat(messages(doc)).contains("stable 50% / canary 50%")
                    .anyMatch(m -> m.startsWith("error-rate (step-1): FAILED"));
            assertThat(doc.path("status").asText()).isEqualTo("ROLLED_BACK");
            assertThat(rig.env.routes()).isEqualTo(Routes.ALL_STABLE);
            assertThat(rig.env.weights()).containsOnlyKeys("stable-1");
            assertThat(rig.answers(50)).containsOnly("version=1.0");
        }
    }

    /**
     * 1.0 serves alone behind HAProxy (as an earlier release left it), Prometheus scrapes both services, and a
     * spec rolls 2.0 out onto its endpoints: 50%, a gate, 100%.
     */
    private static Path serving(Rig rig, DemoService v1, DemoService v2) throws Exception {
        String stable = "127.0.0.1:" + v1.port();
        String canary = "127.0.0.1:" + v2.port();
        new HaproxyRouter(new Traffic.Haproxy(rig.env.runtimeApi(), DemoEnvironment.BACKEND),
                role -> role == Role.STABLE ? List.of(stable) : List.of()).setRoutes(Routes.ALL_STABLE);
        Files.writeString(rig.env.fileSd(), """
                [{"targets": ["%s"], "labels": {"version": "1.0"}}, {"targets": ["%s"], "labels": {"version": "2.0"}}]
                """.formatted(stable, canary));
        return rig.write("endpoints.yaml", """
                name: shop
                version: "2.0"
                target:
                  endpoints: {stable: ["%s"], canary: ["%s"]}
                traffic:
                  haproxy: {runtimeApi: "%s", backend: %s}
                strategy:
                  canary:
                    steps:
                      - setWeight: 50
                      - analysis: [error-rate]
                      - setWeight: 100
                %s
                """.formatted(stable, canary, rig.env.runtimeApi(), DemoEnvironment.BACKEND,
                rig.env.errorRateAnalysis().stripTrailing()));
    }

    private static List<String> messages(JsonNode doc) {
        List<String> messages = new ArrayList<>();
        doc.path("events").forEach(e -> messages.add(e.path("message").asText()));
        return messages;
    }
}
