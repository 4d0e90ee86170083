package io.jenkins.plugins.progressive.metrics.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small, safe JSONPath subset that picks a web metric's value out of a JSON answer. No filters, no
 * scripts, no recursive descent: a path is a fixed walk from the root.
 *
 * <table>
 * <caption>Supported syntax</caption>
 * <tr><th>path</th><th>selects</th></tr>
 * <tr><td>{@code $}</td><td>the whole document</td></tr>
 * <tr><td>{@code $.a.b}</td><td>field {@code b} of field {@code a} (names of letters, digits, {@code _}, {@code -})</td></tr>
 * <tr><td>{@code $['a b']}, {@code $["a b"]}</td><td>a field with any name ({@code \'} or {@code \"} and {@code \\} escape)</td></tr>
 * <tr><td>{@code $.items[0]}, {@code $.items[-1]}</td><td>an array element; negative counts from the end</td></tr>
 * <tr><td>{@code $.items[*].v}, {@code $.obj.*}</td><td>every element (or every field value) → a list</td></tr>
 * <tr><td>{@code $.items.length()}</td><td>size of an array or object, length of a string; only last</td></tr>
 * </table>
 *
 * After a wildcard, later steps apply to each element and elements without the field are left out. A path
 * that selects nothing, or only {@code null}, is "no data".
 */
public final class JsonPath {

    private static final String SUBSET = "supported: $, $.a.b, $['a b'], $.a[0], $.a[*].b, $.a.length()";

    private sealed interface Step permits Field, Index, Wildcard {
    }

    private record Field(String name) implements Step {
    }

    private record Index(int index) implements Step {
    }

    private record Wildcard() implements Step {
    }

    private final String text;
    private final List<Step> steps;
    private final boolean length;

    private JsonPath(String text, List<Step> steps, boolean length) {
        this.text = text;
        this.steps = List.copyOf(steps);
        this.length = length;
    }

    /**
     * @throws IllegalArgumentException naming the position and the supported subset when {@code text} is not a
     *                                  path of the subset
     */
    public static JsonPath compile(String text) {
        return new Parser(text).parse();
    }

    /** The path as written. */
    @Override
    public String toString() {
        return text;
    }

    /**
     * The selected value: a {@link Double}, {@link String}, {@link Boolean}, {@code List<Object>} or
     * {@code Map<String, Object>}.
     *
     * @throws MetricException "no data: ..." when the path selects nothing
     */
    public Object read(JsonNode root) {
        List<JsonNode> current = new ArrayList<>(List.of(root));
        boolean many = false;
        for (Step step : steps) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode node : current) {
                if (step instanceof Field f) {
                    JsonNode child = node.isObject() ? node.get(f.name()) : null;
                    if (child != null) {
                        next.add(child);
                    }
                } else if (step instanceof Index i) {
                    if (node.isArray()) {
                        int at = i.index() < 0 ? node.size() + i.index() : i.index();
                        if (at >= 0 && at < node.size()) {
                            next.add(node.get(at));
                        }
                    }
                } else {
                    if (node.isArray() || node.isObject()) {
                        node.elements().forEachRemaining(next::add);
                    }
                }
            }
            many |= step instanceof Wildcard;
            current = next;
        }
        if (!many) {
            if (current.isEmpty()) {
                throw new MetricException("no data: " + text + " not found in response");
            }
            JsonNode node = current.get(0);
            if (node.isNull()) {
                throw new MetricException("no data: " + text + " is null in response");
            }
            return length ? (Object) size(node) : value(node);
        }
        current.removeIf(JsonNode::isNull);
        if (length) {
            return (double) current.size();
        }
        if (current.isEmpty()) {
            throw new MetricException("no data: " + text + " matched nothing in response");
        }
        List<Object> values = new ArrayList<>(current.size());
        for (JsonNode node : current) {
            values.add(value(node));
        }
        return values;
    }

    private Double size(JsonNode node) {
        if (node.isArray() || node.isObject()) {
            return (double) node.size();
        }
        if (node.isTextual()) {
            return (double) node.asText().length();
        }
        throw new MetricException(text + ": length() needs an array, object or string, found " + node.getNodeType()
                .toString().toLowerCase(java.util.Locale.ROOT));
    }

    /** JSON to the values conditions understand; null inside arrays and objects stays null. */
    static Object value(JsonNode node) {
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(e -> list.add(value(e)));
            return list;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                map.put(e.getKey(), value(e.getValue()));
            }
            return map;
        }
        return null;
    }

    private static final class Parser {
        private final String text;
        private int pos;
        private final List<Step> steps = new ArrayList<>();
        private boolean length;

        Parser(String text) {
            this.text = text == null ? "" : text.strip();
        }

        JsonPath parse() {
            if (!text.startsWith("$")) {
                throw error("a path starts with $");
            }
            pos = 1;
            while (pos < text.length()) {
                if (length) {
                    throw error("length() must be last");
                }
                char c = text.charAt(pos);
                if (c == '.') {
                    pos++;
                    dotStep();
                } else if (c == '[') {
                    pos++;
                    bracketStep();
                } else {
                    throw error("expected . or [");
                }
            }
            return new JsonPath(text, steps, length);
        }

        private void dotStep() {
            if (text.startsWith(".", pos)) {
                throw error("recursive descent (..) is not supported");
            }
            if (text.startsWith("*", pos)) {
                pos++;
                steps.add(new Wildcard());
                return;
            }
            if (text.startsWith("length()", pos)) {
                pos += "length()".length();
                length = true;
                return;
            }
            int start = pos;
            while (pos < text.length() && isNameChar(text.charAt(pos))) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a field name");
            }
            steps.add(new Field(text.substring(start, pos)));
        }

        private void bracketStep() {
            if (pos >= text.length()) {
                throw error("unclosed [");
            }
            char c = text.charAt(pos);
            if (c == '\'' || c == '"') {
                pos++;
                StringBuilder name = new StringBuilder();
                while (pos < text.length() && text.charAt(pos) != c) {
                    char ch = text.charAt(pos++);
                    if (ch == '\\' && pos < text.length()) {
                        ch = text.charAt(pos++);
                    }
                    name.append(ch);
                }
                if (pos >= text.length()) {
                    throw error("unclosed quote");
                }
                pos++;
                steps.add(new Field(name.toString()));
            } else if (c == '*') {
                pos++;
                steps.add(new Wildcard());
            } else if (c == '-' || Character.isDigit(c)) {
                int start = pos++;
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
                try {
                    steps.add(new Index(Integer.parseInt(text.substring(start, pos))));
                } catch (NumberFormatException e) {
                    throw error("expected an index");
                }
            } else if (c == '?' || c == '(') {
                throw error("filters and scripts are not supported");
            } else {
                throw error("expected 'name', index or *");
            }
            if (pos >= text.length() || text.charAt(pos) != ']') {
                throw error("expected ]");
            }
            pos++;
        }

        private static boolean isNameChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '-';
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("jsonPath '" + text + "' at position " + pos + ": " + what + " ("
                    + SUBSET + ")");
        }
    }
}
