package io.jenkins.plugins.progressive.spec;

import io.jenkins.plugins.progressive.analysis.expr.Expression;
import io.jenkins.plugins.progressive.analysis.expr.ExpressionException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code analysis} section: named templates, each one metric source and how to judge it. */
final class AnalysisReader {

    static final List<String> FIELDS = List.of("prometheus", "web", "successCondition", "failureCondition",
            "interval", "count", "initialDelay", "failureLimit", "inconclusiveLimit", "consecutiveErrorLimit",
            "judge", "direction", "confidence", "tolerance");
    static final List<String> PROVIDERS = List.of("prometheus", "web");
    static final List<String> PROMETHEUS_FIELDS = List.of("address", "query", "canaryQuery", "baselineQuery",
            "range", "step", "timeout", "credentials", "caCertificate");
    static final List<String> WEB_FIELDS = List.of("url", "method", "headers", "body", "jsonPath", "timeout",
            "caCertificate");
    static final List<String> JUDGES = List.of("mannWhitney");
    static final List<String> DIRECTIONS = List.of("increase", "decrease", "either");
    static final List<String> METHODS = List.of("GET", "POST");

    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    static final int DEFAULT_COUNT = 1;
    static final int DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
    static final String LIMIT = "an integer 0..1000000";

    private AnalysisReader() {
    }

    /** Every template, in spec order; null when any is wrong. */
    static Map<String, AnalysisTemplate> read(At analysis) {
        Map<String, AnalysisTemplate> out = new LinkedHashMap<>();
        boolean ok = true;
        for (Map.Entry<String, At> e : analysis.entries("a mapping from template names to templates").entrySet()) {
            if (!Names.isTemplateName(e.getKey())) {
                e.getValue().problem("'" + e.getKey() + "' is not a valid template name; allowed: "
                        + Names.TEMPLATE_NAME);
                ok = false;
                continue;
            }
            AnalysisTemplate t = template(e.getKey(), e.getValue());
            ok &= t != null;
            out.put(e.getKey(), t);
        }
        return ok ? out : null;
    }

    private static AnalysisTemplate template(String name, At at) {
        if (!at.required("a mapping with prometheus or web, and " + String.join(", ", FIELDS.subList(2, FIELDS.size())))
                || !at.mapping(FIELDS)) {
            return null;
        }
        int before = at.problems.size();
        String provider = at.exactlyOne(PROVIDERS, true);

        Optional<AnalysisTemplate.Judge> judge = judge(at);
        boolean judged = at.field("judge").present();
        if (judged) {
            for (String f : List.of("successCondition", "failureCondition")) {
                if (at.field(f).present()) {
                    at.field(f).problem("is not used with judge: mannWhitney (the judge decides); allowed: either"
                            + " judge or successCondition/failureCondition");
                }
            }
        } else {
            for (String f : List.of("direction", "confidence", "tolerance")) {
                if (at.field(f).present()) {
                    at.field(f).problem("is only used with judge: mannWhitney; allowed: add judge: mannWhitney,"
                            + " or remove " + f);
                }
            }
        }

        AnalysisTemplate.MetricQuery query = null;
        if ("prometheus".equals(provider)) {
            query = prometheus(at.field("prometheus"), judged);
        } else if (provider == null) {
            // two sources: still report what is wrong inside each
            if (at.field("prometheus").present()) {
                prometheus(at.field("prometheus"), judged);
            }
            if (at.field("web").present()) {
                web(at.field("web"));
            }
        } else if ("web".equals(provider)) {
            query = web(at.field("web"));
            if (judged) {
                at.field("judge").problem("needs a prometheus source (range queries for canary and baseline);"
                        + " allowed: judge with prometheus");
            }
        }
        Optional<String> success = condition(at.field("successCondition"));
        Optional<String> failure = condition(at.field("failureCondition"));
        Duration interval = at.field("interval").duration(false, DEFAULT_INTERVAL);
        int count = at.field("count").integer(1, 1_000_000, "an integer 1..1000000", DEFAULT_COUNT);
        Duration initialDelay = at.field("initialDelay").duration(true, Duration.ZERO);
        int failureLimit = at.field("failureLimit").integer(0, 1_000_000, LIMIT, 0);
        int inconclusiveLimit = at.field("inconclusiveLimit").integer(0, 1_000_000, LIMIT, 0);
        int errorLimit = at.field("consecutiveErrorLimit").integer(0, 1_000_000, LIMIT,
                DEFAULT_CONSECUTIVE_ERROR_LIMIT);
        if (at.problems.size() > before || query == null) {
            return null;
        }
        return new AnalysisTemplate(name, query, success, failure, interval, count, initialDelay, failureLimit,
                inconclusiveLimit, errorLimit, judge);
    }

    private static Optional<AnalysisTemplate.Judge> judge(At at) {
        if (!at.field("judge").present()) {
            return Optional.empty();
        }
        String judge = at.field("judge").word(JUDGES);
        String direction = at.field("direction").word(DIRECTIONS);
        Double confidence = at.field("confidence").decimal(c -> c > 0 && c < 1,
                "a number between 0 and 1, both excluded, e.g. 0.98");
        Double tolerance = at.field("tolerance").decimal(t -> t >= 0 && Double.isFinite(t),
                "a number >= 0, e.g. 0.25");
        if (judge == null) {
            return Optional.empty();
        }
        return Optional.of(new AnalysisTemplate.Judge(
                direction == null ? AnalysisTemplate.Direction.INCREASE
                        : AnalysisTemplate.Direction.valueOf(direction.toUpperCase(java.util.Locale.ROOT)),
                confidence == null ? AnalysisTemplate.Judge.DEFAULT_CONFIDENCE : confidence,
                tolerance == null ? AnalysisTemplate.Judge.DEFAULT_TOLERANCE : tolerance));
    }

