package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of {@code progressive run} during a pause: the next run resumes from the state directory. */
class CrashResumeTest {

    private static final String STRATEGY = """
              canary:
                steps:
                  - setWeight: 50
                  - pause: manual
                  - setWeight: 100
            """;

    @TempDir
    Path dir;

    @Test
    void runKilledDuringAPauseResumesAndFinishesAfterPromote() throws Exception {
        try (Rig rig = Rig.withStable(dir, Optional.empty())) {
            Path release = rig.write("release.yaml", rig.env.spec("2.0.0", STRATEGY, 1, Optional.empty()));

            Path firstLog = dir.resolve("first-run.log");
            Process first = runInChildJvm(rig, release, firstLog);
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> Files.readString(firstLog).contains("waiting for promote or abort"));
                assertThat(rig.env.routes().canary()).isEqualTo(50);
                // a second driver of the same rollout is refused while the first one lives
                CliRun twice = rig.run(release);
                assertThat(twice.exitCode()).isEqualTo(2);
                assertThat(twice.err()).contains("being driven by another progressive run");
            } finally {
                first.destroyForcibly(); // SIGKILL: no shutdown hook, no rollback
                first.waitFor(10, TimeUnit.SECONDS);
            }
            // The instances outlive the CLI and keep serving the split.
            assertThat(rig.env.routes().canary()).isEqualTo(50);
            List<String> canary = canaryInstances(rig);
            assertThat(canary).hasSize(1);
            CliRun paused = CliRun.of("status", "--state-dir", rig.stateDir.toString(), "--output", "json");
            assertThat(paused.exitCode()).as(paused.err()).isZero();
            assertThat(Rig.json(paused).path("phase").asText()).isEqualTo("PAUSED");

            Path secondLog = dir.resolve("second-run.log");
            Process second = runInChildJvm(rig, release, secondLog);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(secondLog).contains("resuming"));
                // The resumed run adopted the running canary: same process, same port, still serving.
                assertThat(canaryInstances(rig)).isEqualTo(canary);
                assertThat(rig.env.routes().canary()).isEqualTo(50);
                CliRun promote = CliRun.of("promote", "--full", "--state-dir", rig.stateDir.toString());
                assertThat(promote.exitCode()).as(promote.err()).isZero();

                assertThat(second.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(secondLog)).isTrue();
                assertThat(second.exitValue()).as(Files.readString(secondLog)).isZero();
            } finally {
                second.destroyForcibly();
            }
            assertThat(Files.readString(secondLog)).contains("SUCCEEDED").doesNotContain("rollout of 2.0.0 started");
            assertThat(rig.env.routes().stable()).isEqualTo(100);
            assertThat(rig.answers(20)).containsOnly("version=2.0.0");
            JsonNode status = Rig.json(CliRun.of("status", "--state-dir", rig.stateDir.toString(), "--output", "json"));
            assertThat(status.path("phase").asText()).isEqualTo("SUCCEEDED");

            // A finished release can be taken back: rollback drives it to the previous version.
            CliRun rollback = CliRun.of("rollback", "--spec", release.toString(), "--state-dir",
                    rig.stateDir.toString());
            assertThat(rollback.exitCode()).as(rollback.out() + rollback.err()).isZero();
            assertThat(rig.env.routes().stable()).isEqualTo(100);
            assertThat(rig.answers(10)).containsOnly("version=1.0.0");
        }
    }

    @Test
    void abortFromAnotherInvocationRollsBackAndTheRunExitsFive() throws Exception {
        try (Rig rig = Rig.withStable(dir, Optional.empty())) {
            Path release = rig.write("release.yaml", rig.env.spec("2.0.0", STRATEGY, 1, Optional.empty()));
            Path log = dir.resolve("run.log");
            Process run = runInChildJvm(rig, release, log);
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> Files.readString(log).contains("waiting for promote or abort"));

                CliRun abort = CliRun.of("abort", "--spec", release.toString(), "--reason", "bad smell",
                        "--state-dir", rig.stateDir.toString());
                assertThat(abort.exitCode()).as(abort.err()).isZero();

                assertThat(run.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
                assertThat(run.exitValue()).as(Files.readString(log)).isEqualTo(5);
            } finally {
                run.destroyForcibly();
            }
            assertThat(Files.readString(log)).contains("aborted: bad smell");
            assertThat(rig.env.routes().canary()).isZero();
            assertThat(rig.answers(10)).containsOnly("version=1.0.0");
        }
    }

    @Test
    void sigtermAbortsRollsBackAndExitsFive() throws Exception {
        try (Rig rig = Rig.withStable(dir, Optional.empty())) {
            Path release = rig.write("release.yaml", rig.env.spec("2.0.0", STRATEGY, 1, Optional.empty()));
            Path log = dir.resolve("run.log");
            Process run = runInChildJvm(rig, release, log);
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> Files.readString(log).contains("waiting for promote or abort"));
                assertThat(rig.env.routes().canary()).isEqualTo(50);

                run.destroy(); // SIGTERM, as Ctrl-C or a CI job's cancel sends

                assertThat(run.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
                assertThat(run.exitValue()).as(Files.readString(log)).isEqualTo(5);
            } finally {
                run.destroyForcibly();
            }
            assertThat(Files.readString(log)).contains("ABORTED");
            assertThat(rig.env.routes().canary()).isZero();
            assertThat(rig.answers(10)).containsOnly("version=1.0.0");
        }
    }

    /** The canary instances recorded in the state directory, as {@code pid:port}. */
    private static List<String> canaryInstances(Rig rig) throws IOException {
        JsonNode recorded = Rig.JSON.readTree(rig.stateDir.resolve("instances").resolve("demo")
                .resolve("instances.json").toFile());
        List<String> canary = new ArrayList<>();
        for (JsonNode i : recorded.path("instances")) {
            if (i.path("role").asText().equals("CANARY")) {
                canary.add(i.path("pid").asLong() + ":" + i.path("port").asInt());
            }
        }
        return canary;
    }

    private static Process runInChildJvm(Rig rig, Path spec, Path log) throws IOException {
        return CliRun.inChildJvm(log, "run", spec.toString(), "--state-dir", rig.stateDir.toString());
    }
}
