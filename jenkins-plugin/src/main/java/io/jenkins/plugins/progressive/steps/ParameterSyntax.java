package io.jenkins.plugins.progressive.steps;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The compact text forms that step parameters and form fields accept, each turned into the spec's JSON shape.
 * Every parser reports a problem through {@code problem(path, message)} naming the bad value and what is allowed,
 * and keeps going, so that one run reports everything wrong at once.
 */
final class ParameterSyntax {

    static final String DURATION_FORMS = "a number followed by ms, s, m or h (500ms, 30s, 2m, 1h)";
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern WEIGHT = Pattern.compile("-?\\d+");
    private static final Pattern TEMPLATE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern BATCH = Pattern.compile("(\\d+)(%?)");

    private ParameterSyntax() {
    }

    /** Comma- or whitespace-separated names; blanks dropped. */
    static List<String> list(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return Arrays.stream(text.trim().split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
    }

    /** A command line split at whitespace only: an argument may contain commas ({@code --labels a,b}). */
    static List<String> words(String text) {
        return text == null || text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
    }

    static Optional<String> checkDuration(String value) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        return DURATION.matcher(v).matches() ? Optional.empty()
                : Optional.of("'" + v + "' is not a duration: use " + DURATION_FORMS);
    }

    static Optional<String> checkWeight(String value) {
        String v = value == null ? "" : value.trim();
        if (!WEIGHT.matcher(v).matches()) {
            return Optional.of("'" + v + "' is not a weight: use a whole number of percent from 0 to 100");
        }
        int w = Integer.parseInt(v);
        return w >= 0 && w <= 100 ? Optional.empty()
                : Optional.of("weight " + w + " is out of range: use 0 to 100");
    }

    static Optional<String> checkQuery(String value) {
        return value == null || value.isBlank() ? Optional.of("A PromQL query is required") : Optional.empty();
    }

    static Optional<String> checkOneOf(String value, List<String> allowed) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty() || allowed.contains(v)) {
            return Optional.empty();
        }
        return Optional.of("'" + v + "' is not one of " + String.join(", ", allowed));
    }

    /**
     * Canary steps, compact: comma-separated items, each one of {@code 25} or {@code weight:25} (set the weight),
     * {@code pause:2m} or {@code pause:manual}, {@code analysis:error-rate} (several templates joined with
     * {@code +}: {@code analysis:error-rate+latency}).
     */
    static ArrayNode canarySteps(String text, String path, BiConsumer<String, String> problem) {
        ArrayNode steps = JsonNodeFactory.instance.arrayNode();
        if (text == null || text.isBlank()) {
            return steps;
        }
        String[] items = text.split(",", -1);
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            String at = path + "[" + i + "]";
            int colon = item.indexOf(':');
            String kind = colon < 0 ? "weight" : item.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String arg = colon < 0 ? item : item.substring(colon + 1).trim();
            ObjectNode step = JsonNodeFactory.instance.objectNode();
            switch (kind) {
                case "weight", "setweight" -> {
                    Optional<String> bad = checkWeight(arg);
                    if (bad.isPresent()) {
                        problem.accept(at, bad.get());
                    } else {
                        step.put("setWeight", Integer.parseInt(arg));
                    }
                }
                case "pause" -> {
                    if (arg.equals("manual")) {
                        step.put("pause", "manual");
                    } else {
                        Optional<String> bad = checkDuration(arg);
                        if (arg.isEmpty() || bad.isPresent()) {
                            problem.accept(at, "'" + item + "': a pause is pause:manual or pause:<duration>, "
                                    + "a duration being " + DURATION_FORMS);
                        } else {
                            step.put("pause", arg);
                        }
                    }
                }
                case "analysis" -> {
                    ArrayNode names = step.putArray("analysis");
                    for (String name : arg.split("\\+", -1)) {
                        String n = name.trim();
                        if (!TEMPLATE_NAME.matcher(n).matches()) {
                            problem.accept(at, "'" + item + "': analysis:<template>[+<template>…] names templates "
                                    + "with letters, digits, '.', '_' and '-'");
                        } else {
                            names.add(n);
                        }
                    }
                }
                default -> problem.accept(at, "'" + item + "' is not a step: use <weight>, pause:<duration>, "
                        + "pause:manual or analysis:<template>");
            }
            if (!step.isEmpty()) {
                steps.add(step);
            }
        }
        return steps;
    }

    /** Rolling batches: {@code 25%,50%,100%} or instance counts {@code 1,3,6}. */
    static ArrayNode batches(String text, String path, BiConsumer<String, String> problem) {
        ArrayNode batches = JsonNodeFactory.instance.arrayNode();
        List<String> items = list(text);
        for (int i = 0; i < items.size(); i++) {
            Matcher m = BATCH.matcher(items.get(i));
            if (!m.matches()) {
                problem.accept(path + "[" + i + "]", "'" + items.get(i)
                        + "' is not a batch: use a percentage (25%) or an instance count (3)");
            } else if (m.group(2).isEmpty()) {
                batches.add(Integer.parseInt(m.group(1)));
            } else {
                int percent = Integer.parseInt(m.group(1));
                if (percent < 1 || percent > 100) {
                    problem.accept(path + "[" + i + "]", "batch " + percent + "% is out of range: use 1% to 100%");
                }
                batches.add(items.get(i));
            }
        }
        return batches;
    }

    /** {@code prod=standby,shop=shop-dr}: namespace renames for a restore. */
    static ObjectNode namespaceMap(String text, String path, BiConsumer<String, String> problem) {
        ObjectNode map = JsonNodeFactory.instance.objectNode();
        List<String> items = list(text);
        for (String item : items) {
            int eq = item.indexOf('=');
            if (eq <= 0 || eq == item.length() - 1) {
                problem.accept(path, "'" + item + "' is not a namespace mapping: use from=to, e.g. prod=standby");
            } else {
                map.put(item.substring(0, eq), item.substring(eq + 1));
            }
        }
        return map;
    }
}
