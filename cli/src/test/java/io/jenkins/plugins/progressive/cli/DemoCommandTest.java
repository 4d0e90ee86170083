package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code progressive demo}: the README's main command, with real HAProxy and Prometheus. */
class DemoCommandTest {

    @TempDir
    Path dir;

    @Test
    void aGoodCanaryIsPromoted() {
        CliRun run = CliRun.of("demo", "canary");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("SUCCEEDED").contains("2.0.0 serves 100%")
                .contains("HAProxy serves: stable 100% / canary 0%");
    }

    @Test
    void aBadCanaryRollsBackByItselfWithAReport() throws Exception {
        Path report = dir.resolve("report.html");

        CliRun run = CliRun.of("demo", "canary", "--bad", "--output", "json", "--report", report.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
        JsonNode doc = Rig.json(run);
        assertThat(doc.path("status").asText()).isEqualTo("ROLLED_BACK");
        assertThat(doc.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(doc.path("routes").path("canary").asInt()).isZero();
        assertThat(run.err()).contains("HAProxy serves: stable 100% / canary 0%");
        assertThat(Files.readString(report)).contains("<html").contains("ROLLED_BACK");
    }
}
