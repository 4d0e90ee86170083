package io.jenkins.plugins.progressive.metrics.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jenkins.plugins.progressive.analysis.MetricProvider;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.metrics.Credentials;
import io.jenkins.plugins.progressive.metrics.Http;
import io.jenkins.plugins.progressive.metrics.TemplateVars;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures with any HTTP endpoint that answers JSON: {@code GET} or {@code POST} (a JSON body), headers, a
 * timeout, and a {@link JsonPath} that picks the value out of the answer.
 *
 * <p>Template variables are substituted into the URL (percent-encoded), the body (escaped for a JSON string)
 * and the headers. A header may reference a credential as {@code {{secret:NAME}}}; its value never appears in
 * a message, even when the server echoes it.
 */
public final class WebProvider implements MetricProvider {

    private static final Pattern SECRET = Pattern.compile("\\{\\{\\s*secret:([^{}]+?)\\s*}}");
    private static final Duration BODY_MARGIN = Duration.ofSeconds(1);
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private final HttpClient client;
    private final Credentials credentials;

    public WebProvider(HttpClient client, Credentials credentials) {
        this.client = client;
        this.credentials = credentials;
    }

    @Override
    public CompletionStage<MetricValue> measure(AnalysisTemplate template, Map<String, String> vars) {
        if (!(template.query() instanceof AnalysisTemplate.Web web)) {
            return CompletableFuture.failedFuture(new MetricException(
                    "analysis." + template.name() + " is not a web template"));
        }
        List<String> secrets = new ArrayList<>();
        try {
            JsonPath path;
            try {
                path = JsonPath.compile(web.jsonPath());
            } catch (IllegalArgumentException e) {
                throw new MetricException("web." + e.getMessage());
            }
            HttpRequest request = request(web, vars, secrets);
            String display = Http.display(request.uri());
            Duration timeout = request.timeout().orElse(Http.DEFAULT_TIMEOUT);
            CompletableFuture<HttpResponse<String>> sent = client.sendAsync(request,
                    Http.limitedText());
            return sent.orTimeout(timeout.plus(BODY_MARGIN).toMillis(), TimeUnit.MILLISECONDS)
                    .handle((response, failure) -> {
                        if (failure != null) {
                            sent.cancel(true);
                            throw Http.failure(failure, "web metric", display, timeout);
                        }
                        try {
                            return MetricValue.of(path.read(json(response, display, secrets)));
                        } catch (MetricException e) {
                            String masked = Http.mask(e.getMessage(), secrets);
                            throw masked.equals(e.getMessage()) ? e : new MetricException(masked);
                        }
                    });
        } catch (MetricException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private HttpRequest request(AnalysisTemplate.Web web, Map<String, String> vars, List<String> secrets) {
        String url = TemplateVars.substitute(web.url(), vars, TemplateVars.Escaping.URL, "web.url");
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new MetricException("web.url is not a valid URL: " + e.getMessage());
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new MetricException("web.url must be an http:// or https:// URL, got '" + Http.display(uri) + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new MetricException("web.url must not hold a user or password; use a header with {{secret:NAME}}");
        }
        Duration timeout = web.timeout().filter(t -> !t.isNegative() && !t.isZero()).orElse(Http.DEFAULT_TIMEOUT);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout);
        boolean contentType = false;
        boolean accept = false;
        for (Map.Entry<String, String> header : web.headers().entrySet()) {
            String name = header.getKey();
            String value = TemplateVars.substitute(secrets(header.getValue(), name, secrets), vars,
                    TemplateVars.Escaping.HEADER, "web.headers." + name);
            try {
                builder.header(name, value);
            } catch (IllegalArgumentException e) {
                throw new MetricException("web.headers." + name + " cannot be sent: the name is restricted or"
                        + " invalid");
            }
            contentType |= name.equalsIgnoreCase("Content-Type");
            accept |= name.equalsIgnoreCase("Accept");
        }
        if (!accept) {
            builder.header("Accept", "application/json");
        }
        String method = web.method() == null || web.method().isBlank() ? "GET"
                : web.method().strip().toUpperCase(Locale.ROOT);
        switch (method) {
            case "GET" -> {
                if (web.body().isPresent()) {
                    throw new MetricException("web.body needs web.method POST");
                }
                builder.GET();
            }
            case "POST" -> {
                String body = web.body().map(b -> TemplateVars.substitute(b, vars, TemplateVars.Escaping.JSON,
                        "web.body")).orElse("");
                if (!contentType) {
                    builder.header("Content-Type", "application/json");
                }
                builder.POST(HttpRequest.BodyPublishers.ofString(body));
            }
            default -> throw new MetricException("web.method must be GET or POST, got '" + web.method() + "'");
        }
        return builder.build();
    }

    /** Resolves {@code {{secret:NAME}}} and remembers the value, so that it can be masked in messages. */
    private String secrets(String value, String header, List<String> secrets) {
        Matcher m = SECRET.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String secret = credentials.find(name)
                    .orElseThrow(() -> new MetricException("web.headers." + header + ": no credentials named '"
                            + name + "'"))
                    .headerValue();
            if (secret.indexOf('\n') >= 0 || secret.indexOf('\r') >= 0) {
                throw new MetricException("web.headers." + header + ": the credentials '" + name
                        + "' contain a line break");
            }
            secrets.add(secret);
            m.appendReplacement(out, Matcher.quoteReplacement(secret));
        }
        m.appendTail(out);
        // Longest first, so that a secret containing another is masked whole.
        secrets.sort((a, b) -> b.length() - a.length());
        return out.toString();
    }

    private static JsonNode json(HttpResponse<String> response, String display, List<String> secrets) {
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw new MetricException("web metric at " + display + " answered " + Http.status(response) + ": "
                    + Http.excerpt(response.body(), secrets));
        }
        try {
            JsonNode root = JSON.readTree(response.body());
            if (root == null || root.isMissingNode()) {
                throw new MetricException("no data: web metric at " + display + " answered an empty body");
            }
            return root;
        } catch (JsonProcessingException e) {
            // Jackson's own message quotes the offending token, which may be an echoed secret: give the place only.
            throw new MetricException("web metric at " + display + " answered something that is not JSON"
                    + (e.getLocation() == null ? "" : " (at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")") + ": "
                    + Http.excerpt(response.body(), secrets));
        }
    }
}
