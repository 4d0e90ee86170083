package io.jenkins.plugins.progressive.hosts.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.progressive.hosts.demo.DemoService;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.spec.Target;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProcessesTest {

    private static final Duration STARTUP = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<LocalProcesses> workloads = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stopEverything() {
        for (LocalProcesses workload : workloads) {
            for (LocalProcesses.Info info : workload.instances()) {
                ProcessHandle.of(info.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** The demo service as a separate JVM: the real thing a local target runs. */
    private static List<String> demoCommand(String port) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classes = Path.of(DemoService.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .toString();
        return List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classes, DemoService.class.getName(),
                "--port", port, "--version", "{version}");
    }

    private LocalProcesses workload(List<String> command, Optional<String> fileSd) {
        LocalProcesses workload = new LocalProcesses(new Target.Local(command, 2,
                new Target.Readiness("/health", Duration.ofSeconds(20)), fileSd), dir.resolve("state"),
                Duration.ofSeconds(1));
        workloads.add(workload);
        return workload;
    }

    private String get(String address) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body().trim();
    }

    @Test
    void startsInstancesWaitsForReadinessAndStopsThem() throws Exception {
        Path fileSd = dir.resolve("sd/targets.json");
        LocalProcesses workload = workload(demoCommand("{port}"), Optional.of(fileSd.toString()));

        workload.scale(Role.STABLE, "1.0", 2);
        workload.scale(Role.CANARY, "2.0", 1);

        assertThat(workload.size()).isEqualTo(2);
        await().atMost(STARTUP).until(() -> workload.status(Role.STABLE).isReady("1.0", 2)
                && workload.status(Role.CANARY).isReady("2.0", 1));
        assertThat(workload.addresses(Role.STABLE)).hasSize(2);
        for (String address : workload.addresses(Role.STABLE)) {
            assertThat(get(address)).isEqualTo("version=1.0");
        }
        assertThat(get(workload.addresses(Role.CANARY).get(0))).isEqualTo("version=2.0");

        JsonNode groups = new ObjectMapper().readTree(fileSd.toFile());
        assertThat(groups).hasSize(2);
        assertThat(groups.get(0).get("labels").get("role").asText()).isEqualTo("stable");
        assertThat(groups.get(0).get("labels").get("version").asText()).isEqualTo("1.0");
        assertThat(groups.get(0).get("targets")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrderElementsOf(workload.addresses(Role.STABLE));
        assertThat(groups.get(1).get("labels").get("role").asText()).isEqualTo("canary");
        assertThat(groups.get(1).get("targets").get(0).asText()).isEqualTo(workload.addresses(Role.CANARY).get(0));

        List<Long> pids = workload.instances().stream().map(LocalProcesses.Info::pid).toList();
        workload.scale(Role.CANARY, "2.0", 0);
        workload.scale(Role.STABLE, "1.0", 0);

        await().atMost(Duration.ofSeconds(10)).until(() -> pids.stream().noneMatch(
                pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        assertThat(workload.status(Role.STABLE).isReady("1.0", 0)).isTrue();
        assertThat(workload.instances()).isEmpty();
        assertThat(new ObjectMapper().readTree(fileSd.toFile())).isEmpty();
    }

    @Test
    void repeatingScaleStartsNothingNewAndANewVersionReplacesTheOld() {
        LocalProcesses workload = workload(demoCommand("{port}"), Optional.empty());
        workload.scale(Role.CANARY, "2.0", 1);
        long pid = workload.instances().get(0).pid();

        workload.scale(Role.CANARY, "2.0", 1);
        assertThat(workload.instances()).extracting(LocalProcesses.Info::pid).containsExactly(pid);

        workload.scale(Role.CANARY, "2.1", 1);
        assertThat(workload.instances()).extracting(LocalProcesses.Info::version).containsExactly("2.1");
        await().atMost(STARTUP).until(() -> workload.status(Role.CANARY).isReady("2.1", 1));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aProcessThatExitsBeforeReadyIsAFailureWithItsExitCodeAndStderr() {
        LocalProcesses workload = workload(List.of("sh", "-c", "echo starting; echo 'cannot open db' >&2; exit 3"),
                Optional.empty());

        workload.scale(Role.CANARY, "2.0", 1);

        await().atMost(Duration.ofSeconds(10)).until(() -> workload.status(Role.CANARY).failure().isPresent());
        RoleStatus status = workload.status(Role.CANARY);
        assertThat(status.failure().get()).contains("canary-1 (version 2.0)").contains("exited with exit code 3")
                .contains("before it was ready").contains("cannot open db").doesNotContain("starting");
        assertThat(status.ready()).isZero();
    }

    @Test
    void aPortInUseIsAClearFailure() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            LocalProcesses workload = workload(demoCommand(Integer.toString(busy.getLocalPort())), Optional.empty());

            workload.scale(Role.STABLE, "1.0", 1);

            await().atMost(STARTUP).until(() -> workload.status(Role.STABLE).failure().isPresent());
            assertThat(workload.status(Role.STABLE).failure().get()).contains("exited with exit code 2")
                    .contains("port " + busy.getLocalPort() + " is already in use");
        }
    }

    @Test
    void aCommandThatCannotStartIsAFailure() {
        LocalProcesses workload = workload(List.of("/nonexistent/app", "--port", "{port}"), Optional.empty());

        workload.scale(Role.STABLE, "1.0", 1);

        assertThat(workload.status(Role.STABLE).failure()).hasValueSatisfying(
                f -> assertThat(f).startsWith("cannot start stable-1 (version 1.0)").contains("/nonexistent/app"));
    }

    @Test
    void aNewWorkloadOnTheSameStateDirectoryAdoptsTheRunningInstances() throws Exception {
        LocalProcesses first = workload(demoCommand("{port}"), Optional.empty());
        first.scale(Role.STABLE, "1.0", 1);
        await().atMost(STARTUP).until(() -> first.status(Role.STABLE).isReady("1.0", 1));
        LocalProcesses.Info running = first.instances().get(0);

        LocalProcesses resumed = workload(demoCommand("{port}"), Optional.empty());

        assertThat(resumed.instances()).extracting(LocalProcesses.Info::pid).containsExactly(running.pid());
        assertThat(resumed.status(Role.STABLE).isReady("1.0", 1)).isTrue();
        assertThat(resumed.addresses(Role.STABLE)).containsExactly(running.address());
        resumed.scale(Role.STABLE, "1.0", 1);
        assertThat(resumed.instances()).extracting(LocalProcesses.Info::pid).containsExactly(running.pid());

        resumed.scale(Role.STABLE, "1.0", 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(running.pid()).isEmpty()
                || !ProcessHandle.of(running.pid()).get().isAlive());
    }

    @Test
    void aRecordedPidNowRunningAnotherCommandIsNotAdopted() throws Exception {
        LocalProcesses first = workload(List.of("sleep", "{version}"), Optional.empty());
        first.scale(Role.STABLE, "30", 1);
        long pid = first.instances().get(0).pid();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        // The recorded pid now belongs to another live process (this JVM), as after a pid wrap-around.
        Path state = dir.resolve("state/instances.json");
        long other = ProcessHandle.current().pid();
        Files.writeString(state, Files.readString(state).replace("\"pid\" : " + pid, "\"pid\" : " + other));

        LocalProcesses resumed = workload(List.of("sleep", "{version}"), Optional.empty());

        assertThat(resumed.instances()).singleElement().satisfies(i -> assertThat(i.alive()).isFalse());
        assertThat(resumed.status(Role.STABLE).failure()).hasValueSatisfying(
                f -> assertThat(f).isEqualTo("stable-1 (version 30) (pid " + other + ", port "
                        + first.instances().get(0).port() + ") is no longer running (exit code unknown)"));
        resumed.scale(Role.STABLE, "30", 0);
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void anInstanceIgnoringSigtermIsKilledAfterTheGracePeriod() {
        LocalProcesses workload = workload(List.of("sh", "-c", "trap '' TERM; while :; do sleep 0.1; done"),
                Optional.empty());
        workload.scale(Role.STABLE, "1.0", 1);
        long pid = workload.instances().get(0).pid();

        workload.scale(Role.STABLE, "1.0", 0);

        assertThat(workload.status(Role.STABLE).isReady("1.0", 0)).as("still shutting down").isFalse();
        assertThat(workload.addresses(Role.STABLE)).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        assertThat(workload.status(Role.STABLE).isReady("1.0", 0)).isTrue();
    }

    @Test
    void badParametersAreRefused() {
        assertThatThrownBy(() -> workload(List.of(), Optional.empty()))
                .hasMessage("target.local.command must not be empty");
        LocalProcesses workload = workload(List.of("true"), Optional.empty());
        assertThatThrownBy(() -> workload.scale(Role.STABLE, "1.0", -1)).hasMessage("replicas must be >= 0, got -1");
        assertThat(Stream.of(Role.values()).map(workload::status)).allMatch(s -> s.desired() == 0);
    }
}
