package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ValidateCommandTest {

    private static final Path EXAMPLES = Path.of("..", "docs", "examples");

    @TempDir
    Path dir;

    static Stream<Path> examples() throws Exception {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyDocumentedExampleIsValid(Path example) {
        CliRun run = CliRun.of("validate", example.toString());

        assertThat(run.err()).isEmpty();
        assertThat(run.out().strip()).isEqualTo("valid");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void reportsEveryProblemWithItsPathAndExits2() throws Exception {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(spec, """
                name: shop
                version: "1.4.2"
                target:
                  endpoints: {stable: ["127.0.0.1:8081"], canary: ["127.0.0.1:8082"]}
                traffic:
                  haproxy: {runtimeApi: "unix:/tmp/admin.sock", backend: shop}
                strategy:
                  canary:
                    steps:
                      - setWeight: 150
                      - pause: 2 minutes
                      - analysis: [no-such-template]
                """);

        CliRun run = CliRun.of("validate", spec.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).doesNotContain("valid");
        assertThat(run.err())
                .contains("3 problems")
                .contains("strategy.canary.steps[0].setWeight")
                .contains("150")
                .contains("strategy.canary.steps[1].pause")
                .contains("strategy.canary.steps[2].analysis")
                .contains("no-such-template")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void overridesAreValidatedLikeTheFile() throws Exception {
        Path example = EXAMPLES.resolve("canary-local-haproxy.yaml");

        CliRun good = CliRun.of("validate", example.toString(), "--set", "version=1.5.0");
        CliRun bad = CliRun.of("validate", example.toString(), "--set", "strategy.canary.steps[0].setWeight=101");

        assertThat(good.exitCode()).isZero();
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("strategy.canary.steps[0].setWeight").contains("101");
    }

    @Test
    void anOverrideWithoutEqualsSignIsInvalidInputOfTheOption() {
        String example = EXAMPLES.resolve("canary-local-haproxy.yaml").toString();

        CliRun path = CliRun.of("validate", example, "--set", "version");
        CliRun word = CliRun.of("validate", example, "--set", "noequals", "--output", "json");

        assertThat(path.exitCode()).isEqualTo(2);
        assertThat(path.err()).startsWith("--set version: expected PATH=VALUE, e.g. --set version=1.5.0")
                .doesNotContain("is required", "\tat ");
        assertThat(path.out()).isEmpty();
        assertThat(word.exitCode()).isEqualTo(2);
        assertThat(word.err()).startsWith("--set noequals: expected PATH=VALUE, e.g. --set version=1.5.0")
                .doesNotContain("unknown field");
    }

    @Test
    void runRefusesAnOverrideWithoutEqualsSignBeforeStartingAnything() throws Exception {
        Path state = dir.resolve("state");

        CliRun run = CliRun.of("run", EXAMPLES.resolve("canary-local-haproxy.yaml").toString(), "--set", "version",
                "--state-dir", state.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--set version: expected PATH=VALUE, e.g. --set version=1.5.0");
        assertThat(state).satisfiesAnyOf(s -> assertThat(s).doesNotExist(), s -> assertThat(s).isEmptyDirectory());
    }

    @Test
    void jsonOutputIsOneDocumentAMachineCanRead() throws Exception {
        Path spec = dir.resolve("bad.json");
        Files.writeString(spec, "{\"name\": \"shop\"}");

        CliRun run = CliRun.of("validate", spec.toString(), "--output", "json");

        JsonNode doc = new ObjectMapper().readTree(run.out());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(doc.get("valid").asBoolean()).isFalse();
        assertThat(doc.get("problems")).isNotEmpty();
        assertThat(doc.get("problems").findValuesAsText("path")).contains("version", "target", "strategy");
    }

    @Test
    void aMissingFileIsInvalidInputNotACrash() {
        CliRun run = CliRun.of("validate", dir.resolve("nope.yaml").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("nope.yaml").doesNotContain("\tat ");
    }

    @Test
    void anUnknownFlagIsInvalidInput() {
        CliRun run = CliRun.of("validate", "docs/examples/canary-local-haproxy.yaml", "--frobnicate");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--frobnicate");
    }
}
