package io.jenkins.plugins.progressive.kubernetes.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A parsed label or field selector ({@code app=shop,tier!=db,env in (a,b),!legacy,version}).
 */
final class Selector {

    private enum Op { EQ, NEQ, IN, NOTIN, EXISTS, NOTEXISTS }

    private record Term(String key, Op op, Set<String> values) {
    }

    static final Selector ALL = new Selector(List.of());

    private final List<Term> terms;

    private Selector(List<Term> terms) {
        this.terms = terms;
    }

    static Selector parse(String text) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        List<Term> terms = new ArrayList<>();
        for (String part : splitTopLevel(text)) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int in = indexOfWord(p, " notin ");
            if (in > 0) {
                terms.add(new Term(p.substring(0, in).trim(), Op.NOTIN, values(p.substring(in + 7))));
                continue;
            }
            in = indexOfWord(p, " in ");
            if (in > 0) {
                terms.add(new Term(p.substring(0, in).trim(), Op.IN, values(p.substring(in + 4))));
                continue;
            }
            if (p.contains("!=")) {
                String[] kv = p.split("!=", 2);
                terms.add(new Term(kv[0].trim(), Op.NEQ, Set.of(kv[1].trim())));
            } else if (p.contains("==")) {
                String[] kv = p.split("==", 2);
                terms.add(new Term(kv[0].trim(), Op.EQ, Set.of(kv[1].trim())));
            } else if (p.contains("=")) {
                String[] kv = p.split("=", 2);
                terms.add(new Term(kv[0].trim(), Op.EQ, Set.of(kv[1].trim())));
            } else if (p.startsWith("!")) {
                terms.add(new Term(p.substring(1).trim(), Op.NOTEXISTS, Set.of()));
            } else {
                terms.add(new Term(p, Op.EXISTS, Set.of()));
            }
        }
        return new Selector(terms);
    }

    private static int indexOfWord(String s, String word) {
        return s.indexOf(word);
    }

    private static Set<String> values(String list) {
        String l = list.trim();
        if (!l.startsWith("(") || !l.endsWith(")")) {
            throw new IllegalArgumentException("unable to parse requirement: values must be in parentheses: " + list);
        }
        return Arrays.stream(l.substring(1, l.length() - 1).split(",")).map(String::trim)
                .filter(v -> !v.isEmpty()).collect(Collectors.toSet());
    }

    /** Splits on commas that are not inside parentheses. */
    private static List<String> splitTopLevel(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** Label selector: looks keys up in metadata.labels. */
    boolean matchesLabels(JsonNode object) {
        JsonNode labels = object.path("metadata").path("labels");
        return matches(k -> labels.hasNonNull(k) ? labels.get(k).asText() : null);
    }

    /** Field selector: keys are dotted paths into the object ({@code metadata.name}). */
    boolean matchesFields(JsonNode object) {
        return matches(path -> {
            JsonNode n = object;
            for (String seg : path.split("\\.")) {
                n = n.path(seg);
            }
            return n.isMissingNode() || n.isNull() ? "" : n.asText();
        });
    }

    private boolean matches(Function<String, String> lookup) {
        for (Term t : terms) {
            String v = lookup.apply(t.key());
            boolean ok = switch (t.op()) {
                case EQ -> v != null && t.values().contains(v);
                case NEQ -> v == null || !t.values().contains(v);
                case IN -> v != null && t.values().contains(v);
                case NOTIN -> v == null || !t.values().contains(v);
                case EXISTS -> v != null;
                case NOTEXISTS -> v == null;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
