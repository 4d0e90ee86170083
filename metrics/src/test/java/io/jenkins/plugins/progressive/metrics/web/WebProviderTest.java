package io.jenkins.plugins.progressive.metrics.web;

import static io.jenkins.plugins.progressive.metrics.Templates.template;
import static io.jenkins.plugins.progressive.metrics.Templates.web;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.metrics.Credentials;
import io.jenkins.plugins.progressive.metrics.MetricProviders;
import io.jenkins.plugins.progressive.metrics.StubServer;
import io.jenkins.plugins.progressive.metrics.StubServer.Response;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebProviderTest {

    private static final Map<String, String> VARS = Map.of("canary.version", "1.4.2", "stable.version", "1.4.1",
            "name", "shop", "namespace", "prod");

    private final StubServer server = StubServer.start();
    private final MetricProviders metrics = new MetricProviders(
            Credentials.of(Map.of("api", new Credentials.BearerToken("tok-123"))));

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void getReadsTheValueAtThePath() {
        server.on("/health", r -> Response.json(200, "{\"status\": \"ok\", \"checks\": [{\"ms\": 12}, {\"ms\": 30}]}"));
        assertThat(value(template("smoke", web(server.url("/health"), "$.status")))).isEqualTo("ok");
        assertThat(value(template("smoke", web(server.url("/health"), "$.checks[*].ms"))))
                .isEqualTo(java.util.List.of(12.0, 30.0));
        assertThat(server.requests()).allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.header("Accept")).isEqualTo("application/json");
        });
    }

    @Test
    void templateVariablesArePercentEncodedInTheUrl() {
        server.on("/stats/", r -> Response.json(200, "{\"rate\": 0.5}"));
        AnalysisTemplate t = template("rate", web(server.url("/stats/{{name}}?version={{canary.version}}"), "$.rate"));
        assertThat(value(t, Map.of("name", "shop", "canary.version", "1.0 beta&x=1"))).isEqualTo(0.5);
        assertThat(server.requests()).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/stats/shop");
            assertThat(r.query()).isEqualTo("version=1.0%20beta%26x%3D1");
        });
    }

    @Test
    void postSendsAJsonBodyWithEscapedVariablesAndTheHeaders() throws Exception {
        server.on("/query", r -> Response.json(200, "{\"result\": {\"errors\": 0}}"));
        AnalysisTemplate t = template("errors", new AnalysisTemplate.Web(server.url("/query"), "post",
                Map.of("X-Service", "{{namespace}}/{{name}}", "Authorization", "Bearer {{secret:api}}"),
                Optional.of("{\"version\": \"{{canary.version}}\", \"since\": \"5m\"}"), "$.result.errors",
                Optional.empty()));

        assertThat(value(t, Map.of("canary.version", "1.0\"\\", "name", "shop", "namespace", "prod")))
                .isEqualTo(0.0);

        StubServer.Request sent = server.requests().get(0);
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.header("X-Service")).isEqualTo("prod/shop");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer tok-123");
        assertThat(new ObjectMapper().readTree(sent.body()).path("version").asText()).isEqualTo("1.0\"\\");
    }

    @Test
    void non2xxGivesTheStatusAndAShortExcerpt() {
        server.on("/down", r -> new Response(503, "text/plain", "upstream down\n" + "x".repeat(1000)));
        assertThatThrownBy(() -> value(template("smoke", web(server.url("/down"), "$.status"))))
                .isInstanceOf(MetricException.class)
                .hasMessageStartingWith("web metric at " + server.url("/down") + " answered HTTP 503: upstream down x")
                .hasMessageEndingWith("…")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void redirectsAreReportedNotFollowed() {
        // Following would carry the Authorization header wherever the redirect points.
        server.on("/old", r -> Response.redirect("/moved"));
        server.on("/moved", r -> Response.json(200, "{\"status\": \"ok\"}"));
        AnalysisTemplate t = template("smoke", new AnalysisTemplate.Web(server.url("/old"), "GET",
                Map.of("Authorization", "Bearer {{secret:api}}"), Optional.empty(), "$.status", Optional.empty()));
        assertThatThrownBy(() -> value(t))
                .isInstanceOf(MetricException.class)
                .hasMessageStartingWith("web metric at " + server.url("/old") + " answered HTTP 302 (a redirect to "
                        + server.url("/moved") + ", which is not followed: use the final URL)");
        assertThat(server.requests()).extracting(StubServer.Request::path).containsExactly("/old");
    }

    @Test
    void anOversizedAnswerIsRefused() {
        String big = "[" + "1,".repeat(17 * 1024 * 1024) + "1]";
        server.on("/big", r -> Response.json(200, big));
        assertThatThrownBy(() -> value(template("smoke", web(server.url("/big"), "$.length()"))))
                .isInstanceOf(MetricException.class)
                .hasMessage("web metric at " + server.url("/big") + " answered more than 32 MiB; is it the right"
                        + " URL or query?");
    }

    @Test
    void badJsonIsAnError() {
        server.on("/html", r -> new Response(200, "text/html", "<html>oops</html>"));
        assertThatThrownBy(() -> value(template("smoke", web(server.url("/html"), "$.status"))))
                .isInstanceOf(MetricException.class)
                .hasMessageContaining("answered something that is not JSON")
                .hasMessageEndingWith("<html>oops</html>");
    }

    @Test
    void missingPathIsNoData() {
        server.on("/health", r -> Response.json(200, "{\"status\": \"ok\"}"));
        assertThatThrownBy(() -> value(template("smoke", web(server.url("/health"), "$.state"))))
                .isInstanceOf(MetricException.class)
                .hasMessage("no data: $.state not found in response");
    }

    @Test
    void aServerThatNeverAnswersTimesOut() {
        server.neverAnswer("/slow");
        AnalysisTemplate t = template("smoke", new AnalysisTemplate.Web(server.url("/slow"), "GET", Map.of(),
                Optional.empty(), "$", Optional.of(Duration.ofMillis(300))));
        long start = System.nanoTime();
        assertThatThrownBy(() -> value(t))
                .isInstanceOf(MetricException.class)
                .hasMessage("web metric at " + server.url("/slow") + " is not reachable: no answer within 300ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(300 + 2000));
    }

    @Test
    void invalidTemplatesAreRefusedBeforeAnyRequest() {
        assertThatThrownBy(() -> value(template("smoke", new AnalysisTemplate.Web(server.url("/x"), "DELETE",
                Map.of(), Optional.empty(), "$", Optional.empty()))))
                .hasMessage("web.method must be GET or POST, got 'DELETE'");
        assertThatThrownBy(() -> value(template("smoke", web(server.url("/x"), "$..status"))))
                .hasMessageStartingWith("web.jsonPath '$..status' at position 2: recursive descent");
        assertThatThrownBy(() -> value(template("smoke", web("ftp://example.org/x", "$"))))
                .hasMessage("web.url must be an http:// or https:// URL, got 'ftp://example.org/x'");
        assertThatThrownBy(() -> value(template("smoke", new AnalysisTemplate.Web(server.url("/x"), "GET",
                Map.of("Authorization", "Bearer {{secret:nope}}"), Optional.empty(), "$", Optional.empty()))))
                .hasMessage("web.headers.Authorization: no credentials named 'nope'");
        assertThat(server.requests()).isEmpty();
    }

    private Object value(AnalysisTemplate template) {
        return value(template, VARS);
    }

    private Object value(AnalysisTemplate template, Map<String, String> vars) {
        try {
            return ((MetricValue.Result) metrics.measure(template, vars).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)).value();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
