package io.jenkins.plugins.progressive.hosts.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.progressive.hosts.demo.DemoService;
import io.jenkins.plugins.progressive.hosts.snapshot.HostObjects;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.snapshot.CaptureOptions;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.SnapshotContents;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.SnapshotStores;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local target's instances in a snapshot: recorded, and a process that is gone started again on its port. */
class LocalInstancesSnapshotTest {

    private static final Duration STARTUP = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private Target.Local target;

    @AfterEach
    void stopEverything() {
        if (target != null) {
            for (LocalProcesses.Info info : new LocalProcesses(target, dir.resolve("state")).instances()) {
                ProcessHandle.of(info.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static List<String> demoCommand() {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classes = Path.of(DemoService.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .toString();
        return List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classes, DemoService.class.getName(),
                "--port", "{port}", "--version", "{version}");
    }

    private String get(String address) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + address + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body().trim();
    }

    @Test
    void restoreStartsAGoneInstanceAgainOnItsPortAndReportsOnesNotInTheSnapshot() throws Exception {
        target = new Target.Local(demoCommand(), 1, new Target.Readiness("/health", Duration.ofSeconds(20)),
                Optional.empty());
        Path state = dir.resolve("state");
        LocalProcesses workload = new LocalProcesses(target, state, Duration.ofSeconds(1));
        workload.scale(Role.STABLE, "1.0", 1);
        await().atMost(STARTUP).until(() -> workload.status(Role.STABLE).isReady("1.0", 1));
        LocalProcesses.Info stable = workload.instances().get(0);

        HostObjects objects = new HostObjects("shop", target, new Traffic.Replicas(), Optional.of(state));
        SnapshotStore store = SnapshotStores.open("file:" + dir.resolve("snapshots"));
        Manifest m = Snapshots.capture(objects, SnapshotSpec.DISABLED, store, KeyProvider.none(),
                CaptureOptions.forRollout("shop"));
        JsonNode recorded = Snapshots.load(store, m.id(), KeyProvider.none()).items().stream()
                .map(SnapshotContents.Item::object).flatMap(Optional::stream).findFirst().orElseThrow();
        assertThat(recorded.path("kind").asText()).isEqualTo("LocalInstances");
        assertThat(recorded.path("spec").path("instances").get(0).toString())
                .isEqualTo("{\"address\":\"" + stable.address() + "\",\"index\":1,\"port\":" + stable.port()
                        + ",\"role\":\"stable\",\"version\":\"1.0\"}");
        assertThat(recorded.path("status").path("instances").get(0).path("pid").asLong()).isEqualTo(stable.pid());

        // The stable process dies; a canary that the snapshot does not know runs.
        ProcessHandle victim = ProcessHandle.of(stable.pid()).orElseThrow();
        victim.destroyForcibly();
        victim.onExit().get();
        workload.scale(Role.CANARY, "2.0", 1);
        await().atMost(STARTUP).until(() -> workload.status(Role.CANARY).isReady("2.0", 1));

        Snapshots.restore(store, m.id(), KeyProvider.none(),
                RestoreOptions.defaults().withExisting(RestoreOptions.Existing.UPDATE), objects);

        await().atMost(STARTUP).until(() -> {
            try {
                return get(stable.address()).contains("1.0");
            } catch (java.io.IOException e) {
                return false;
            }
        });
        LocalProcesses adopted = new LocalProcesses(target, state, Duration.ofSeconds(1));
        assertThat(adopted.instances()).anySatisfy(i -> {
            assertThat(i.role()).isEqualTo(Role.STABLE);
            assertThat(i.port()).isEqualTo(stable.port());
            assertThat(i.alive()).isTrue();
            assertThat(i.pid()).isNotEqualTo(stable.pid());
        });
        assertThat(objects.notes()).singleElement().asString()
                .startsWith("canary-1 (version 2.0, port ").endsWith("runs but is not in the snapshot; left running");
    }
}
