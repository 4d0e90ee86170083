package io.jenkins.plugins.progressive.kubernetes.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.snapshot.ObjectKey;
import io.jenkins.plugins.progressive.snapshot.ObjectSink;
import io.jenkins.plugins.progressive.snapshot.ObjectSource;
import io.jenkins.plugins.progressive.snapshot.Selection;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A cluster as a snapshot's source and a restore's sink. Capture discovers every listable kind (built-in
 * groups and CRDs alike) from the API server, lists each selected kind in pages of {@value #PAGE} on a small
 * pool and keeps the objects as raw JSON (no model classes, no per-object GET). Restore writes raw JSON too,
 * re-reading on 409 Conflict and creating a missing namespace on the way.
 */
public final class ClusterObjects implements ObjectSource, ObjectSink {

    static final int PAGE = 500;
    private static final int THREADS = 4;
    private static final int UPDATE_ATTEMPTS = 8;
    private static final long WAIT_MILLIS = 30_000;
    private static final long REQUEST_SECONDS = 60;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;
    private final String base;
    private final String description;

    /** Resources per group/version ("v1", "apps/v1"), read once and again when a kind is missing. */
    private final Map<String, List<Resource>> discovered = new ConcurrentHashMap<>();
    /** Names present per resource path prefix (for {@link #exists}), filled by one list each. */
    private final Map<String, Set<String>> names = new ConcurrentHashMap<>();
    private final Set<ObjectKey> deleted = ConcurrentHashMap.newKeySet();

    /** One listable resource as discovery names it. */
    record Resource(String group, String version, String plural, String kind, boolean namespaced) {
        String apiVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        String root() {
            return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        }

        String collection(String namespace) {
            return root() + (namespaced && namespace != null ? "/namespaces/" + namespace : "") + "/" + plural;
        }

        String what() {
            return group.isEmpty() ? plural : plural + "." + group;
        }
    }

    public ClusterObjects(KubernetesClient client) {
        this.http = client.getHttpClient();
        String url = String.valueOf(client.getMasterUrl());
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        var context = client.getConfiguration().getCurrentContext();
        this.description = "kubernetes " + base + (context != null && context.getName() != null
                ? " (context " + context.getName() + ")" : "");
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public boolean sensitive(ObjectNode object) {
        return object.path("apiVersion").asText().equals("v1") && object.path("kind").asText().equals("Secret");
    }

    // ---- capture ----------------------------------------------------------------------------------

    @Override
    public Stream<ObjectNode> objects(Selection selection) {
        List<Resource> kinds = selectedKinds(selection);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "progressive-snapshot-list");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<List<ObjectNode>>> parts = new ArrayList<>();
            for (Resource r : kinds) {
                if (!selection.namespaces().isEmpty() && isNamespace(r)) {
                    parts.add(pool.submit(() -> namespaces(selection.namespaces())));
                } else if (!selection.namespaces().isEmpty() && r.namespaced()) {
                    for (String ns : selection.namespaces()) {
                        parts.add(pool.submit(() -> list(r, ns, selection.labelSelector())));
                    }
                } else {
                    parts.add(pool.submit(() -> list(r, null, selection.labelSelector())));
                }
            }
            List<ObjectNode> all = new ArrayList<>();
            for (Future<List<ObjectNode>> f : parts) {
                all.addAll(join(f));
            }
            return all.stream();
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while reading the cluster");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new ClusterException(String.valueOf(e.getCause()));
        }
    }

    /** The preferred version of every listable kind the selection takes. */
    List<Resource> selectedKinds(Selection selection) {
        Selection explicit = new Selection(List.of(), selection.kinds(), Optional.empty(), List.of());
        List<Resource> out = new ArrayList<>();
        for (Resource r : preferredResources()) {
            if (!selection.includesKind(r.group(), r.kind())) {
                continue;
            }
            boolean clusterScopedTaken = selection.namespaces().isEmpty() || isNamespace(r)
                    || (!selection.kinds().isEmpty() && explicit.includesKind(r.group(), r.kind()));
            if (r.namespaced() || clusterScopedTaken) {
                out.add(r);
            }
        }
        return out;
    }

    private static boolean isNamespace(Resource r) {
        return r.group().isEmpty() && r.kind().equals("Namespace");
    }

    /** Core v1 and the preferred version of every group, CRDs' groups included. */
    private List<Resource> preferredResources() {
        List<Resource> out = new ArrayList<>(resources("", "v1", true));
        JsonNode groups = getJson("/apis", "the API groups").orElseThrow();
        Set<String> seen = new HashSet<>();
        for (JsonNode g : groups.path("groups")) {
            String name = g.path("name").asText();
            String version = g.path("preferredVersion").path("version").asText(
                    g.path("versions").path(0).path("version").asText());
            if (!name.isEmpty() && !version.isEmpty() && seen.add(name)) {
                out.addAll(resources(name, version, true));
            }
        }
        return out;
    }

    private List<Resource> resources(String group, String version, boolean refresh) {
        String gv = group.isEmpty() ? version : group + "/" + version;
        if (!refresh && discovered.containsKey(gv)) {
            return discovered.get(gv);
        }
        String path = group.isEmpty() ? "/api/" + version : "/apis/" + gv;
        List<Resource> list = new ArrayList<>();
        getJson(path, "the resources of " + gv).ifPresent(doc -> {
            for (JsonNode r : doc.path("resources")) {
                String plural = r.path("name").asText();
                boolean listable = false;
                for (JsonNode v : r.path("verbs")) {
                    listable |= v.asText().equals("list");
                }
                if (!plural.contains("/") && listable) {
                    list.add(new Resource(group, version, plural, r.path("kind").asText(), r.path("namespaced").asBoolean()));
                }
            }
        });
        discovered.put(gv, List.copyOf(list));
        return list;
    }

    /** Every object of a kind (in one namespace, or everywhere), page by page. */
    private List<ObjectNode> list(Resource r, String namespace, Optional<String> labelSelector) {
        List<ObjectNode> out = new ArrayList<>();
        String cont = "";
        do {
            StringBuilder path = new StringBuilder(r.collection(namespace)).append("?limit=").append(PAGE);
            labelSelector.ifPresent(s -> path.append("&labelSelector=").append(encode(s)));
            if (!cont.isEmpty()) {
                path.append("&continue=").append(encode(cont));
            }
            JsonNode page = getJson(path.toString(), "list " + r.what() + (namespace != null ? " in " + namespace : ""))
                    .orElse(null);
            if (page == null) {
                break; // the kind went away (its CRD was deleted) while we were reading
            }
            for (JsonNode item : page.path("items")) {
                if (item instanceof ObjectNode o) {
                    // A real API server leaves apiVersion and kind out of list items.
                    o.put("apiVersion", r.apiVersion());
                    o.put("kind", r.kind());
                    out.add(o);
                }
            }
            cont = page.path("metadata").path("continue").asText("");
        } while (!cont.isEmpty());
        return out;
    }

    private List<ObjectNode> namespaces(List<String> wanted) {
        List<ObjectNode> out = new ArrayList<>();
        for (String ns : wanted) {
            getJson("/api/v1/namespaces/" + ns, "namespace " + ns).ifPresent(n -> out.add((ObjectNode) n));
        }
        return out;
    }

    /**
     * One object by its key; empty when it (or its kind) does not exist. A kind its group does not serve in
     * the key's version is read in the group's preferred version (an older Gateway API or Istio).
     */
    Optional<ObjectNode> read(ObjectKey key) {
        Resource r = resolve(key, false);
        if (r == null && !key.group().isEmpty()) {
            Optional<String> preferred = getJson("/apis/" + key.group(), "API group " + key.group())
                    .map(g -> g.path("preferredVersion").path("version").asText(""))
                    .filter(v -> !v.isEmpty() && !v.equals(key.version()));
            if (preferred.isPresent()) {
                r = resolve(new ObjectKey(key.group(), preferred.get(), key.kind(), key.namespace(), key.name()), false);
            }
        }
        if (r == null) {
            return Optional.empty();
        }
        Resource found = r;
        return getJson(r.collection(key.namespaced() ? key.namespace() : null) + "/" + key.name(), key.toString())
                .filter(ObjectNode.class::isInstance).map(n -> {
                    ObjectNode o = (ObjectNode) n;
                    o.put("apiVersion", found.apiVersion());
                    o.put("kind", found.kind());
                    return o;
                });
    }

    /** Every object of a kind in a namespace; empty when the kind is not served. */
    List<ObjectNode> listIn(String group, String version, String kind, String namespace) {
        Resource r = resolve(new ObjectKey(group, version, kind, namespace, "any"), false);
        return r == null ? List.of() : list(r, namespace, Optional.empty());
    }

    // ---- restore ----------------------------------------------------------------------------------

    @Override
    public boolean exists(ObjectKey key) {
        if (deleted.contains(key)) {
            return false;
        }
        Resource r = resolve(key, false);
        if (r == null) {
            return false; // its kind is not served (yet): a CRD the restore creates first
        }
        String prefix = r.collection(key.namespaced() ? key.namespace() : null);
        Set<String> present = names.computeIfAbsent(prefix, p -> {
            Set<String> s = ConcurrentHashMap.newKeySet();
            list(r, key.namespaced() ? key.namespace() : null, Optional.empty())
                    .forEach(o -> s.add(o.path("metadata").path("name").asText()));
            return s;
        });
        return present.contains(key.name());
    }

    @Override
    public void create(ObjectNode object) {
        ObjectKey key = ObjectKey.of(object);
        Resource r = resolve(key, true);
        String path = r.collection(key.namespaced() ? key.namespace() : null);
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        boolean namespaceCreated = false;
        while (true) {
            HttpResponse<byte[]> response = send(request(path).post("application/json", bytes(object)), "create " + key);
            int code = response.code();
            if (code == 201 || code == 200 || code == 202) {
                deleted.remove(key);
                remember(r, key, true);
                return;
            }
            if (code == 404 && key.namespaced() && !namespaceCreated && !namespaceExists(key.namespace())) {
                ensureNamespace(key.namespace());
                namespaceCreated = true;
                continue;
            }
            if (code == 409 && deleted.contains(key) && System.currentTimeMillis() < deadline) {
                pause(200); // replace: the old object is still being deleted (finalizers)
                continue;
            }
            if (code == 409) {
                throw new ClusterException("create " + key + ": it already exists (created after the restore was "
                        + "planned); run the restore again", 409);
            }
            throw failure("create " + key, response, key);
        }
    }

    @Override
    public void update(ObjectNode object) {
        ObjectKey key = ObjectKey.of(object);
        Resource r = resolve(key, true);
        String path = r.collection(key.namespaced() ? key.namespace() : null) + "/" + key.name();
        for (int attempt = 1; ; attempt++) {
            Optional<JsonNode> live = getJson(path, key.toString());
            if (live.isEmpty()) {
                create(object);
                return;
            }
            ObjectNode wanted = object.deepCopy();
            ObjectNode meta = wanted.with("metadata");
            meta.put("resourceVersion", live.get().path("metadata").path("resourceVersion").asText());
            if (key.group().isEmpty() && key.kind().equals("Service")) {
                // clusterIP is immutable: the restore stripped it, the live one stays.
                ObjectNode spec = wanted.with("spec");
                for (String f : List.of("clusterIP", "clusterIPs")) {
                    JsonNode v = live.get().path("spec").get(f);
                    if (!spec.has(f) && v != null) {
                        spec.set(f, v);
                    }
                }
            }
            HttpResponse<byte[]> response = send(request(path).method("PUT", "application/json",
                    new String(bytes(wanted), StandardCharsets.UTF_8)), "update " + key);
            if (response.code() == 200 || response.code() == 201) {
                return;
            }
            if (response.code() != 409 || attempt >= UPDATE_ATTEMPTS) {
                throw failure("update " + key, response, key);
            }
        }
    }

    @Override
    public void delete(ObjectKey key) {
        Resource r = resolve(key, true);
        String path = r.collection(key.namespaced() ? key.namespace() : null) + "/" + key.name();
        HttpResponse<byte[]> response = send(request(path).delete("application/json",
                "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\"}"),
                "delete " + key);
        if (response.code() >= 300 && response.code() != 404) {
            throw failure("delete " + key, response, key);
        }
        deleted.add(key);
        remember(r, key, false);
    }

    private void remember(Resource r, ObjectKey key, boolean present) {
        Set<String> s = names.get(r.collection(key.namespaced() ? key.namespace() : null));
        if (s != null) {
            if (present) {
                s.add(key.name());
            } else {
                s.remove(key.name());
            }
        }
    }

    private boolean namespaceExists(String ns) {
        return getJson("/api/v1/namespaces/" + ns, "namespace " + ns).isPresent();
    }

    private void ensureNamespace(String ns) {
        ObjectNode n = json.createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
        n.putObject("metadata").put("name", ns);
        HttpResponse<byte[]> response = send(request("/api/v1/namespaces").post("application/json", bytes(n)),
                "create namespace " + ns);
        if (response.code() >= 300 && response.code() != 409) {
            throw failure("create namespace " + ns, response, null);
        }
    }

    /**
     * The resource serving a key's group, version and kind; with {@code wait}, a kind not served yet is
     * looked up again for a while (a CRD created a moment ago becomes Established after a delay).
     */
    private Resource resolve(ObjectKey key, boolean wait) {
        long deadline = System.currentTimeMillis() + (wait ? WAIT_MILLIS : 0);
        boolean refresh = false;
        while (true) {
            for (Resource r : resources(key.group(), key.version(), refresh)) {
                if (r.kind().equals(key.kind())) {
                    return r;
                }
            }
            if (!wait && refresh) {
                return null;
            }
            if (wait && System.currentTimeMillis() > deadline) {
                throw new ClusterException(key + ": the cluster serves no kind " + key.kind() + " in "
                        + key.apiVersion() + " (is its CustomResourceDefinition installed?)", 404);
            }
            if (refresh) {
                pause(250);
            }
            refresh = true;
        }
    }

    // ---- HTTP -------------------------------------------------------------------------------------

    private HttpRequest.Builder request(String path) {
        return http.newHttpRequestBuilder().uri(base + path).header("Accept", "application/json")
                .timeout(REQUEST_SECONDS, TimeUnit.SECONDS);
    }

    /** GET as JSON; empty on 404; any other failure is a {@link ClusterException} naming {@code what}. */
    private Optional<JsonNode> getJson(String path, String what) {
        HttpResponse<byte[]> response = send(request(path), what);
        if (response.code() == 404) {
            return Optional.empty();
        }
        if (response.code() != 200) {
            throw failure(what, response, null);
        }
        try {
            return Optional.of(json.readTree(response.body()));
        } catch (IOException e) {
            throw new ClusterException(what + ": the API server's answer is not JSON");
        }
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request, String what) {
        try {
            return http.sendAsync(request.build(), byte[].class).get(REQUEST_SECONDS + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException(what + ": interrupted");
        } catch (ExecutionException | TimeoutException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new ClusterException(what + ": cannot reach the Kubernetes API server at " + base + ": "
                    + (c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName()));
        }
    }

    /** The API server's Status as a sentence; for a Secret only the reason (a message may quote a value). */
    private ClusterException failure(String what, HttpResponse<byte[]> response, ObjectKey key) {
        String reason = "";
        String message = "";
        try {
            JsonNode status = json.readTree(response.body());
            reason = status.path("reason").asText("");
            message = status.path("message").asText("");
        } catch (IOException | RuntimeException ignored) {
            // not a Status document: the code alone says enough
        }
        boolean secret = key != null && key.group().isEmpty() && key.kind().equals("Secret");
        String detail = secret || message.isEmpty() ? reason : message;
        String hint = response.code() == 403 ? "; grant it in the Role (see docs/kubernetes.md)" : "";
        return new ClusterException(what + ": the Kubernetes API server answered " + response.code()
                + (detail.isEmpty() ? "" : ": " + detail) + hint, response.code());
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while waiting for the cluster");
        }
    }
}
