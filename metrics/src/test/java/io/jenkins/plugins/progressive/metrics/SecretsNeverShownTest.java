package io.jenkins.plugins.progressive.metrics;

import static io.jenkins.plugins.progressive.metrics.Templates.template;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.metrics.StubServer.Response;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Servers that echo what they receive, in every way a provider reports a failure: the secret must not reach
 * any exception message, cause or stack trace.
 */
class SecretsNeverShownTest {

    private static final String TOKEN = "tok-SECRET-4f9a";
    private static final String PASSWORD = "pw-SECRET-77c1";
    private static final String BASIC = Base64.getEncoder()
            .encodeToString(("reader:" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    private final StubServer hostile = StubServer.start();
    private final Credentials credentials = Credentials.of(Map.of(
            "token", new Credentials.BearerToken(TOKEN),
            "basic", new Credentials.UsernamePassword("reader", PASSWORD)));
    private final MetricProviders metrics = new MetricProviders(credentials);

    @AfterEach
    void stop() {
        hostile.close();
    }

    @Test
    void noErrorMessageHoldsASecret() throws Exception {
        hostile.on("/500", r -> new Response(500, "text/plain", "failed for " + r.headers()))
                .on("/401", r -> new Response(401, "text/plain", "bad " + r.header("Authorization")))
                .on("/html", r -> new Response(200, "text/html", r.header("Authorization") + " <html>"))
                .on("/token", r -> new Response(200, "text/plain", String.valueOf(r.header("Authorization"))
                        .replace("Bearer ", "")))
                .on("/prom-error", r -> Response.json(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
                        + "\"error\":\"cannot parse " + r.header("Authorization") + "\"}"))
                .on("/prom-data", r -> Response.json(200, "{\"status\":\"success\",\"data\":{\"resultType\":"
                        + "\"vector\",\"result\":[{\"metric\":{\"auth\":\"" + r.header("Authorization")
                        + "\"},\"value\":[1,\"NaN\"]}]}}"))
                .neverAnswer("/slow");
        String down = "http://127.0.0.1:" + unusedPort();

        List<Supplier<MetricValue>> failures = new ArrayList<>();
        for (String path : List.of("/500", "/401", "/html", "/token", "/slow")) {
            for (String header : List.of("Bearer {{secret:token}}", "{{secret:basic}}")) {
                failures.add(() -> measure(template("web", new AnalysisTemplate.Web(hostile.url(path), "GET",
                        Map.of("Authorization", header), Optional.empty(), "$.x", Optional.of(Duration.ofMillis(300))))));
            }
        }
        for (String address : List.of(hostile.url("/500"), hostile.url("/401"), hostile.url("/html"),
                hostile.url("/prom-error"), hostile.url("/prom-data"), hostile.url("/slow"), down)) {
            for (String name : List.of("token", "basic")) {
                AnalysisTemplate t = template("prom", new AnalysisTemplate.Prometheus(address, Optional.of("up"),
                        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.of(Duration.ofMillis(300)), Optional.of(name)));
                failures.add(() -> measure(t));
                failures.add(() -> {
                    metrics.check(t);
                    return null;
                });
            }
        }

        List<String> reports = new ArrayList<>();
        for (Supplier<MetricValue> failure : failures) {
            try {
                failure.get();
                throw new AssertionError("expected a failure");
            } catch (MetricException e) {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                reports.add(trace.toString());
            }
        }

        assertThat(reports).hasSize(failures.size()).allSatisfy(report -> assertThat(report)
                .doesNotContain(TOKEN).doesNotContain(PASSWORD).doesNotContain(BASIC));
        // The servers did receive the secrets: the test would prove nothing otherwise.
        assertThat(hostile.requests()).extracting(r -> r.header("Authorization"))
                .contains("Bearer " + TOKEN, PASSWORD, "Basic " + BASIC);
        assertThat(String.join("\n", reports)).contains("****");
    }

    @Test
    void credentialsPrintWithoutTheirSecret() {
        assertThat(credentials.find("token")).get().hasToString("BearerToken[****]");
        assertThat(credentials.find("basic")).get().hasToString("UsernamePassword[username=reader, password=****]");
    }

    private MetricValue measure(AnalysisTemplate template) {
        try {
            return metrics.measure(template, Map.of()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (RuntimeException) e.getCause();
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
