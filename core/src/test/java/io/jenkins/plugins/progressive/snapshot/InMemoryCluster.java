package io.jenkins.plugins.progressive.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A small API server in memory, for snapshot tests: it sets server fields on create, refuses duplicates,
 * namespaced objects in a missing namespace, and custom resources whose CRD does not exist — so a restore
 * in the wrong order fails here as it would on a cluster.
 */
final class InMemoryCluster implements ObjectSource, ObjectSink {

    static final ObjectMapper JSON = new ObjectMapper();

    final Map<ObjectKey, ObjectNode> objects = new TreeMap<>();
    final List<String> log = new ArrayList<>();
    private final AtomicLong resourceVersion = new AtomicLong(1000);
    int writes;

    @Override
    public Stream<ObjectNode> objects(Selection selection) {
        return new ArrayList<>(objects.values()).stream().map(ObjectNode::deepCopy);
    }

    @Override
    public String describe() {
        return "memory://test-cluster";
    }

    @Override
    public boolean exists(ObjectKey key) {
        return objects.containsKey(key);
    }

    @Override
    public void create(ObjectNode object) {
        ObjectKey key = ObjectKey.of(object);
        if (objects.containsKey(key)) {
            throw new IllegalStateException("409 AlreadyExists: " + key);
        }
        if (key.namespaced() && !objects.containsKey(new ObjectKey("", "v1", "Namespace", "", key.namespace()))) {
            throw new IllegalStateException("404 namespace " + key.namespace() + " not found for " + key);
        }
        if (!RestoreOrderTestSupport.builtIn(key) && objects.keySet().stream().noneMatch(k ->
                k.kind().equals("CustomResourceDefinition") && k.name().equals(plural(key) + "." + key.group()))) {
            throw new IllegalStateException("404 no CRD for " + key);
        }
        if (object.path("metadata").has("uid") || object.path("metadata").has("resourceVersion")) {
            throw new IllegalStateException("400 create with server fields: " + key);
        }
        writes++;
        log.add("create " + key);
        objects.put(key, serverFields(object.deepCopy()));
    }

    @Override
    public void update(ObjectNode object) {
        ObjectKey key = ObjectKey.of(object);
        ObjectNode live = objects.get(key);
        if (live == null) {
            throw new IllegalStateException("404 " + key);
        }
        ObjectNode next = object.deepCopy();
        ObjectNode md = (ObjectNode) next.get("metadata");
        md.set("uid", live.path("metadata").get("uid"));
        md.put("creationTimestamp", live.path("metadata").path("creationTimestamp").asText());
        md.put("resourceVersion", Long.toString(resourceVersion.incrementAndGet()));
        writes++;
        log.add("update " + key);
        objects.put(key, next);
    }

    @Override
    public void delete(ObjectKey key) {
        writes++;
        log.add("delete " + key);
        objects.remove(key);
    }

    /** Puts an object as the live state (with server fields), like kubectl apply would leave it. */
    InMemoryCluster put(String json) {
        try {
            ObjectNode o = (ObjectNode) JSON.readTree(json);
            objects.put(ObjectKey.of(o), serverFields(o));
            return this;
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    ObjectNode get(String kind, String namespace, String name) {
        return objects.entrySet().stream()
                .filter(e -> e.getKey().kind().equals(kind) && e.getKey().namespace().equals(namespace)
                        && e.getKey().name().equals(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    void wipe() {
        objects.clear();
        log.clear();
        writes = 0;
    }

    private ObjectNode serverFields(ObjectNode o) {
        ObjectNode md = (ObjectNode) o.get("metadata");
        md.put("uid", UUID.randomUUID().toString());
        md.put("resourceVersion", Long.toString(resourceVersion.incrementAndGet()));
        md.put("creationTimestamp", "2026-11-25T10:00:00Z");
        md.put("generation", 1);
        md.putArray("managedFields").addObject().put("manager", "kubectl").put("operation", "Update");
        if (o.path("kind").asText().equals("Service") && !o.path("spec").has("clusterIP")) {
            ((ObjectNode) o.get("spec")).put("clusterIP", "10.96.0." + (resourceVersion.get() % 250));
        }
        return o;
    }

    private static String plural(ObjectKey key) {
        return Selection.plural(key.kind().toLowerCase(java.util.Locale.ROOT));
    }

    /** Tells built-in kinds from custom resources, like RestoreOrder does. */
    static final class RestoreOrderTestSupport {
        static boolean builtIn(ObjectKey key) {
            return RestoreOrder.rank(key) < 1000;
        }
    }
}
