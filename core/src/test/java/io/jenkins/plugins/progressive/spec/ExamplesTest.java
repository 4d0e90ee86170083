package io.jenkins.plugins.progressive.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The examples under docs/examples are what users copy: each must be valid and mean what its comments say. */
class ExamplesTest {

    static final Path EXAMPLES = Path.of("..", "docs", "examples");

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @Test
    void everyPromisedExampleExists() throws IOException {
        assertThat(examples().map(p -> p.getFileName().toString())).contains(
                "canary-local-haproxy.yaml", "canary-kubernetes-istio.yaml", "canary-kubernetes-replicas.yaml",
                "bluegreen-kubernetes.yaml", "rolling-local-nginx.yaml", "canary-endpoints-haproxy.yaml",
                "canary-mannwhitney.yaml", "snapshot-kubernetes.yaml");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleIsValidAndSurvivesTheCanonicalTree(Path example) throws Exception {
        RolloutSpec spec = SpecReader.read(example, Map.of());
        assertThat(SpecReader.fromTree(SpecWriter.toTree(spec))).isEqualTo(spec);
    }

    @Test
    void canaryLocalHaproxy() throws Exception {
        RolloutSpec spec = read("canary-local-haproxy.yaml");
        assertThat(spec.target()).isEqualTo(new Target.Local(
                List.of("python3", "app.py", "--port", "{port}", "--version", "{version}"), 2,
                new Target.Readiness("/health", Duration.ofSeconds(30)), Optional.of("/tmp/shop-targets.json")));
        assertThat(spec.traffic()).isEqualTo(new Traffic.Haproxy("tcp:127.0.0.1:9999", "shop"));
        assertThat(spec.strategy().analysisNames()).containsExactly("error-rate", "latency-p99");
        assertThat(spec.analysis()).containsOnlyKeys("error-rate", "latency-p99");
        assertThat(spec.analysis().get("error-rate").count()).isEqualTo(4);
        assertThat(spec.backgroundAnalysis()).containsExactly("error-rate");
        assertThat(spec.snapshot()).isEqualTo(SnapshotSpec.DISABLED);
    }

    @Test
    void canaryKubernetesIstio() throws Exception {
        RolloutSpec spec = read("canary-kubernetes-istio.yaml");
        Target.Kubernetes k = (Target.Kubernetes) spec.target();
        assertThat(k.imageFor(spec.version())).isEqualTo("registry.example.com/shop/checkout:2.7.0");
        assertThat(spec.traffic()).isEqualTo(new Traffic.Istio("checkout", "primary"));
        Strategy.Canary canary = (Strategy.Canary) spec.strategy();
        assertThat(canary.steps()).last().isEqualTo(new Strategy.CanaryStep.Pause(Optional.empty()));
        assertThat(spec.analysis().get("success-rate").inconclusiveLimit()).isEqualTo(1);
    }

    @Test
    void canaryKubernetesReplicasUsesTheReplicaRatio() throws Exception {
        RolloutSpec spec = read("canary-kubernetes-replicas.yaml");
        assertThat(spec.traffic()).isEqualTo(new Traffic.Replicas());
        assertThat(spec.analysis().get("errors").consecutiveErrorLimit()).isEqualTo(2);
    }

    @Test
    void blueGreenKubernetes() throws Exception {
        RolloutSpec spec = read("bluegreen-kubernetes.yaml");
        assertThat(spec.strategy()).isEqualTo(new Strategy.BlueGreen(Optional.of("payments-preview"),
                List.of("smoke"), List.of("error-rate"), true, Duration.ofMinutes(5)));
        AnalysisTemplate smoke = spec.analysis().get("smoke");
        assertThat(smoke.query()).isEqualTo(new AnalysisTemplate.Web("http://127.0.0.1:8080/health", "GET",
                Map.of(), Optional.empty(), "$.status", Optional.of(Duration.ofSeconds(5))));
        assertThat(smoke.successCondition()).contains("result == \"ok\"");
    }

    @Test
    void rollingLocalNginx() throws Exception {
        RolloutSpec spec = read("rolling-local-nginx.yaml");
        Strategy.Rolling rolling = (Strategy.Rolling) spec.strategy();
        assertThat(rolling.batches()).extracting(Strategy.Batch::toString).containsExactly("25%", "50%", "75%", "100%");
        assertThat(rolling.pauseBetweenBatches()).isEqualTo(Duration.ofSeconds(30));
        assertThat(spec.traffic()).isInstanceOf(Traffic.Nginx.class);
        assertThat(spec.onFailure()).isEqualTo(OnFailure.PAUSE);
    }

    @Test
    void canaryEndpointsHaproxy() throws Exception {
        RolloutSpec spec = read("canary-endpoints-haproxy.yaml");
        assertThat(spec.target()).isEqualTo(new Target.Endpoints(List.of("127.0.0.1:8081", "127.0.0.1:8082"),
                List.of("127.0.0.1:8091")));
        assertThat(spec.traffic()).isEqualTo(new Traffic.Haproxy("unix:/run/haproxy/admin.sock", "gateway"));
    }

    @Test
    void canaryMannWhitney() throws Exception {
        AnalysisTemplate latency = read("canary-mannwhitney.yaml").analysis().get("latency");
        assertThat(latency.judge()).contains(new AnalysisTemplate.Judge(AnalysisTemplate.Direction.INCREASE, 0.98, 0.25));
        AnalysisTemplate.Prometheus p = (AnalysisTemplate.Prometheus) latency.query();
        assertThat(p.query()).isEmpty();
        assertThat(p.canaryQuery().orElseThrow()).contains("{{canary.version}}");
        assertThat(p.baselineQuery().orElseThrow()).contains("{{stable.version}}");
        assertThat(p.range()).contains(Duration.ofMinutes(5));
        assertThat(p.step()).contains(Duration.ofSeconds(5));
    }

    @Test
    void snapshotKubernetes() throws Exception {
        SnapshotSpec s = read("snapshot-kubernetes.yaml").snapshot();
        assertThat(s.enabled()).isTrue();
        assertThat(s.store()).startsWith("s3://progressive-snapshots/shop?");
        assertThat(s.includeKinds()).contains("secrets");
        assertThat(s.excludeKinds()).containsExactly("events");
        assertThat(s.encryptionKey()).contains(new SnapshotSpec.KeySource.Env("PROGRESSIVE_SNAPSHOT_KEY"));
        assertThat(s.preHooks()).singleElement().isInstanceOf(SnapshotSpec.Hook.Exec.class);
        assertThat(s.restoreHooks()).singleElement().isInstanceOf(SnapshotSpec.Hook.Local.class);
    }

    private static RolloutSpec read(String name) throws InvalidSpecException {
        return SpecReader.read(EXAMPLES.resolve(name), Map.of());
    }
}
