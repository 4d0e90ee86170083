package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.progressive.cli.demo.DemoEnvironment;
import io.jenkins.plugins.progressive.hosts.haproxy.HaproxyRouter;
import io.jenkins.plugins.progressive.hosts.local.LocalProcesses;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots of a local target behind a real HAProxy: the snapshot commands and a rollout's own snapshot. */
class HostSnapshotTest {

    @TempDir
    Path dir;

    private static String withSnapshot(String spec, Path store) {
        return spec + "snapshot:\n  enabled: true\n  store: \"file:" + store + "\"\n";
    }

    @Test
    void snapshotCreateShowAndRestorePutBackHaproxyAndAGoneInstance() throws Exception {
        try (Rig rig = Rig.withStable(dir, Optional.empty())) {
            Path store = dir.resolve("snapshots");
            Path spec = rig.write("snap.yaml", withSnapshot(rig.env.spec("1.0.0", "canary", Optional.empty()), store));
            Map<String, Integer> weights = rig.env.weights();

            CliRun created = CliRun.of("snapshot", "create", spec.toString(), "--state-dir", rig.stateDir.toString());
            assertThat(created.exitCode()).as(created.err()).isZero();
            assertThat(created.out()).contains("HaproxyBackend.routers.progressive.jenkins.io: 1")
                    .contains("LocalInstances.instances.progressive.jenkins.io: 1");
            String id = created.out().strip().lines().reduce((a, b) -> b).orElseThrow();

            CliRun shown = CliRun.of("snapshot", "show", id, "--spec", spec.toString(), "--output", "json");
            assertThat(shown.exitCode()).as(shown.err()).isZero();
            assertThat(shown.out()).contains("HaproxyBackend").contains("LocalInstances");

            // The router is changed by hand and the stable instance dies.
            RolloutSpec rollout = SpecReader.read(spec, Map.of());
            HaproxyRouter router = new HaproxyRouter((Traffic.Haproxy) rollout.traffic(), r -> List.of());
            List<HaproxyRouter.BackendServer> changed = new ArrayList<>();
            router.backendServers(DemoEnvironment.BACKEND).forEach(s -> changed.add(
                    new HaproxyRouter.BackendServer(s.name(), s.address(), 3, s.state())));
            router.restoreServers(DemoEnvironment.BACKEND, changed);
            assertThat(rig.env.weights()).isNotEqualTo(weights);
            LocalProcesses processes = new LocalProcesses((Target.Local) rollout.target(),
                    new Platforms(rig.stateDir).instancesDir(rollout));
            LocalProcesses.Info stable = processes.instances().stream().filter(i -> i.role() == Role.STABLE
                    && i.alive()).findFirst().orElseThrow();
            ProcessHandle victim = ProcessHandle.of(stable.pid()).orElseThrow();
            victim.destroyForcibly();
            victim.onExit().get();

            CliRun dry = CliRun.of("snapshot", "restore", id, "--spec", spec.toString(), "--state-dir",
                    rig.stateDir.toString(), "--existing", "update", "--dry-run");
            assertThat(dry.exitCode()).as(dry.err()).isZero();
            assertThat(dry.out()).contains("update   HaproxyBackend demo").contains("dry run: nothing was changed");
            assertThat(rig.env.weights()).isNotEqualTo(weights);

            CliRun restored = CliRun.of("snapshot", "restore", id, "--spec", spec.toString(), "--state-dir",
                    rig.stateDir.toString(), "--existing", "update");

            assertThat(restored.exitCode()).as(restored.out() + restored.err()).isZero();
            assertThat(rig.env.weights()).isEqualTo(weights);
            await().atMost(Duration.ofSeconds(30)).until(() -> Rig.accepting(stable.port()));
            assertThat(rig.env.routes().stable()).isEqualTo(100);
        }
    }

    @Test
    void aRolloutWithSnapshotEnabledOnALocalTargetReportsItsSnapshotAndRollbackRestoresIt() throws Exception {
        try (Rig rig = Rig.withStable(dir, Optional.of("2.0.0"))) {
            Map<String, Integer> before = rig.env.weights();
            rig.env.startLoad();
            Path store = dir.resolve("snapshots");
            Path release = rig.write("release.yaml",
                    withSnapshot(rig.env.spec("2.0.0", "canary", Optional.of("2.0.0")), store));

            CliRun run = rig.run(release, "--output", "json");

            assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
            JsonNode doc = Rig.json(run);
            String id = doc.path("snapshotId").asText();
            assertThat(id).matches("\\d{8}T\\d{9}Z-[0-9a-f]{6}");
            List<String> messages = new ArrayList<>();
            doc.path("events").forEach(e -> messages.add(e.path("kind").asText() + ": " + e.path("message").asText()));
            assertThat(messages).contains("snapshot: snapshot " + id + " taken", "rollback: snapshot " + id + " restored");
            assertThat(rig.env.weights()).isEqualTo(before);
            CliRun shown = CliRun.of("snapshot", "show", id, "--spec", release.toString());
            assertThat(shown.exitCode()).as(shown.err()).isZero();
            assertThat(shown.out()).contains("HaproxyBackend");
        }
    }
}