    private static Optional<String> condition(At at) {
        String c = at.string("a condition over result, e.g. result < 0.01");
        if (c == null) {
            return Optional.empty();
        }
        try {
            Expression.parse(c);
        } catch (ExpressionException | RuntimeException e) {
            at.problem("'" + c + "' does not parse: " + e.getMessage()
                    + "; allowed: a condition over result, e.g. result < 0.01");
        }
        return Optional.of(c);
    }

    private static AnalysisTemplate.MetricQuery prometheus(At at, boolean judged) {
        if (!at.required("a mapping with " + String.join(", ", PROMETHEUS_FIELDS))
                || !at.mapping(PROMETHEUS_FIELDS)) {
            return null;
        }
        int before = at.problems.size();
        String address = TargetReader.required(at.field("address"), Names.HTTP_URL, Names::isHttpUrl);
        Optional<String> query = Optional.empty();
        Optional<String> canary = Optional.empty();
        Optional<String> baseline = Optional.empty();
        Optional<Duration> range = Optional.empty();
        Optional<Duration> step = Optional.empty();
        if (judged) {
            if (at.field("query").present()) {
                at.field("query").problem("is not used with judge: mannWhitney; allowed: canaryQuery, baselineQuery,"
                        + " range, step");
            }
            canary = Optional.ofNullable(promql(at.field("canaryQuery"), true));
            baseline = Optional.ofNullable(promql(at.field("baselineQuery"), true));
            At r = at.field("range");
            range = Optional.ofNullable(r.required("a positive duration, e.g. 5m") ? r.duration(false) : null);
            At s = at.field("step");
            step = Optional.ofNullable(s.required("a positive duration, e.g. 10s") ? s.duration(false) : null);
        } else {
            query = Optional.ofNullable(promql(at.field("query"), true));
            for (String f : List.of("canaryQuery", "baselineQuery", "range", "step")) {
                if (at.field(f).present()) {
                    at.field(f).problem("is only used with judge: mannWhitney; allowed without judge: address, query,"
                            + " timeout, credentials");
                }
            }
        }
        Optional<Duration> timeout = Optional.ofNullable(at.field("timeout").duration(false));
        Optional<String> credentials = at.field("credentials").optionalString(
                "the name of a credential (never the secret itself)", Names::nonBlank);
        Optional<String> caCertificate = caCertificate(at);
        if (at.problems.size() > before) {
            return null;
        }
        return new AnalysisTemplate.Prometheus(address, query, canary, baseline, range, step, timeout, credentials,
                caCertificate);
    }

    private static String promql(At at, boolean required) {
        if (required && !at.required("a PromQL query")) {
            return null;
        }
        String q = at.string("a PromQL query", Names::nonBlank);
        Names.checkVariables(at, q, false);
        return q;
    }

    private static AnalysisTemplate.MetricQuery web(At at) {
        if (!at.required("a mapping with " + String.join(", ", WEB_FIELDS)) || !at.mapping(WEB_FIELDS)) {
            return null;
        }
        int before = at.problems.size();
        String url = TargetReader.required(at.field("url"), Names.HTTP_URL, Names::isHttpUrl);
        Names.checkVariables(at.field("url"), url, false);
        String method = at.field("method").word(METHODS);
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, At> h : at.field("headers").entries("a mapping from header names to values")
                .entrySet()) {
            if (!h.getKey().matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                h.getValue().problem("'" + h.getKey() + "' is not a valid header name; allowed: letters, digits"
                        + " and !#$%&'*+.^_`|~-");
            }
            // a header may hold a token: its value is never echoed in a problem
            String v = h.getValue().string("a header value");
            if (v != null && v.chars().anyMatch(c -> c == '\r' || c == '\n')) {
                h.getValue().problem("holds a line break; allowed: a single-line header value");
                v = null;
            }
            Names.checkVariables(h.getValue(), v, true);
            if (v != null) {
                headers.put(h.getKey(), v);
            }
        }
        Optional<String> body = at.field("body").optionalString("a request body (with method POST)", s -> true);
        Names.checkVariables(at.field("body"), body.orElse(null), false);
        if (body.isPresent() && !"POST".equals(method)) {
            at.field("body").problem("is only sent with method POST; allowed: method: POST with a body, or no body");
        }
        String jsonPath = at.field("jsonPath").string("a JSON path starting with '$', e.g. $.status",
                s -> s.startsWith("$"));
        Optional<Duration> timeout = Optional.ofNullable(at.field("timeout").duration(false));
        Optional<String> caCertificate = caCertificate(at);
        if (at.problems.size() > before) {
            return null;
        }
        return new AnalysisTemplate.Web(url, method == null ? "GET" : method, headers, body,
                jsonPath == null ? "$" : jsonPath, timeout, caCertificate);
    }

    /** The file is read when the provider is built (it may not exist where the spec is validated). */
    private static Optional<String> caCertificate(At at) {
        return at.field("caCertificate").optionalString("the path of a PEM file of CA certificates, e.g. ca.pem",
                Names::nonBlank);
    }
}
