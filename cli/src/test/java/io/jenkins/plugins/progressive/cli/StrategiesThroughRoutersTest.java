package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.progressive.cli.demo.LoadGenerator;
import io.jenkins.plugins.progressive.hosts.nginx.NginxProcess;
import io.jenkins.plugins.progressive.hosts.nginx.NginxRouter;
import io.jenkins.plugins.progressive.cli.demo.DemoEnvironment;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every strategy through each router, end to end: {@code progressive run} with local demo instances, real
 * HAProxy or nginx in front, the gate in real Prometheus, and a load generator counting every failed
 * request while the release moves.
 */
class StrategiesThroughRoutersTest {

    enum Router { HAPROXY, NGINX }

    enum Strategy {
        CANARY(1, """
                  canary:
                    steps:
                      - setWeight: 50
                      - analysis: [error-rate]
                      - setWeight: 100
                """),
        BLUE_GREEN(1, """
                  blueGreen: {postPromotionAnalysis: [error-rate], autoPromotion: true, scaleDownDelay: 1s}
                """),
        ROLLING(2, """
                  rolling: {batches: ["50%", "100%"], analysis: [error-rate]}
                """);

        final int instances;
        final String yaml;

        Strategy(int instances, String yaml) {
            this.instances = instances;
            this.yaml = yaml;
        }
    }

    @TempDir
    Path dir;

    static Stream<Arguments> everyStrategyThroughEachRouter() {
        return Stream.of(Router.values()).flatMap(r -> Stream.of(Strategy.values()).map(s -> Arguments.of(r, s)));
    }

    @ParameterizedTest(name = "{1} through {0}")
    @MethodSource("everyStrategyThroughEachRouter")
    void aGoodReleaseSucceedsUnderLoadWithoutOneFailedRequest(Router router, Strategy strategy) throws Exception {
        try (Rig rig = Rig.start(dir); Front front = Front.of(router, rig, dir)) {
            released(rig, front, strategy);
            Path release = rig.write("release.yaml", front.spec(rig, "2.0.0", strategy, Optional.empty()));

            LoadGenerator load = LoadGenerator.start(front.uri());
            CliRun run = runThenStop(rig, release, load);

            assertThat(run.exitCode()).as(run.err()).isZero();
            JsonNode doc = Rig.json(run);
            assertThat(doc.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(doc.path("measurements").size()).as("the gate measured").isPositive();
            assertThat(load.failed()).as("failed requests while the release moved: %s", load.answers()).isZero();
            assertThat(load.answers()).containsKey("version=2.0.0");
            assertThat(front.routes()).isEqualTo(Routes.ALL_STABLE);
            assertThat(front.answers(20)).containsOnly("version=2.0.0");
        }
    }

    @ParameterizedTest(name = "canary through {0}")
    @EnumSource(Router.class)
    void aFailingGateRollsBackToAllStable(Router router) throws Exception {
        try (Rig rig = Rig.start(dir); Front front = Front.of(router, rig, dir)) {
            released(rig, front, Strategy.CANARY);
            Path release = rig.write("release.yaml", front.spec(rig, "2.0.0", Strategy.CANARY, Optional.of("2.0.0")));

            CliRun run = runThenStop(rig, release, LoadGenerator.start(front.uri()));

            assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
            assertThat(Rig.json(run).path("status").asText()).isEqualTo("ROLLED_BACK");
            assertThat(front.routes()).isEqualTo(Routes.ALL_STABLE);
            assertThat(front.answers(20)).containsOnly("version=1.0.0");
        }
    }

    /** {@code run --output json} of {@code release}, then the load stops. */
    private static CliRun runThenStop(Rig rig, Path release, LoadGenerator load) {
        try {
            return rig.run(release, "--output", "json");
        } finally {
            load.close();
        }
    }

    /** 1.0.0 released through the router (a first release: straight to 100%). */
    private static void released(Rig rig, Front front, Strategy strategy) throws Exception {
        Path stable = rig.write("stable.yaml", front.spec(rig, "1.0.0", strategy, Optional.empty()));
        CliRun first = rig.run(stable);
        assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
        assertThat(front.answers(5)).containsOnly("version=1.0.0");
    }

    /** The router in front of the instances: the rig's HAProxy, or an nginx of its own. */
    private record Front(Router router, URI uri, String traffic, Optional<NginxProcess> nginx, Rig rig)
            implements AutoCloseable {

        static Front of(Router router, Rig rig, Path dir) throws IOException {
            if (router == Router.HAPROXY) {
                return new Front(router, rig.env.uri(), "haproxy: {runtimeApi: \"" + rig.env.runtimeApi()
                        + "\", backend: " + DemoEnvironment.BACKEND + "}", Optional.empty(), rig);
            }
            Path nginxDir = dir.resolve("nginx");
            java.nio.file.Files.createDirectories(nginxDir);
            NginxProcess nginx = new NginxProcess(nginxDir, "127.0.0.1:1");
            String reload = nginx.reloadCommand.stream().map(a -> "\"" + a + "\"")
                    .collect(Collectors.joining(", ", "[", "]"));
            return new Front(router, nginx.uri(), "nginx: {upstreamFile: \"" + nginx.upstreamFile
                    + "\", upstream: shop, reloadCommand: " + reload + "}", Optional.of(nginx), rig);
        }

        String spec(Rig rig, String version, Strategy strategy, Optional<String> failing) throws IOException {
            return rig.env.spec(version, strategy.yaml, strategy.instances, failing, traffic);
        }

        /** What the router serves, read back from the router itself. */
        Routes routes() {
            if (nginx.isEmpty()) {
                return rig.env.routes();
            }
            return new NginxRouter(new Traffic.Nginx(nginx.get().upstreamFile.toString(), "shop",
                    nginx.get().reloadCommand), r -> List.of()).getRoutes();
        }

        List<String> answers(int n) throws IOException, InterruptedException {
            return Rig.answers(uri, n);
        }

        @Override
        public void close() {
            nginx.ifPresent(NginxProcess::close);
        }
    }
}
