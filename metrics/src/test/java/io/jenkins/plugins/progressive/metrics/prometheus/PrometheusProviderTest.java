package io.jenkins.plugins.progressive.metrics.prometheus;

import static io.jenkins.plugins.progressive.metrics.Templates.judged;
import static io.jenkins.plugins.progressive.metrics.Templates.prometheus;
import static io.jenkins.plugins.progressive.metrics.Templates.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.metrics.Credentials;
import io.jenkins.plugins.progressive.metrics.MetricProviders;
import io.jenkins.plugins.progressive.metrics.PrometheusServer;
import io.jenkins.plugins.progressive.metrics.StubServer;
import io.jenkins.plugins.progressive.metrics.TestExporter;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Prometheus provider against a real Prometheus scraping {@link TestExporter}. */
class PrometheusProviderTest {

    private static final Map<String, String> VARS = Map.of("canary.version", "2.0", "stable.version", "1.0",
            "name", "shop", "namespace", "prod");

    private static TestExporter exporter;
    private static PrometheusServer prometheus;
    private final MetricProviders metrics = new MetricProviders(Credentials.none());

    @BeforeAll
    static void startPrometheus() {
        exporter = TestExporter.start()
                .counter("http_requests_total", Map.of("version", "1.0"), 100)
                .counter("http_requests_total", Map.of("version", "2.0"), 40)
                .counter("http_requests_total", Map.of("version", "we\"ird\\"), 7)
                .gauge("deploy_info", Map.of("app", "shop", "namespace", "prod", "version", "1.0"), 1)
                .gauge("queue_depth", Map.of(), 3);
        prometheus = PrometheusServer.start(Duration.ofSeconds(1), exporter.target());
        prometheus.awaitSeries("queue_depth");
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (exporter != null) {
            exporter.close();
        }
    }

    @Test
    void scalarQueryGivesOneNumber() {
        assertThat(value("scalar(sum(http_requests_total))", VARS)).isEqualTo(147.0);
    }

    @Test
    void vectorWithOneSeriesGivesOneNumber() {
        assertThat(value("http_requests_total{version=\"{{canary.version}}\"}", VARS)).isEqualTo(40.0);
    }

    @Test
    void vectorWithSeveralSeriesGivesAList() {
        assertThat(value("sort(http_requests_total)", VARS)).isEqualTo(List.of(7.0, 40.0, 100.0));
    }

    @Test
    void aStringExpressionGivesAString() {
        assertThat(value("\"{{canary.version}}\"", VARS)).isEqualTo("2.0");
    }

    @Test
    void aRangeSelectorInAnInstantQueryIsExplained() {
        assertThatThrownBy(() -> value("http_requests_total[10s]", VARS))
                .isInstanceOf(MetricException.class)
                .hasMessage("query 'http_requests_total[10s]' returns a range vector; wrap it in a function such as"
                        + " rate() or avg_over_time() to get one value per series");
    }

    @Test
    void allTemplateVariablesAreSubstituted() {
        String query = "deploy_info{app=\"{{name}}\", namespace=\"{{ namespace }}\", version=\"{{stable.version}}\"}";
        assertThat(value(query, VARS)).isEqualTo(1.0);
    }

    @Test
    void variableValuesAreEscapedInsideLabelMatchers() {
        Map<String, String> vars = Map.of("canary.version", "we\"ird\\");
        assertThat(value("http_requests_total{version=\"{{canary.version}}\"}", vars)).isEqualTo(7.0);
    }

    @Test
    void aVariableWithoutValueIsAnErrorNamingIt() {
        assertThatThrownBy(() -> value("http_requests_total{version=\"{{stable.version}}\"}",
                Map.of("canary.version", "2.0")))
                .isInstanceOf(MetricException.class)
                .hasMessageContaining("prometheus.query").hasMessageContaining("{{stable.version}}");
    }

    @Test
    void emptyVectorIsNoData() {
        assertThatThrownBy(() -> value("http_requests_total{version=\"9.9\"}", VARS))
                .isInstanceOf(MetricException.class)
                .hasMessageStartingWith("no data: ").hasMessageContaining("empty vector");
    }

