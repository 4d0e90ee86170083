package io.jenkins.plugins.progressive.hosts.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.jenkins.plugins.progressive.hosts.LoadGenerator;
import io.jenkins.plugins.progressive.hosts.demo.DemoService;
import io.jenkins.plugins.progressive.hosts.local.LocalProcesses;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two halves wired as the CLI wires them: the router takes each role's addresses from the workload. */
class LocalProcessesBehindHaproxyTest {

    @TempDir
    Path dir;

    @Test
    void aCanaryOfLocalProcessesThroughHaproxy() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classes = Path.of(DemoService.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .toString();
        LocalProcesses workload = new LocalProcesses(new Target.Local(List.of(java, "-XX:TieredStopAtLevel=1", "-cp",
                classes, DemoService.class.getName(), "--port", "{port}", "--version", "{version}"), 2,
                new Target.Readiness("/health", Duration.ofSeconds(20)), Optional.empty()), dir.resolve("state"),
                Duration.ofSeconds(2));
        try (HaproxyProcess haproxy = new HaproxyProcess(dir)) {
            HaproxyRouter router = new HaproxyRouter(new Traffic.Haproxy(haproxy.runtimeApi(), "shop"),
                    workload::addresses);
            router.check();
            workload.scale(Role.STABLE, "1.0", workload.size());
            workload.scale(Role.CANARY, "2.0", 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> workload.status(Role.STABLE).isReady("1.0", 2)
                    && workload.status(Role.CANARY).isReady("2.0", 1));

            router.setRoutes(Routes.canary(25));
            LoadGenerator load = LoadGenerator.run(haproxy.uri(), 2, 2_000);

            assertThat(load.failures()).as("failures %s", load.failureSamples()).isZero();
            assertThat(100.0 * load.count("2.0") / 2_000).isCloseTo(25, within(1.0));

            // Abort: all traffic back to stable first, then the canary goes away and leaves the backend.
            router.setRoutes(Routes.ALL_STABLE);
            workload.scale(Role.CANARY, "2.0", 0);
            router.setRoutes(Routes.ALL_STABLE);

            assertThat(router.weights()).containsOnlyKeys("stable-1", "stable-2");
            assertThat(LoadGenerator.run(haproxy.uri(), 2, 200).count("1.0")).isEqualTo(200);
        } finally {
            workload.scale(Role.STABLE, "1.0", 0);
            workload.scale(Role.CANARY, "2.0", 0);
        }
    }
}
