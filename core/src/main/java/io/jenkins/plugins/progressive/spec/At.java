package io.jenkins.plugins.progressive.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * A place in the spec tree: the node found there (maybe none) and its path as the user writes it. Every reader
 * returns {@code null} for a value that is absent or wrong, having recorded the problem; it never throws.
 */
final class At {

    final JsonNode node;
    final String path;
    final Problems problems;

    At(JsonNode node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    /** Absent, and explicit YAML null, are the same: the field was not given. */
    boolean present() {
        return node != null && !node.isMissingNode() && !node.isNull();
    }

    At field(String key) {
        return new At(node == null ? null : node.get(key), Problems.child(path, key), problems);
    }

    At item(int i) {
        return new At(node.get(i), path + "[" + i + "]", problems);
    }

    void problem(String message) {
        problems.add(path, message);
    }

    // ---- presence and containers

    /** Records "is required" when absent. */
    boolean required(String allowed) {
        if (!present()) {
            problem("is required; allowed: " + allowed);
            return false;
        }
        return true;
    }

    /** A mapping that may hold only {@code fields}; false (with a problem unless absent) otherwise. */
    boolean mapping(List<String> fields) {
        if (!present()) {
            return false;
        }
        if (!node.isObject()) {
            wrongType("a mapping", "a mapping with " + (fields.isEmpty() ? "no fields" : String.join(", ", fields)));
            return false;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!fields.contains(name)) {
                problems.add(Problems.child(path, name), "unknown field '" + name + "'; allowed: "
                        + (fields.isEmpty() ? "no fields" : String.join(", ", fields))
                        + Problems.didYouMean(name, fields));
            }
        }
        return true;
    }

    /** A mapping whose keys are names chosen by the user (analysis templates, headers). */
    Map<String, At> entries(String allowed) {
        Map<String, At> out = new LinkedHashMap<>();
        if (!present()) {
            return out;
        }
        if (!node.isObject()) {
            wrongType("a mapping", allowed);
            return out;
        }
        node.fieldNames().forEachRemaining(k -> out.put(k, field(k)));
        return out;
    }

    /** Items of a list; empty (with a problem unless absent) when not a list. */
    List<At> items(String allowed) {
        List<At> out = new ArrayList<>();
        if (!present()) {
            return out;
        }
        if (!node.isArray()) {
            wrongType("a list", allowed);
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            out.add(item(i));
        }
        return out;
    }

    /**
     * For mappings that hold exactly one of {@code choices} (target, traffic, strategy, provider, hook): the one
     * chosen, or null with a problem at this path when there are none or several.
     */
    String exactlyOne(List<String> choices, boolean problemIfNone) {
        List<String> given = chosen(choices, problemIfNone);
        return given.size() == 1 ? given.get(0) : null;
    }

    /**
     * Like {@link #exactlyOne}, but every choice given, so that a reader can still report the problems inside each
     * of several (a spec with two strategies gets "has both" and what is wrong in each) before giving no model.
     */
    List<String> chosen(List<String> choices, boolean problemIfNone) {
        if (!present() || !node.isObject()) {
            return List.of();
        }
        List<String> given = choices.stream().filter(node::has).toList();
        if (given.isEmpty() && problemIfNone) {
            problem("has none of " + String.join(", ", choices) + "; allowed: exactly one of "
                    + String.join(", ", choices));
        } else if (given.size() > 1) {
            problem("has both '" + given.get(0) + "' and '" + given.get(1) + "'; allowed: exactly one of "
                    + String.join(", ", choices));
        }
        return given;
    }

    /**
     * The one of {@code choices} given, read by {@code reader} (from the choice and its field), or null with a
     * problem here when there are none or several; with several, each is still read, so that what is wrong
     * inside each is reported too.
     */
    <T> T readOne(List<String> choices, BiFunction<String, At, T> reader) {
        List<String> given = chosen(choices, true);
        T read = null;
        for (String choice : given) {
            read = reader.apply(choice, field(choice));
        }
        return given.size() == 1 ? read : null;
    }

