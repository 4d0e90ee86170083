package io.jenkins.plugins.progressive.metrics.prometheus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.progressive.analysis.MetricProvider;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.metrics.Credentials;
import io.jenkins.plugins.progressive.metrics.Http;
import io.jenkins.plugins.progressive.metrics.TemplateVars;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Measures with Prometheus' HTTP API.
 *
 * <ul>
 * <li>{@code query}: an instant query ({@code POST /api/v1/query}); a scalar or a one-series vector gives a
 * {@link Double}, several series a {@code List<Double>} in the order Prometheus returns them.</li>
 * <li>{@code canaryQuery} + {@code baselineQuery} (for a judge): two range queries
 * ({@code POST /api/v1/query_range}) over the last {@code range} (default 5m) at {@code step} (default 10s),
 * giving {@link MetricValue.Samples}; several series are flattened in time order.</li>
 * </ul>
 * An empty result, NaN or ±Inf is a {@link MetricException}, never a value: no data never counts as success.
 */
public final class PrometheusProvider implements MetricProvider {

    static final Duration DEFAULT_RANGE = Duration.ofMinutes(5);
    static final Duration DEFAULT_STEP = Duration.ofSeconds(10);
    /** Beyond the request timeout, how long a slow body may take before we give up on the whole call. */
    private static final Duration BODY_MARGIN = Duration.ofSeconds(1);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final Credentials credentials;

    public PrometheusProvider(HttpClient client, Credentials credentials) {
        this.client = client;
        this.credentials = credentials;
    }

