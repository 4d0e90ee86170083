package io.jenkins.plugins.progressive.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.Objects;

/**
 * Identifies one object of a snapshot: API group, version, kind, namespace ({@code ""} for cluster-scoped
 * objects) and name. Platform-neutral: a router's backend or a host's instances are objects too.
 */
public record ObjectKey(String group, String version, String kind, String namespace, String name)
        implements Comparable<ObjectKey> {

    private static final Comparator<ObjectKey> ORDER = Comparator.comparing(ObjectKey::group)
            .thenComparing(ObjectKey::kind).thenComparing(ObjectKey::namespace).thenComparing(ObjectKey::name)
            .thenComparing(ObjectKey::version);

    public ObjectKey {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(namespace, "namespace");
        if (version == null || version.isEmpty() || kind == null || kind.isEmpty() || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("an object key needs a version, a kind and a name");
        }
    }

    /** The key of a whole resource document: {@code apiVersion}, {@code kind}, {@code metadata.namespace/name}. */
    public static ObjectKey of(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText("");
        String kind = object.path("kind").asText("");
        JsonNode metadata = object.path("metadata");
        String name = metadata.path("name").asText("");
        if (apiVersion.isEmpty() || kind.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException(
                    "an object needs apiVersion, kind and metadata.name (got apiVersion='" + apiVersion + "', kind='"
                            + kind + "', name='" + name + "')");
        }
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        return new ObjectKey(group, version, kind, metadata.path("namespace").asText(""), name);
    }

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public boolean namespaced() {
        return !namespace.isEmpty();
    }

    public ObjectKey inNamespace(String ns) {
        return new ObjectKey(group, version, kind, ns, name);
    }

    /** The kind as counted in a manifest: {@code Deployment.apps}, {@code Secret}. */
    public String groupKind() {
        return group.isEmpty() ? kind : kind + "." + group;
    }

    /** Stable text identity; also the additional authenticated data of a sealed object. */
    public String id() {
        return group + "/" + version + "/" + kind + "/" + namespace + "/" + name;
    }

    @Override
    public int compareTo(ObjectKey o) {
        return ORDER.compare(this, o);
    }

    /** {@code Deployment prod/shop}, {@code Namespace prod}: how people name objects. */
    @Override
    public String toString() {
        return kind + " " + (namespace.isEmpty() ? name : namespace + "/" + name);
    }
}
