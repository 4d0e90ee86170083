package io.jenkins.plugins.progressive.metrics;

import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Substitutes {@code {{canary.version}}}, {@code {{stable.version}}}, {@code {{name}}}, {@code {{namespace}}}
 * (and any other variable the engine passes) into a query, URL, body or header. Each value is escaped for
 * the place it lands in, so a version such as {@code 1.0"} cannot break out of a PromQL label matcher or a
 * JSON string.
 */
public final class TemplateVars {

    private static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

    /** How a value is escaped before it is inserted. */
    public enum Escaping {
        /** Inside a double-quoted PromQL string, e.g. a label matcher {@code version="{{canary.version}}"}. */
        PROMQL(TemplateVars::promqlString),
        /** Anywhere in a URL: percent-encoded. */
        URL(value -> URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20")),
        /** Inside a JSON string. */
        JSON(TemplateVars::jsonString),
        /** A header value: line breaks would start a new header, so they are refused. */
        HEADER(TemplateVars::headerValue);

        private final UnaryOperator<String> escape;

        Escaping(UnaryOperator<String> escape) {
            this.escape = escape;
        }
    }

    private TemplateVars() {
    }

    /**
     * @param field the spec field the text comes from, named in errors (e.g. {@code prometheus.query})
     * @throws MetricException when the text names a variable that has no value
     */
    public static String substitute(String text, Map<String, String> vars, Escaping escaping, String field) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder(text.length() + 16);
        while (m.find()) {
            String name = m.group(1);
            String value = vars.get(name);
            if (value == null) {
                if (name.startsWith("secret:")) {
                    throw new MetricException(field + ": {{" + name + "}} is only allowed in web headers");
                }
                throw new MetricException(field + ": template variable {{" + name + "}} has no value here"
                        + " (available: " + new TreeSet<>(vars.keySet()) + ")");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(escaping.escape.apply(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    static String promqlString(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String jsonString(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    static String headerValue(String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new MetricException("a template variable value contains a line break and cannot go into a header");
        }
        return value;
    }
}