    @Override
    public CompletionStage<MetricValue> measure(AnalysisTemplate template, Map<String, String> vars) {
        if (!(template.query() instanceof AnalysisTemplate.Prometheus prometheus)) {
            return CompletableFuture.failedFuture(new MetricException(
                    "analysis." + template.name() + " is not a prometheus template"));
        }
        try {
            Server server = server(prometheus, vars);
            boolean judged = template.judge().isPresent();
            boolean ranged = prometheus.canaryQuery().isPresent() && prometheus.baselineQuery().isPresent();
            if (ranged && (judged || prometheus.query().isEmpty())) {
                return samples(server, prometheus, vars);
            }
            if (judged) {
                throw new MetricException("analysis." + template.name()
                        + ": a judge needs prometheus.canaryQuery and prometheus.baselineQuery");
            }
            if (prometheus.query().isEmpty()) {
                throw new MetricException("analysis." + template.name()
                        + ": prometheus needs query, or canaryQuery and baselineQuery");
            }
            String query = TemplateVars.substitute(prometheus.query().get(), vars, TemplateVars.Escaping.PROMQL,
                    "prometheus.query");
            return instant(server, query);
        } catch (MetricException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Checks, before a rollout, that the server answers and is Prometheus (its build information), with the
     * credentials the template names. Blocks for at most the template's timeout.
     *
     * @return e.g. {@code Prometheus 2.42.0 at http://127.0.0.1:9090}
     * @throws MetricException with the same messages {@link #measure} gives
     */
    public String check(AnalysisTemplate.Prometheus prometheus, Map<String, String> vars) {
        Server server = server(prometheus, vars);
        try {
            JsonNode data = call(server, "/api/v1/status/buildinfo", null, "build information request",
                    d -> d).toCompletableFuture().join();
            String version = data.path("version").asText("");
            if (version.isEmpty()) {
                throw new MetricException("Prometheus at " + server.display
                        + " answered the build information without a version; is it Prometheus?");
            }
            return "Prometheus " + version + " at " + server.display;
        } catch (RuntimeException e) {
            throw Http.failure(e, "Prometheus", server.display, server.timeout);
        }
    }

    private CompletionStage<MetricValue> instant(Server server, String query) {
        String form = "query=" + urlEncode(query) + "&timeout=" + seconds(server.timeout);
        return call(server, "/api/v1/query", form, "query '" + query + "'",
                data -> MetricValue.of(instantValue(data, query)));
    }

    private CompletionStage<MetricValue> samples(Server server, AnalysisTemplate.Prometheus prometheus,
            Map<String, String> vars) {
        String canary = TemplateVars.substitute(prometheus.canaryQuery().get(), vars, TemplateVars.Escaping.PROMQL,
                "prometheus.canaryQuery");
        String baseline = TemplateVars.substitute(prometheus.baselineQuery().get(), vars,
                TemplateVars.Escaping.PROMQL, "prometheus.baselineQuery");
        Duration range = prometheus.range().orElse(DEFAULT_RANGE);
        Duration step = prometheus.step().orElse(DEFAULT_STEP);
        if (range.isNegative() || range.isZero() || step.isNegative() || step.isZero()) {
            throw new MetricException("prometheus.range and prometheus.step must be positive durations");
        }
        Instant end = Instant.now();
        Instant start = end.minus(range);
        CompletionStage<double[]> canaryPoints = range(server, canary, "canary", start, end, step, range);
        CompletionStage<double[]> baselinePoints = range(server, baseline, "baseline", start, end, step, range);
        return canaryPoints.thenCombine(baselinePoints, MetricValue.Samples::new);
    }

    private CompletionStage<double[]> range(Server server, String query, String role, Instant start, Instant end,
            Duration step, Duration range) {
        String form = "query=" + urlEncode(query) + "&start=" + seconds(start) + "&end=" + seconds(end)
                + "&step=" + seconds(step) + "&timeout=" + seconds(server.timeout);
        String what = role + " query '" + query + "'";
        return call(server, "/api/v1/query_range", form, what, data -> rangePoints(data, what, Http.format(range)));
    }

    static Object instantValue(JsonNode data, String query) {
        String type = data.path("resultType").asText();
        JsonNode result = data.path("result");
        switch (type) {
            case "scalar":
                return finite(result, "query '" + query + "' returned");
            case "string":
                return result.path(1).asText();
            case "vector": {
                if (result.size() == 0) {
                    throw new MetricException("no data: query '" + query + "' returned an empty vector");
                }
                List<Double> values = new ArrayList<>(result.size());
                for (JsonNode series : result) {
                    values.add(finite(series.path("value"), "query '" + query + "' returned for "
                            + series.path("metric")));
                }
                return values.size() == 1 ? values.get(0) : List.copyOf(values);
            }
            case "matrix":
                throw new MetricException("query '" + query + "' returns a range vector; wrap it in a function"
                        + " such as rate() or avg_over_time() to get one value per series");
            default:
                throw new MetricException("query '" + query + "' returned an unknown result type '" + type + "'");
        }
    }

    static double[] rangePoints(JsonNode data, String what, String range) {
        JsonNode result = data.path("result");
        if (!"matrix".equals(data.path("resultType").asText()) || result.size() == 0) {
            throw new MetricException("no data: " + what + " returned no series over the last " + range);
        }
        record Point(double time, double value) {
        }
        List<Point> points = new ArrayList<>();
        for (JsonNode series : result) {
            for (JsonNode sample : series.path("values")) {
                points.add(new Point(sample.path(0).asDouble(),
                        finite(sample, what + " returned for " + series.path("metric"))));
            }
        }
        if (points.isEmpty()) {
            throw new MetricException("no data: " + what + " returned no points over the last " + range);
        }
        // Stable sort: points at the same time keep the series order Prometheus gave.
        points.sort(Comparator.comparingDouble(Point::time));
        return points.stream().mapToDouble(Point::value).toArray();
    }

    /** A {@code [time, "value"]} pair's value; NaN and ±Inf are errors, since they must never pass a gate. */
    private static double finite(JsonNode pair, String context) {
        String text = pair.path(1).asText("");
        double value = switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new MetricException(context + " a value that is not a number: '" + text + "'");
                }
            }
        };
        if (Double.isNaN(value)) {
            throw new MetricException(context + " NaN (often a division by zero: no traffic yet?)");
        }
        if (Double.isInfinite(value)) {
            throw new MetricException(context + " " + text + ", not a finite number");
        }
        return value;
    }

    /**
     * Sends one API request and interprets its {@code data}. Messages built from the answer are masked: a
     * proxy or server may echo the credentials back in an error or even in a label.
     */
    private <T> CompletionStage<T> call(Server server, String path, String form, String what,
            Function<JsonNode, T> interpret) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.base + path))
                .timeout(server.timeout)
                .header("Accept", "application/json");
        if (form == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
        }
        server.authorization().ifPresent(value -> request.header("Authorization", value));
        CompletableFuture<HttpResponse<String>> sent = client.sendAsync(request.build(),
                Http.limitedText());
        return sent.orTimeout(server.timeout.plus(BODY_MARGIN).toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    if (failure != null) {
                        sent.cancel(true);
                        throw Http.failure(failure, "Prometheus", server.display, server.timeout);
                    }
                    try {
                        return interpret.apply(data(server, response, what));
                    } catch (MetricException e) {
                        List<String> secrets = server.secrets();
                        String masked = Http.mask(e.getMessage(), secrets);
                        throw masked.equals(e.getMessage()) ? e : new MetricException(masked);
                    }
                });
    }

    private static JsonNode data(Server server, HttpResponse<String> response, String what) {
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new MetricException("Prometheus at " + server.display + " answered HTTP " + status
                    + (status == 401 ? " Unauthorized" : " Forbidden") + ": "
                    + server.credentialsName.map(n -> "the credentials '" + n + "' were refused")
                            .orElse("it needs credentials; set prometheus.credentials"));
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            body = null;
        }
        if (body != null && "error".equals(body.path("status").asText())) {
            throw new MetricException("Prometheus at " + server.display + " rejected the " + what + ": "
                    + body.path("errorType").asText("error") + ": "
                    + Http.mask(body.path("error").asText(), server.secrets()));
        }
        if (status / 100 != 2) {
            throw new MetricException("Prometheus at " + server.display + " answered " + Http.status(response)
                    + " for the " + what + ": " + Http.excerpt(response.body(), server.secrets()));
        }
        if (body == null || !body.path("data").isObject()) {
            throw new MetricException("Prometheus at " + server.display + " answered something that is not"
                    + " Prometheus' API (is the address the Prometheus base URL?): "
                    + Http.excerpt(response.body(), server.secrets()));
        }
        return body.path("data");
    }

    private Server server(AnalysisTemplate.Prometheus prometheus, Map<String, String> vars) {
        URI uri;
        try {
            uri = URI.create(TemplateVars.substitute(prometheus.address().strip(), vars, TemplateVars.Escaping.URL,
                    "prometheus.address"));
        } catch (IllegalArgumentException e) {
            throw new MetricException("prometheus.address is not a URL (expected http://host:port)");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new MetricException("prometheus.address must be an http:// or https:// URL, got '"
                    + Http.display(uri) + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new MetricException("prometheus.address must not hold a user or password; use"
                    + " prometheus.credentials");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new MetricException("prometheus.address must be the base URL, without ?query or #fragment");
        }
        String base = uri.toString().replaceAll("/+$", "");
        Duration timeout = prometheus.timeout().filter(t -> !t.isNegative() && !t.isZero())
                .orElse(Http.DEFAULT_TIMEOUT);
        Optional<Credentials.Secret> secret = prometheus.credentials().map(name -> credentials.find(name)
                .orElseThrow(() -> new MetricException("prometheus.credentials: no credentials named '" + name
                        + "'")));
        return new Server(base, Http.display(uri), timeout, prometheus.credentials(), secret);
    }

    private record Server(String base, String display, Duration timeout, Optional<String> credentialsName,
            Optional<Credentials.Secret> secret) {

        Optional<String> authorization() {
            return secret.map(s -> {
                if (s instanceof Credentials.UsernamePassword u) {
                    return "Basic " + Base64.getEncoder().encodeToString(
                            (u.username() + ":" + u.password()).getBytes(StandardCharsets.UTF_8));
                }
                return "Bearer " + s.headerValue();
            });
        }

        /** What must never show in a message, even when a server echoes it back. */
        List<String> secrets() {
            return secret.map(s -> List.of(authorization().orElseThrow(), s.headerValue())).orElse(List.of());
        }

        @Override
        public String toString() {
            return "Server[" + display + "]";
        }
    }

    private static String urlEncode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    private static String seconds(Instant t) {
        return BigDecimal.valueOf(t.toEpochMilli(), 3).toPlainString();
    }
}
