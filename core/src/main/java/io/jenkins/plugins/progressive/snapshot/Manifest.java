package io.jenkins.plugins.progressive.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a snapshot holds: who took it from where, with which selection, and for every object and every
 * hook file its sha256 (over the plaintext canonical JSON or file bytes), the blob that stores it and
 * whether that blob is encrypted (and with which key id). {@link #sha256()} covers the rest of the
 * manifest, so a manifest edited by hand is refused.
 */
public record Manifest(String id, String name, Instant createdAt, String createdBy, String source,
        String toolVersion, Selection selection, boolean excludeSecrets, List<Entry> objects, List<HookFile> hooks,
        String sha256) {

    public static final int FORMAT = 1;

    public Manifest {
        SnapshotStore.requireManifestId(id);
        objects = List.copyOf(objects);
        hooks = List.copyOf(hooks);
    }

    /** One object: its key, the sha256 of its plaintext canonical JSON, and the blob holding it. */
    public record Entry(ObjectKey key, String sha256, String blob, boolean encrypted, Optional<String> keyId) {
    }

    /** One file a pre hook wrote, by its path relative to the hook folder. */
    public record HookFile(String name, String sha256, String blob, boolean encrypted, Optional<String> keyId) {
    }

    /** A new manifest with its checksum computed. */
    static Manifest sealed(String id, String name, Instant createdAt, String createdBy, String source,
            String toolVersion, Selection selection, boolean excludeSecrets, List<Entry> objects, List<HookFile> hooks) {
        Manifest m = new Manifest(id, name, createdAt, createdBy, source, toolVersion, selection, excludeSecrets,
                objects, hooks, "");
        return new Manifest(id, name, createdAt, createdBy, source, toolVersion, selection, excludeSecrets, objects,
                hooks, m.computeSha256());
    }

    /** Objects per kind ({@code Deployment.apps: 3}), sorted by kind. */
    public Map<String, Integer> counts() {
        Map<String, Integer> counts = new TreeMap<>();
        objects.forEach(e -> counts.merge(e.key().groupKind(), 1, Integer::sum));
        return counts;
    }

    /** Key ids of the encrypted entries (normally one). */
    public List<String> keyIds() {
        List<String> ids = new ArrayList<>();
        objects.forEach(e -> e.keyId().filter(k -> !ids.contains(k)).ifPresent(ids::add));
        hooks.forEach(h -> h.keyId().filter(k -> !ids.contains(k)).ifPresent(ids::add));
        return ids;
    }

    public boolean checksumMatches() {
        return computeSha256().equals(sha256);
    }

    String computeSha256() {
        ObjectNode json = toJson();
        json.remove("sha256");
        return Canonical.sha256(Canonical.bytes(json));
    }

    public ObjectNode toJson() {
        ObjectNode m = Canonical.JSON.createObjectNode();
        m.put("format", FORMAT);
        m.put("id", id);
        m.put("name", name);
        m.put("createdAt", createdAt.toString());
        m.put("createdBy", createdBy);
        m.put("source", source);
        m.put("toolVersion", toolVersion);
        ObjectNode sel = m.putObject("selection");
        ObjectNode include = sel.putObject("include");
        selection.namespaces().forEach(include.putArray("namespaces")::add);
        selection.kinds().forEach(include.putArray("kinds")::add);
        selection.labelSelector().ifPresent(s -> include.put("labelSelector", s));
        ObjectNode exclude = sel.putObject("exclude");
        selection.excludeKinds().forEach(exclude.putArray("kinds")::add);
        exclude.put("secrets", excludeSecrets);
        ObjectNode counts = m.putObject("counts");
        counts().forEach(counts::put);
        ArrayNode objs = m.putArray("objects");
        for (Entry e : objects) {
            ObjectNode o = objs.addObject();
            o.put("group", e.key().group());
            o.put("version", e.key().version());
            o.put("kind", e.key().kind());
            o.put("namespace", e.key().namespace());
            o.put("name", e.key().name());
            o.put("sha256", e.sha256());
            o.put("blob", e.blob());
            o.put("encrypted", e.encrypted());
            e.keyId().ifPresent(k -> o.put("keyId", k));
        }
        ArrayNode hks = m.putArray("hooks");
        for (HookFile h : hooks) {
            ObjectNode o = hks.addObject();
            o.put("name", h.name());
            o.put("sha256", h.sha256());
            o.put("blob", h.blob());
            o.put("encrypted", h.encrypted());
            h.keyId().ifPresent(k -> o.put("keyId", k));
        }
        m.put("sha256", sha256);
        return m;
    }

    /** The stored form: canonical key order, indented for people. */
    public byte[] toBytes() {
        try {
            return Canonical.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(Canonical.sorted(toJson()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a stored manifest; does not check the checksum (see {@link #checksumMatches()}). */
    public static Manifest parse(String id, byte[] bytes) {
        try {
            JsonNode m = Canonical.parseObject(bytes);
            if (m.path("format").asInt() != FORMAT) {
                throw new SnapshotIntegrityException("snapshot " + id + ": unknown manifest format "
                        + m.path("format") + " (this version reads format " + FORMAT + ")");
            }
            JsonNode include = m.path("selection").path("include");
            JsonNode exclude = m.path("selection").path("exclude");
            Selection selection = new Selection(texts(include.path("namespaces")), texts(include.path("kinds")),
                    include.hasNonNull("labelSelector") ? Optional.of(include.get("labelSelector").asText()) : Optional.empty(),
                    texts(exclude.path("kinds")));
            List<Entry> objects = new ArrayList<>();
            for (JsonNode o : m.path("objects")) {
                ObjectKey key = new ObjectKey(o.path("group").asText(), o.path("version").asText(),
                        o.path("kind").asText(), o.path("namespace").asText(), o.path("name").asText());
                objects.add(new Entry(key, o.path("sha256").asText(), o.path("blob").asText(),
                        o.path("encrypted").asBoolean(), optional(o.get("keyId"))));
            }
            List<HookFile> hooks = new ArrayList<>();
            for (JsonNode o : m.path("hooks")) {
                hooks.add(new HookFile(o.path("name").asText(), o.path("sha256").asText(), o.path("blob").asText(),
                        o.path("encrypted").asBoolean(), optional(o.get("keyId"))));
            }
            return new Manifest(m.path("id").asText(), m.path("name").asText(),
                    Instant.parse(m.path("createdAt").asText()), m.path("createdBy").asText(),
                    m.path("source").asText(), m.path("toolVersion").asText(), selection,
                    exclude.path("secrets").asBoolean(), objects, hooks, m.path("sha256").asText());
        } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
            throw new SnapshotIntegrityException("snapshot " + id + ": the manifest is damaged (" + e.getMessage() + ")");
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Optional<String> optional(JsonNode n) {
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    /** What {@code snapshot show} prints. */
    public String render() {
        StringBuilder b = new StringBuilder();
        b.append("snapshot ").append(id).append('\n');
        b.append("  rollout:   ").append(name).append('\n');
        b.append("  created:   ").append(createdAt).append(" by ").append(createdBy).append('\n');
        b.append("  source:    ").append(source).append('\n');
        b.append("  tool:      ").append(toolVersion).append('\n');
        b.append("  include:   namespaces=").append(selection.namespaces()).append(" kinds=").append(selection.kinds())
                .append(selection.labelSelector().map(s -> " labels=" + s).orElse("")).append('\n');
        b.append("  exclude:   kinds=").append(selection.excludeKinds()).append(excludeSecrets ? " secrets" : "").append('\n');
        b.append("  sha256:    ").append(sha256).append(checksumMatches() ? "" : "  (DOES NOT MATCH)").append('\n');
        b.append("  objects:   ").append(objects.size()).append('\n');
        counts().forEach((k, v) -> b.append("    ").append(k).append(": ").append(v).append('\n'));
        for (Entry e : objects) {
            b.append("    ").append(e.key()).append("  ").append(e.key().apiVersion()).append("  sha256:")
                    .append(e.sha256(), 0, Math.min(12, e.sha256().length()))
                    .append(e.encrypted() ? "  encrypted (key " + e.keyId().orElse("?") + ")" : "").append('\n');
        }
        if (!hooks.isEmpty()) {
            b.append("  hook files: ").append(hooks.size()).append('\n');
            for (HookFile h : hooks) {
                b.append("    ").append(h.name()).append("  sha256:").append(h.sha256(), 0, Math.min(12, h.sha256().length()))
                        .append(h.encrypted() ? "  encrypted (key " + h.keyId().orElse("?") + ")" : "").append('\n');
            }
        }
        return b.toString();
    }
}
