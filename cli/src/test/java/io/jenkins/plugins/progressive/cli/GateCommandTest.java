package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code progressive gate}: analysis templates alone against a real Prometheus. */
class GateCommandTest {

    @TempDir
    static Path dir;

    private static Rig rig;
    private static Path spec;

    @BeforeAll
    static void stableUnderLoad() throws Exception {
        rig = Rig.withStable(dir, Optional.of("1.0.0")); // 1.0.0 fails 30% of its requests
        rig.env.startLoad();
        spec = rig.write("gate.yaml", rig.env.spec("1.0.0", "canary", Optional.of("1.0.0")));
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void aPassingGateExitsZero() throws Exception {
        // 1.0.0 fails 30% of its requests: a loose enough condition passes it.
        CliRun run = CliRun.of("gate", spec.toString(), "--template", "error-rate", "--output", "json",
                "--set", "analysis.error-rate.successCondition=result < 0.9",
                "--set", "analysis.error-rate.failureCondition=result >= 0.9",
                "--set", "analysis.error-rate.consecutiveErrorLimit=10");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode doc = Rig.json(run);
        assertThat(doc.path("verdict").asText()).isEqualTo("SUCCESSFUL");
        assertThat(doc.path("measurements").findValuesAsText("verdict")).contains("SUCCESSFUL");
    }

    @Test
    void aFailingGateExitsThreeAndShowsTheValue() {
        CliRun run = CliRun.of("gate", spec.toString(), "--template", "error-rate",
                "--set", "analysis.error-rate.consecutiveErrorLimit=10");

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(3);
        assertThat(run.out()).contains("FAILED value=0.").contains("gate failed");
    }

    @Test
    void aCaCertificateThatCannotBeReadIsInvalidInputNamingTheField() {
        Path missing = dir.resolve("missing-ca.pem");

        CliRun run = CliRun.of("gate", spec.toString(), "--template", "error-rate",
                "--set", "analysis.error-rate.prometheus.caCertificate=" + missing);

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.err()).contains("analysis.error-rate.prometheus.caCertificate: caCertificate " + missing
                + " cannot be read");
    }

    @Test
    void anUnknownTemplateIsInvalidInput() {
        CliRun run = CliRun.of("gate", spec.toString(), "--template", "latency");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--template latency").contains("error-rate");
    }
}
