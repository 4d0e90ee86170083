package io.jenkins.plugins.progressive.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which objects a snapshot takes: the spec's {@code include}/{@code exclude}. Kinds are named as in
 * kubectl ({@code deployments}, {@code deployment}, {@code Deployment} or {@code deployments.apps}).
 * When namespaces are listed, cluster-scoped objects are taken only if their kind is listed explicitly,
 * except the listed Namespaces themselves, which are always taken (whatever their labels) so a restore
 * recreates them as they were.
 */
public record Selection(List<String> namespaces, List<String> kinds, Optional<String> labelSelector,
        List<String> excludeKinds) {

    /** Never worth restoring: recreated by controllers or pure history. */
    public static final List<String> DEFAULT_EXCLUDED_KINDS = List.of("events", "events.events.k8s.io", "pods",
            "replicasets", "endpoints", "endpointslices", "controllerrevisions", "leases", "componentstatuses",
            "tokenreviews", "subjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews",
            "localsubjectaccessreviews", "bindings");

    public static final Selection ALL = new Selection(List.of(), List.of(), Optional.empty(), List.of());

    public Selection {
        namespaces = List.copyOf(namespaces);
        kinds = List.copyOf(kinds);
        excludeKinds = List.copyOf(excludeKinds);
        labelSelector.ifPresent(LabelSelector::parse);
    }

    public static Selection of(SnapshotSpec spec) {
        return new Selection(spec.includeNamespaces(), spec.includeKinds(), spec.labelSelector(), spec.excludeKinds());
    }

    /** Whether objects of this kind are taken (listed kinds, or all but the exclusions). */
    public boolean includesKind(String group, String kind) {
        if (kinds.stream().anyMatch(k -> kindMatches(k, group, kind))) {
            return excludeKinds.stream().noneMatch(k -> kindMatches(k, group, kind));
        }
        if (!kinds.isEmpty()) {
            return false;
        }
        return excludeKinds.stream().noneMatch(k -> kindMatches(k, group, kind))
                && DEFAULT_EXCLUDED_KINDS.stream().noneMatch(k -> kindMatches(k, group, kind));
    }

    public boolean matches(JsonNode object) {
        ObjectKey key = ObjectKey.of(object);
        if (!includesKind(key.group(), key.kind())) {
            return false;
        }
        if (!namespaces.isEmpty()) {
            if (key.namespaced()) {
                if (!namespaces.contains(key.namespace())) {
                    return false;
                }
            } else if (key.group().isEmpty() && key.kind().equals("Namespace")) {
                return namespaces.contains(key.name());
            } else if (kinds.stream().noneMatch(k -> kindMatches(k, key.group(), key.kind()))) {
                return false;
            }
        }
        return labelSelector.map(s -> LabelSelector.parse(s).matches(object.path("metadata").path("labels")))
                .orElse(true);
    }

    /** Whether a kind as the spec names it ({@code deployments}, {@code deployments.apps}) is this group and kind. */
    public static boolean kindMatches(String pattern, String group, String kind) {
        String p = pattern.toLowerCase(Locale.ROOT).strip();
        String g = group.toLowerCase(Locale.ROOT);
        int dot = p.indexOf('.');
        if (dot > 0) {
            if (!p.substring(dot + 1).equals(g)) {
                return false;
            }
            p = p.substring(0, dot);
        }
        String k = kind.toLowerCase(Locale.ROOT);
        return p.equals(k) || p.equals(plural(k));
    }

    static String plural(String k) {
        if (k.endsWith("s") || k.endsWith("x") || k.endsWith("ch") || k.endsWith("sh")) {
            return k + "es";
        }
        if (k.endsWith("y") && k.length() > 1 && "aeiou".indexOf(k.charAt(k.length() - 2)) < 0) {
            return k.substring(0, k.length() - 1) + "ies";
        }
        return k + "s";
    }

    /** Kubernetes label selectors: {@code a=b}, {@code a==b}, {@code a!=b}, {@code a}, {@code !a}, {@code a in (x,y)}, {@code a notin (x,y)}. */
    record LabelSelector(List<Term> terms) {

        record Term(String label, String op, Set<String> values) {
            boolean matches(JsonNode labels) {
                JsonNode v = labels.get(label);
                boolean present = v != null && v.isTextual();
                return switch (op) {
                    case "exists" -> present;
                    case "!exists" -> !present;
                    case "in", "=" -> present && values.contains(v.asText());
                    case "notin", "!=" -> !present || !values.contains(v.asText());
                    default -> throw new IllegalStateException(op);
                };
            }
        }

        boolean matches(JsonNode labels) {
            return terms.stream().allMatch(t -> t.matches(labels));
        }

        static LabelSelector parse(String selector) {
            List<Term> terms = new ArrayList<>();
            for (String raw : splitTerms(selector)) {
                String t = raw.strip();
                if (t.isEmpty()) {
                    continue;
                }
                terms.add(term(t, selector));
            }
            return new LabelSelector(List.copyOf(terms));
        }

        private static Term term(String t, String selector) {
            var setBased = java.util.regex.Pattern.compile("([^\\s!=(),]+)\\s+(in|notin)\\s*\\(([^)]*)\\)").matcher(t);
            if (setBased.matches()) {
                Set<String> values = new java.util.TreeSet<>();
                for (String v : setBased.group(3).split(",")) {
                    values.add(v.strip());
                }
                return new Term(setBased.group(1), setBased.group(2), values);
            }
            var eq = java.util.regex.Pattern.compile("([^\\s!=(),]+)\\s*(==|!=|=)\\s*([^\\s!=(),]*)").matcher(t);
            if (eq.matches()) {
                String op = eq.group(2).equals("==") ? "=" : eq.group(2);
                return new Term(eq.group(1), op, Set.of(eq.group(3)));
            }
            if (t.matches("![^\\s!=(),]+")) {
                return new Term(t.substring(1), "!exists", Set.of());
            }
            if (t.matches("[^\\s!=(),]+")) {
                return new Term(t, "exists", Set.of());
            }
            throw new IllegalArgumentException("snapshot.include.labelSelector: cannot parse '" + t + "' in '" + selector
                    + "'; allowed: key=value, key!=value, key, !key, key in (a,b), key notin (a,b), joined by commas");
        }

        private static List<String> splitTerms(String s) {
            List<String> out = new ArrayList<>();
            int depth = 0;
            int start = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                } else if (c == ',' && depth == 0) {
                    out.add(s.substring(start, i));
                    start = i + 1;
                }
            }
            out.add(s.substring(start));
            return out;
        }
    }
}
