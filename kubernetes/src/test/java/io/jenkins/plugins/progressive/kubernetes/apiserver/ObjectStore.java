package io.jenkins.plugins.progressive.kubernetes.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The test API server's etcd: objects per resource type keyed (and so listed) by namespace/name, one global
 * resourceVersion counter, a bounded history of changes for watches that resume from a resourceVersion, and
 * the open watches. Every method is synchronized: the store is small and correctness beats throughput here.
 */
final class ObjectStore {

    /** One write, as a watch sees it. {@code before} is null for ADDED, {@code after} the deleted object for DELETED. */
    record Change(long resourceVersion, ResourceType type, String kind, ObjectNode before, ObjectNode after) {
    }

    /** An open watch; {@code sink} receives the events' JSON frames. */
    record Watch(ResourceType type, String namespace, Selector labels, Selector fields, String version,
            Consumer<Change> sink) {
    }

    private static final int HISTORY = 20_000;

    private final Map<String, ResourceType> types = new LinkedHashMap<>();
    private final Map<String, TreeMap<String, ObjectNode>> objects = new LinkedHashMap<>();
    private final Deque<Change> history = new ArrayDeque<>();
    private final List<Watch> watches = new ArrayList<>();
    private final List<Consumer<ObjectNode>> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long resourceVersion = 1;
    private long compactedThrough = 0;

    private static String key(String group, String plural) {
        return group + "/" + plural;
    }

    private static String objectKey(String namespace, String name) {
        return (namespace == null ? "" : namespace) + "/" + name;
    }

    synchronized void register(ResourceType type) {
        types.put(key(type.group(), type.plural()), type);
        objects.computeIfAbsent(key(type.group(), type.plural()), k -> new TreeMap<>());
    }

    /** Removes a type and every object of it (a deleted CRD takes its custom resources along). */
    synchronized void unregister(ResourceType type) {
        for (ObjectNode o : list(type, null)) {
            delete(type, namespaceOf(o), nameOf(o));
        }
        types.remove(key(type.group(), type.plural()));
        objects.remove(key(type.group(), type.plural()));
        watches.removeIf(w -> w.type().equals(type));
    }

    synchronized ResourceType type(String group, String version, String plural) {
        ResourceType t = types.get(key(group, plural));
        return t != null && (version == null || t.versions().contains(version)) ? t : null;
    }

    synchronized List<ResourceType> types() {
        return List.copyOf(types.values());
    }

    synchronized long currentResourceVersion() {
        return resourceVersion;
    }

    synchronized ObjectNode get(ResourceType type, String namespace, String name) {
        ObjectNode o = map(type).get(objectKey(namespace, name));
        return o == null ? null : o.deepCopy();
    }

    /** Sorted by namespace, then name, as etcd's key order gives them. */
    synchronized List<ObjectNode> list(ResourceType type, String namespace) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode o : map(type).values()) {
            if (namespace == null || namespace.equals(namespaceOf(o))) {
                out.add(o.deepCopy());
            }
        }
        return out;
    }

    /** Every object of every type whose ownerReferences name {@code uid}. */
    synchronized List<Map.Entry<ResourceType, ObjectNode>> dependentsOf(String uid) {
        List<Map.Entry<ResourceType, ObjectNode>> out = new ArrayList<>();
        for (ResourceType t : types.values()) {
            for (ObjectNode o : map(t).values()) {
                for (var ref : o.path("metadata").path("ownerReferences")) {
                    if (uid.equals(ref.path("uid").asText())) {
                        out.add(Map.entry(t, o.deepCopy()));
                    }
                }
            }
        }
        return out;
    }

    /** Stores {@code object} under a new resourceVersion (set on the object) and tells the watches. */
    synchronized ObjectNode put(ResourceType type, ObjectNode object) {
        String k = objectKey(namespaceOf(object), nameOf(object));
        ObjectNode before = map(type).get(k);
        long rv = ++resourceVersion;
        ObjectNode stored = object.deepCopy();
        ((ObjectNode) stored.get("metadata")).put("resourceVersion", Long.toString(rv));
        map(type).put(k, stored);
        record(new Change(rv, type, before == null ? "ADDED" : "MODIFIED", before, stored));
        return stored.deepCopy();
    }

    synchronized ObjectNode delete(ResourceType type, String namespace, String name) {
        ObjectNode removed = map(type).remove(objectKey(namespace, name));
        if (removed == null) {
            return null;
        }
        long rv = ++resourceVersion;
        ObjectNode last = removed.deepCopy();
        ((ObjectNode) last.get("metadata")).put("resourceVersion", Long.toString(rv));
        record(new Change(rv, type, "DELETED", removed, last));
        return last.deepCopy();
    }

    private void record(Change change) {
        history.addLast(change);
        while (history.size() > HISTORY) {
            compactedThrough = history.removeFirst().resourceVersion();
        }
        for (Watch w : List.copyOf(watches)) {
            if (w.type().equals(change.type())) {
                w.sink().accept(change);
            }
        }
        changeListeners.forEach(l -> l.accept(change.after().deepCopy()));
    }

    /** Calls {@code listener} with every stored object as the change is applied, in the order of resourceVersions. */
    void onChange(Consumer<ObjectNode> listener) {
        changeListeners.add(listener);
    }

    /**
     * Opens a watch: replays what happened after {@code since} (or the current objects as ADDED when
     * {@code since} is 0), then stays subscribed. Returns false, opening nothing, when {@code since} is
     * older than the retained history (the caller answers 410 Gone).
     */
    synchronized boolean watch(Watch watch, long since) {
        if (since > 0 && since < compactedThrough) {
            return false;
        }
        if (since == 0) {
            for (ObjectNode o : map(watch.type()).values()) {
                watch.sink().accept(new Change(resourceVersion, watch.type(), "ADDED", null, o.deepCopy()));
            }
        } else {
            for (Change c : history) {
                if (c.resourceVersion() > since && c.type().equals(watch.type())) {
                    watch.sink().accept(c);
                }
            }
        }
        watches.add(watch);
        return true;
    }

    synchronized void unwatch(Watch watch) {
        watches.remove(watch);
    }

    synchronized long compactedThrough() {
        return compactedThrough;
    }

    /** Forgets the change history, as etcd compaction does: watches from older versions get 410 Gone. */
    synchronized void compact() {
        history.clear();
        compactedThrough = resourceVersion;
    }

    private TreeMap<String, ObjectNode> map(ResourceType type) {
        return objects.computeIfAbsent(key(type.group(), type.plural()), k -> new TreeMap<>());
    }

    static String namespaceOf(ObjectNode o) {
        String ns = o.path("metadata").path("namespace").asText("");
        return ns.isEmpty() ? null : ns;
    }

    static String nameOf(ObjectNode o) {
        return o.path("metadata").path("name").asText();
    }
}
