package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.progressive.rollout.Routes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: a clear message, exit 2, and HAProxy serves exactly what it served before. */
class BadInputTest {

    @TempDir
    static Path dir;

    private static Rig rig;
    private static Path release;

    @BeforeAll
    static void stableBehindHaproxy() throws Exception {
        rig = Rig.withStable(dir, Optional.empty());
        release = rig.write("release.yaml", rig.env.spec("2.0.0", "canary", Optional.empty()));
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    private static CliRun rejected(String... args) {
        Map<String, Integer> before = rig.env.weights();
        Routes routesBefore = rig.env.routes();

        CliRun run = CliRun.of(args);

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.err()).doesNotContain("Exception", "\tat ");
        assertThat(rig.env.weights()).isEqualTo(before);
        assertThat(rig.env.routes()).isEqualTo(routesBefore);
        // no rollout of 2.0.0 was started: the state directory still holds only the finished 1.0.0 release
        CliRun status = CliRun.of("status", "--state-dir", rig.stateDir.toString(), "--output", "json");
        assertThat(status.exitCode()).as(status.err()).isZero();
        try {
            JsonNode doc = Rig.json(status);
            assertThat(doc.path("version").asText()).isEqualTo("1.0.0");
            assertThat(doc.path("phase").asText()).isEqualTo("SUCCEEDED");
        } catch (IOException e) {
            throw new AssertionError(status.out(), e);
        }
        return run;
    }

    private static String[] run(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("run", release.toString(), "--state-dir",
                rig.stateDir.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void anInvalidSpecNamesTheFieldAndTheAllowedValues() {
        CliRun run = rejected(run("--set", "onFailure=explode"));
        assertThat(run.err()).contains("onFailure").contains("rollback");
    }

    @Test
    void aMissingHaproxySocketIsNamed() {
        CliRun run = rejected(run("--set", "traffic.haproxy.runtimeApi=unix:" + dir.resolve("no-such.sock")));
        assertThat(run.err()).contains("traffic.haproxy.runtimeApi").contains("no-such.sock");
    }

    @Test
    void anUnknownBackendListsTheBackendsThatExist() {
        CliRun run = rejected(run("--set", "traffic.haproxy.backend=nope"));
        assertThat(run.err()).contains("traffic.haproxy.backend").contains("'nope' does not exist").contains("demo");
    }

    @Test
    void anUnreachablePrometheusIsRefusedBeforeAnyChange() throws IOException {
        int unused;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            unused = s.getLocalPort();
        }
        CliRun run = rejected(run("--set", "analysis.error-rate.prometheus.address=http://127.0.0.1:" + unused));
        assertThat(run.err()).contains("analysis.error-rate.prometheus.address").contains(String.valueOf(unused));
    }

    @Test
    void aDemoPortInUseIsNamedAndNothingStarts() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRun run = rejected("demo", "canary", "--port", String.valueOf(taken.getLocalPort()));
            assertThat(run.err()).contains("--port " + taken.getLocalPort()).contains("already in use");
        }
    }

    @Test
    void aSnapshotSelectionALocalTargetCannotHonourIsRefusedBeforeTheRolloutStarts() {
        CliRun run = rejected(run("--set", "snapshot.enabled=true", "--set", "snapshot.include.labelSelector=app=shop"));
        assertThat(run.err()).contains("snapshot.include.labelSelector")
                .contains("a target.local snapshot always holds its router configuration and instances");
    }

    @Test
    void aKubernetesTargetWithoutAKubeconfigIsRefused() throws IOException {
        Path spec = rig.write("k8s.yaml", """
                name: shop
                version: "1.4.2"
                target:
                  kubernetes: {namespace: prod, deployment: shop, container: shop, image: registry/shop}
                strategy:
                  canary:
                    steps: [{setWeight: 50}]
                """);
        Path missing = dir.resolve("no-such-kubeconfig");
        CliRun run = rejected("run", spec.toString(), "--state-dir", rig.stateDir.toString(), "--kubeconfig",
                missing.toString());
        assertThat(run.err()).contains("target.kubernetes: --kubeconfig: " + missing + " does not exist");
    }

    @Test
    void controlCommandsWithoutARolloutSayWhichOnesExist() {
        CliRun run = rejected("promote", "nope@local/x", "--state-dir", rig.stateDir.toString());
        assertThat(run.err()).contains("no rollout 'nope@local/x'").contains("demo@local");
    }
}
