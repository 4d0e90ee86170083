package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without usable metrics a canary is never promoted: after consecutiveErrorLimit errors it rolls back. */
class MetricsUnavailableTest {

    private static final int ERROR_LIMIT = 2;

    @TempDir
    Path dir;

    @Test
    void prometheusGoingDownMidRolloutNeverPromotesAndRollsBack() throws Exception {
        try (Rig rig = Rig.withStable(dir, Optional.empty())) {
            rig.env.startLoad();
            Path release = rig.write("release.yaml", rig.env.spec("2.0.0", "canary", Optional.empty()));
            // The preflight needs Prometheus up; it goes away once the canary takes traffic, before the
            // first measurement (initialDelay 5s).
            CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> rig.run(release, "--output", "json",
                    "--set", "analysis.error-rate.initialDelay=5s",
                    "--set", "analysis.error-rate.consecutiveErrorLimit=" + ERROR_LIMIT));
            await().atMost(Duration.ofSeconds(20)).until(() -> rig.env.routes().canary() > 0);
            rig.env.stopPrometheus();

            assertNeverPromotedAndRolledBack(rig, run.get());
        }
    }

    @Test
    void aNaNResultNeverPromotesAndRollsBack() throws Exception {
        try (Rig rig = Rig.withStable(dir, Optional.empty())) {
            Path release = rig.write("release.yaml", rig.env.spec("2.0.0", "canary", Optional.empty()));

            CliRun run = rig.run(release, "--output", "json",
                    "--set", "analysis.error-rate.prometheus.query=vector(0) / vector(0)",
                    "--set", "analysis.error-rate.initialDelay=0s",
                    "--set", "analysis.error-rate.consecutiveErrorLimit=" + ERROR_LIMIT);

            JsonNode doc = assertNeverPromotedAndRolledBack(rig, run);
            assertThat(doc.path("measurements").get(0).path("message").asText()).containsIgnoringCase("NaN");
        }
    }

    private static JsonNode assertNeverPromotedAndRolledBack(Rig rig, CliRun run) throws Exception {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
        JsonNode doc = Rig.json(run);
        assertThat(doc.path("status").asText()).isEqualTo("ROLLED_BACK");
        assertThat(doc.path("verdict").asText()).isEqualTo("ERROR");
        List<String> verdicts = new ArrayList<>();
        doc.path("measurements").forEach(m -> verdicts.add(m.path("verdict").asText()));
        assertThat(verdicts).hasSize(ERROR_LIMIT + 1).containsOnly("ERROR");
        List<String> kinds = new ArrayList<>();
        doc.path("events").forEach(e -> kinds.add(e.path("kind").asText() + ": " + e.path("message").asText()));
        assertThat(kinds).noneMatch(k -> k.startsWith("promoted"))
                .noneMatch(k -> k.startsWith("weight") && k.contains("canary 50%"));
        assertThat(rig.env.routes().canary()).isZero();
        assertThat(doc.path("routes").path("stable").asInt()).isEqualTo(100);
        return doc;
    }
}