    // ---- scalars

    String string(String allowed) {
        if (!present()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isNumber()) {
            return node.asText(); // version: 1.10 written unquoted; digits as written
        }
        wrongType("a string", allowed);
        return null;
    }

    /** A string that must satisfy {@code valid}; "'x' is not valid; allowed: ..." otherwise. */
    String string(String allowed, Predicate<String> valid) {
        String s = string(allowed);
        if (s != null && !valid.test(s)) {
            problem(describe(node) + " is not valid; allowed: " + allowed);
            return null;
        }
        return s;
    }

    Optional<String> optionalString(String allowed, Predicate<String> valid) {
        return Optional.ofNullable(string(allowed, valid));
    }

    /** One of a fixed set of words. */
    String word(List<String> allowed) {
        String s = string(String.join(", ", allowed));
        if (s != null && !allowed.contains(s)) {
            problem(describe(node) + " is not allowed; allowed: " + String.join(", ", allowed)
                    + Problems.didYouMean(s, allowed));
            return null;
        }
        return s;
    }

    Integer integer(int min, int max, String allowed) {
        if (!present()) {
            return null;
        }
        if (!node.isNumber() || !node.isIntegralNumber()) {
            wrongType("an integer", allowed);
            return null;
        }
        if (!node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            problem(node.asText() + " is out of range; allowed: " + allowed);
            return null;
        }
        return node.intValue();
    }

    int integer(int min, int max, String allowed, int fallback) {
        Integer i = integer(min, max, allowed);
        return i == null ? fallback : i;
    }

    Double decimal(Predicate<Double> inRange, String allowed) {
        if (!present()) {
            return null;
        }
        if (!node.isNumber()) {
            wrongType("a number", allowed);
            return null;
        }
        double d = node.doubleValue();
        if (Double.isNaN(d) || !inRange.test(d)) {
            problem(node.asText() + " is out of range; allowed: " + allowed);
            return null;
        }
        return d;
    }

    Boolean bool() {
        if (!present()) {
            return null;
        }
        if (!node.isBoolean()) {
            wrongType("a boolean", "true or false");
            return null;
        }
        return node.booleanValue();
    }

    /** A duration; zero is allowed only when {@code allowZero}. */
    Duration duration(boolean allowZero) {
        String allowed = (allowZero ? "" : "a positive duration: ") + Durations.ALLOWED;
        String s = string(allowed);
        if (s == null) {
            return null;
        }
        try {
            Duration d = Durations.parse(s);
            if (d.isZero() && !allowZero) {
                problem("'" + s + "' is out of range; allowed: " + allowed);
                return null;
            }
            return d;
        } catch (IllegalArgumentException e) {
            problem("'" + s + "' is not a duration; allowed: " + allowed);
            return null;
        }
    }

    Duration duration(boolean allowZero, Duration fallback) {
        Duration d = duration(allowZero);
        return d == null ? fallback : d;
    }

    /** A list of strings each satisfying {@code valid}; null when any is wrong. */
    List<String> strings(String allowedItem, Predicate<String> valid, boolean nonEmpty) {
        if (!present()) {
            return null;
        }
        if (!node.isArray()) {
            wrongType("a list", "a list of " + allowedItem);
            return null;
        }
        if (nonEmpty && node.isEmpty()) {
            problem("is empty; allowed: a list of at least one " + allowedItem);
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (At item : items(allowedItem)) {
            String s = item.string(allowedItem, valid);
            ok &= s != null;
            out.add(s);
        }
        return ok ? out : null;
    }

    void wrongType(String kind, String allowed) {
        problem(describe(node) + " is not " + kind + "; allowed: " + allowed);
    }

    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "nothing";
        }
        if (node.isTextual()) {
            // a URL's user and password never reach a message
            String t = node.textValue().replaceAll("(?<=//)[^/@\\s]*@", "***@");
            return "'" + (t.length() > 80 ? t.substring(0, 77) + "..." : t) + "'";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        return node.asText();
    }
}
