package io.jenkins.plugins.progressive.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What changed between two snapshots: objects added, removed and changed, with a field-level diff of
 * the changed ones (server-set fields ignored). Values of encrypted objects are never shown.
 */
public record SnapshotDiff(String from, String to, List<ObjectKey> added, List<ObjectKey> removed,
        List<Changed> changed, List<String> hookFiles) {

    private static final int MAX_VALUE = 80;

    public record Changed(ObjectKey key, List<FieldChange> fields) {
    }

    /** {@code before}/{@code after} are empty when the field is absent on that side, or hidden. */
    public record FieldChange(String path, Optional<String> before, Optional<String> after, boolean hidden) {
        @Override
        public String toString() {
            if (hidden) {
                return path + ": (" + (before.isEmpty() ? "added" : after.isEmpty() ? "removed" : "changed") + ")";
            }
            return path + ": " + before.orElse("(absent)") + " → " + after.orElse("(absent)");
        }
    }

    public SnapshotDiff {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        hookFiles = List.copyOf(hookFiles);
    }

    public boolean empty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && hookFiles.isEmpty();
    }

    public String render() {
        StringBuilder b = new StringBuilder("diff ").append(from).append(" → ").append(to).append('\n');
        added.forEach(k -> b.append("+ ").append(k).append('\n'));
        removed.forEach(k -> b.append("- ").append(k).append('\n'));
        for (Changed c : changed) {
            b.append("~ ").append(c.key()).append('\n');
            c.fields().forEach(f -> b.append("    ").append(f).append('\n'));
        }
        hookFiles.forEach(h -> b.append(h).append('\n'));
        b.append(added.size()).append(" added, ").append(removed.size()).append(" removed, ").append(changed.size())
                .append(" changed\n");
        return b.toString();
    }

    static SnapshotDiff between(SnapshotContents a, SnapshotContents b) {
        Map<ObjectKey, SnapshotContents.Item> left = index(a);
        Map<ObjectKey, SnapshotContents.Item> right = index(b);
        List<ObjectKey> added = new ArrayList<>();
        List<ObjectKey> removed = new ArrayList<>();
        List<Changed> changed = new ArrayList<>();
        for (ObjectKey k : right.keySet()) {
            if (!left.containsKey(k)) {
                added.add(k);
            }
        }
        for (Map.Entry<ObjectKey, SnapshotContents.Item> e : left.entrySet()) {
            SnapshotContents.Item after = right.get(e.getKey());
            if (after == null) {
                removed.add(e.getKey());
                continue;
            }
            SnapshotContents.Item before = e.getValue();
            if (before.entry().sha256().equals(after.entry().sha256())) {
                continue;
            }
            boolean hidden = before.entry().encrypted() || after.entry().encrypted();
            if (before.object().isEmpty() || after.object().isEmpty()) {
                changed.add(new Changed(e.getKey(), List.of(new FieldChange("(encrypted; no key to compare fields)",
                        Optional.of("?"), Optional.of("?"), true))));
                continue;
            }
            List<FieldChange> fields = new ArrayList<>();
            compare("", ServerFields.strip(before.object().get()), ServerFields.strip(after.object().get()), hidden, fields);
            if (!fields.isEmpty()) {
                changed.add(new Changed(e.getKey(), fields));
            }
        }
        return new SnapshotDiff(a.manifest().id(), b.manifest().id(), added, removed, changed,
                hookFiles(a.manifest(), b.manifest()));
    }

    /** {@code + hook file x}, {@code - hook file x}, {@code ~ hook file x}: contents are never shown. */
    private static List<String> hookFiles(Manifest a, Manifest b) {
        Map<String, String> left = new TreeMap<>();
        Map<String, String> right = new TreeMap<>();
        a.hooks().forEach(h -> left.put(h.name(), h.sha256()));
        b.hooks().forEach(h -> right.put(h.name(), h.sha256()));
        List<String> out = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>(left.keySet());
        names.addAll(right.keySet());
        for (String n : names) {
            if (!left.containsKey(n)) {
                out.add("+ hook file " + n);
            } else if (!right.containsKey(n)) {
                out.add("- hook file " + n);
            } else if (!left.get(n).equals(right.get(n))) {
                out.add("~ hook file " + n);
            }
        }
        return out;
    }

    private static Map<ObjectKey, SnapshotContents.Item> index(SnapshotContents c) {
        Map<ObjectKey, SnapshotContents.Item> m = new TreeMap<>();
        c.items().forEach(i -> m.put(i.key(), i));
        return m;
    }

    private static void compare(String path, JsonNode a, JsonNode b, boolean hidden, List<FieldChange> out) {
        if (a.equals(b)) {
            return;
        }
        if (a.isObject() && b.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                compare(field(path, n), a.path(n), b.path(n), hidden, out);
            }
            return;
        }
        if (a.isArray() && b.isArray()) {
            int n = Math.max(a.size(), b.size());
            for (int i = 0; i < n; i++) {
                compare(path + "[" + i + "]", a.path(i), b.path(i), hidden, out);
            }
            return;
        }
        out.add(new FieldChange(path, value(a, hidden), value(b, hidden), hidden));
    }

    private static Optional<String> value(JsonNode n, boolean hidden) {
        if (n.isMissingNode()) {
            return Optional.empty();
        }
        if (hidden) {
            return Optional.of("");
        }
        String s = n.isTextual() ? n.asText() : n.toString();
        return Optional.of(s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE) + "…" : s);
    }

    private static String field(String path, String name) {
        boolean plain = name.matches("[A-Za-z_][A-Za-z0-9_-]*");
        String part = plain ? name : "[\"" + name.replace("\"", "\\\"") + "\"]";
        return path.isEmpty() || !plain ? path + part : path + "." + part;
    }
}