    @Test
    void nanFromAScrapedGaugeIsAnError() {
        assertThat(value("queue_depth", VARS)).isEqualTo(3.0);
        exporter.gauge("queue_depth", Map.of(), Double.NaN);
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() -> value("queue_depth", VARS))
                    .isInstanceOf(MetricException.class).hasMessageContaining("NaN"));
        } finally {
            exporter.gauge("queue_depth", Map.of(), 3);
        }
    }

    @Test
    void nanAndInfinityFromArithmeticAreErrors() {
        assertThatThrownBy(() -> value("sum(deploy_info) * 0 / 0", VARS))
                .isInstanceOf(MetricException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> value("sum(deploy_info) / 0", VARS))
                .isInstanceOf(MetricException.class).hasMessageContaining("+Inf");
    }

    @Test
    void invalidPromqlQuotesPrometheus() {
        assertThatThrownBy(() -> value("sum(http_requests_total", VARS))
                .isInstanceOf(MetricException.class)
                .hasMessageContaining("rejected the query 'sum(http_requests_total'")
                .hasMessageContaining("bad_data")
                .hasMessageContaining("parse error");
    }

    @Test
    void rangeQueriesGiveCanaryAndBaselineSamples() {
        Duration range = Duration.ofSeconds(4);
        // Every step of the range must have data: wait until the series are older than the range.
        await().atMost(Duration.ofSeconds(20)).until(() -> exporter.firstScrape()
                .map(first -> first.isBefore(Instant.now().minus(range).minusSeconds(2))).orElse(false));
        AnalysisTemplate template = judged("latency", new AnalysisTemplate.Prometheus(prometheus.address(),
                Optional.empty(), Optional.of("http_requests_total{version=\"{{canary.version}}\"}"),
                Optional.of("http_requests_total{version=\"{{stable.version}}\"}"), Optional.of(range),
                Optional.of(Duration.ofSeconds(1)), Optional.empty(), Optional.empty()));

        MetricValue.Samples samples = (MetricValue.Samples) join(metrics.measure(template, VARS));

        assertThat(samples.canary()).hasSize(5).containsOnly(40.0);
        assertThat(samples.baseline()).hasSize(5).containsOnly(100.0);
    }

    @Test
    void severalSeriesInARangeAreFlattenedInTimeOrder() {
        Duration range = Duration.ofSeconds(4);
        await().atMost(Duration.ofSeconds(20)).until(() -> exporter.firstScrape()
                .map(first -> first.isBefore(Instant.now().minus(range).minusSeconds(2))).orElse(false));
        AnalysisTemplate template = judged("latency", new AnalysisTemplate.Prometheus(prometheus.address(),
                Optional.empty(), Optional.of("sort_desc(http_requests_total{version=~\"1.0|2.0\"})"),
                Optional.of("http_requests_total{version=\"1.0\"}"), Optional.of(range),
                Optional.of(Duration.ofSeconds(1)), Optional.empty(), Optional.empty()));

        MetricValue.Samples samples = (MetricValue.Samples) join(metrics.measure(template, VARS));

        // Both series at each of the 5 steps, one step after the other.
        assertThat(samples.canary()).hasSize(10).containsOnly(40.0, 100.0);
        for (int i = 0; i < 10; i += 2) {
            assertThat(new double[] {samples.canary()[i], samples.canary()[i + 1]}).containsExactlyInAnyOrder(40.0, 100.0);
        }
    }

    @Test
    void emptyRangeIsNoData() {
        AnalysisTemplate template = judged("latency", new AnalysisTemplate.Prometheus(prometheus.address(),
                Optional.empty(), Optional.of("http_requests_total{version=\"9.9\"}"),
                Optional.of("http_requests_total{version=\"1.0\"}"), Optional.of(Duration.ofSeconds(4)),
                Optional.of(Duration.ofSeconds(1)), Optional.empty(), Optional.empty()));
        assertThatThrownBy(() -> join(metrics.measure(template, VARS)))
                .isInstanceOf(MetricException.class)
                .hasMessageStartingWith("no data: canary query 'http_requests_total{version=\"9.9\"}'");
    }

    @Test
    void aJudgeWithoutRangeQueriesIsAClearError() {
        assertThatThrownBy(() -> join(metrics.measure(judged("latency", prometheus(prometheus.address(), "up")),
                VARS)))
                .isInstanceOf(MetricException.class)
                .hasMessageContaining("prometheus.canaryQuery and prometheus.baselineQuery");
    }

    @Test
    void checkReportsTheVersion() {
        assertThat(metrics.check(template("rate", prometheus(prometheus.address(), "up"))))
                .matches("Prometheus \\d+\\.\\d+\\.\\d+.* at " + prometheus.address());
    }

    @Test
    void serverDownIsAClearErrorAtOnce() throws Exception {
        String address = "http://127.0.0.1:" + unusedPort();
        AnalysisTemplate template = template("rate", prometheus(address, "up"));
        long start = System.nanoTime();
        assertThatThrownBy(() -> join(metrics.measure(template, VARS)))
                .isInstanceOf(MetricException.class)
                .hasMessage("Prometheus at " + address + " is not reachable: connection refused");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(() -> metrics.check(template))
                .isInstanceOf(MetricException.class)
                .hasMessage("Prometheus at " + address + " is not reachable: connection refused");
    }

    @Test
    void aServerThatNeverAnswersTimesOutWithinTheTemplatesTimeout() {
        try (StubServer silent = StubServer.start().neverAnswer("/")) {
            AnalysisTemplate template = template("rate", new AnalysisTemplate.Prometheus(silent.address(),
                    Optional.of("up"), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.of(Duration.ofMillis(500)), Optional.empty()));
            long start = System.nanoTime();
            assertThatThrownBy(() -> join(metrics.measure(template, VARS)))
                    .isInstanceOf(MetricException.class)
                    .hasMessage("Prometheus at " + silent.address() + " is not reachable: no answer within 500ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500 + 2000));
        }
    }

    @Test
    void bearerAndBasicCredentialsAreSentAndNeverShown() {
        String token = "t0k3n-never-shown";
        String password = "pa55-never-shown";
        String basic = "Basic " + Base64.getEncoder().encodeToString(("reader:" + password).getBytes());
        try (StubServer guard = authenticatingProxy(List.of("Bearer " + token, basic))) {
            MetricProviders withCredentials = new MetricProviders(Credentials.of(Map.of(
                    "prom-token", new Credentials.BearerToken(token),
                    "prom-basic", new Credentials.UsernamePassword("reader", password),
                    "prom-wrong", new Credentials.BearerToken("wrong-" + token))));
            String query = "http_requests_total{version=\"{{canary.version}}\"}";

            assertThat(result(withCredentials, guarded(guard, query, "prom-token"))).isEqualTo(40.0);
            assertThat(result(withCredentials, guarded(guard, query, "prom-basic"))).isEqualTo(40.0);
            assertThat(guard.requests()).extracting(r -> r.header("Authorization"))
                    .containsExactly("Bearer " + token, basic);
            assertThat(withCredentials.check(guarded(guard, query, "prom-basic"))).startsWith("Prometheus ");

            assertThatThrownBy(() -> result(withCredentials, guarded(guard, query, "prom-wrong")))
                    .isInstanceOf(MetricException.class)
                    .hasMessage("Prometheus at " + guard.address()
                            + " answered HTTP 401 Unauthorized: the credentials 'prom-wrong' were refused")
                    .satisfies(e -> assertThat(e.toString()).doesNotContain(token));
            assertThatThrownBy(() -> result(metrics, template("rate", prometheus(guard.address(), query))))
                    .isInstanceOf(MetricException.class)
                    .hasMessageContaining("401 Unauthorized: it needs credentials; set prometheus.credentials");
            assertThatThrownBy(() -> result(metrics, guarded(guard, query, "prom-token")))
                    .isInstanceOf(MetricException.class)
                    .hasMessage("prometheus.credentials: no credentials named 'prom-token'");
        }
    }

    /** Forwards to Prometheus only requests carrying one of {@code accepted} as Authorization. */
    private static StubServer authenticatingProxy(List<String> accepted) {
        HttpClient forward = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return StubServer.start().on("/", request -> {
            if (request.header("Authorization") == null || !accepted.contains(request.header("Authorization"))) {
                return new StubServer.Response(401, "text/plain", "Unauthorized");
            }
            try {
                HttpRequest.Builder to = HttpRequest.newBuilder(URI.create(prometheus.address() + request.path()
                        + (request.query() == null ? "" : "?" + request.query())));
                if ("POST".equals(request.method())) {
                    to.header("Content-Type", request.header("Content-Type"))
                            .POST(HttpRequest.BodyPublishers.ofString(request.body()));
                }
                HttpResponse<String> answer = forward.send(to.build(), HttpResponse.BodyHandlers.ofString());
                return StubServer.Response.json(answer.statusCode(), answer.body());
            } catch (Exception e) {
                return new StubServer.Response(502, "text/plain", e.toString());
            }
        });
    }

    private static AnalysisTemplate guarded(StubServer guard, String query, String credentials) {
        return template("rate", new AnalysisTemplate.Prometheus(guard.address(), Optional.of(query),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(credentials)));
    }

    private Object value(String query, Map<String, String> vars) {
        return ((MetricValue.Result) join(metrics.measure(template("q", prometheus(prometheus.address(), query)),
                vars))).value();
    }

    private static Object result(MetricProviders provider, AnalysisTemplate template) {
        return ((MetricValue.Result) join(provider.measure(template, VARS))).value();
    }

    static MetricValue join(java.util.concurrent.CompletionStage<MetricValue> stage) {
        try {
            return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int unusedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
