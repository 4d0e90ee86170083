package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A canary whose error rate in Prometheus is above the threshold rolls back on its own. */
class FailingGateTest {

    private static final Duration INTERVAL = Duration.ofSeconds(2); // the demo template's analysis interval

    @TempDir
    Path dir;

    @Test
    void aFailingGateRollsBackWithinOneIntervalAndExitsThree() throws Exception {
        try (Rig rig = Rig.withStable(dir, Optional.of("2.0.0"))) {
            rig.env.startLoad();
            Path release = rig.write("release.yaml", rig.env.spec("2.0.0", "canary", Optional.of("2.0.0")));

            CliRun run = rig.run(release, "--output", "json");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
            JsonNode doc = Rig.json(run); // one parseable document on stdout
            assertThat(doc.path("status").asText()).isEqualTo("ROLLED_BACK");
            assertThat(doc.path("verdict").asText()).isEqualTo("FAILED");
            assertThat(doc.path("exitCode").asInt()).isEqualTo(3);
            assertThat(doc.path("routes").path("stable").asInt()).isEqualTo(100);

            // HAProxy itself serves only stable, and the canary processes are gone.
            assertThat(rig.env.routes().canary()).isZero();
            assertThat(rig.env.weights()).allSatisfy((server, weight) -> {
                if (server.startsWith("canary")) {
                    assertThat(weight).as(server).isZero();
                }
            });
            List<Integer> canaryPorts = rig.instancePorts("canary-");
            assertThat(canaryPorts).as("the canary instance was started").isNotEmpty();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(canaryPorts).noneMatch(Rig::accepting));

            // From the first failing measurement (the moment its query was sent) to traffic back on stable:
            // at most one interval + 1 s.
            Instant firstFailure = null;
            for (JsonNode m : doc.path("measurements")) {
                if (m.path("verdict").asText().equals("FAILED")) {
                    firstFailure = Instant.parse(m.path("at").asText());
                    break;
                }
            }
            assertThat(firstFailure).as("a FAILED measurement in " + doc.path("measurements")).isNotNull();
            Instant restored = null;
            List<String> kinds = new ArrayList<>();
            for (JsonNode e : doc.path("events")) {
                kinds.add(e.path("kind").asText());
                // when the CLI heard of it: after HAProxy had accepted the change
                Instant at = Instant.parse(e.path("seen").asText());
                if (e.path("kind").asText().equals("rollback") && e.path("message").asText().startsWith("stable 100%")
                        && !at.isBefore(firstFailure)) {
                    restored = at;
                    break;
                }
            }
            assertThat(restored).as("routes restored event in " + kinds).isNotNull();
            assertThat(Duration.between(firstFailure, restored)).isLessThanOrEqualTo(INTERVAL.plusSeconds(1));
        }
    }
}
