package io.jenkins.plugins.progressive.kubernetes.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.mockwebserver.http.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The HTTP face of the test API server: discovery, CRUD with resourceVersion/uid/generation, status and
 * scale subresources, the three patch formats, selectors and paging, watches over WebSocket, and the
 * RBAC simulation. Paths and Status bodies follow what kube-apiserver answers.
 */
final class ApiDispatcher extends Dispatcher {

    private final ObjectStore store;
    private final Rbac rbac;
    private final ObjectMapper json = new ObjectMapper();
    private final Supplier<String> address;

    /** Objects ("group/plural/namespace/name") whose next update loses a race against a concurrent writer. */
    private final Set<String> racedNext = java.util.concurrent.ConcurrentHashMap.newKeySet();

    void raceNextUpdate(String group, String plural, String namespace, String name) {
        racedNext.add(group + "/" + plural + "/" + namespace + "/" + name);
    }

    /** The bearer token every request must carry, null to accept any (or none). */
    private volatile String requiredToken;

    /** The watches' open WebSockets, so that a test can drop them all as a restarting API server does. */
    private final Map<WebSocket, ObjectStore.Watch> openWatches = new java.util.concurrent.ConcurrentHashMap<>();

    void requireToken(String token) {
        requiredToken = token;
    }

    /** Closes every watch's WebSocket (1001 going away); clients reconnect from their last resourceVersion. */
    int dropWatches() {
        Map<WebSocket, ObjectStore.Watch> open = Map.copyOf(openWatches);
        open.forEach((ws, w) -> {
            openWatches.remove(ws);
            store.unwatch(w);
            ws.close(1001, "going away");
        });
        return open.size();
    }

    private volatile ContainerExec containerExec;

    void onExec(ContainerExec exec) {
        containerExec = exec;
    }

    /** {@code pods/exec}: needs {@code create} on {@code pods/exec} and an existing pod; a test plays the command. */
    private MockResponse exec(RecordedRequest request, String namespace, String pod) {
        ResourceType pods = store.type("", "v1", "pods");
        rbac.check(token(request), "create", pods, "pods/exec", pod, namespace).ifPresent(message -> {
            throw new ApiError(403, "Forbidden", message, pods, pod);
        });
        if (store.get(pods, namespace, pod) == null) {
            throw ApiError.notFound(pods, pod);
        }
        ContainerExec exec = containerExec;
        if (exec == null) {
            throw new ApiError(500, "InternalError", "the test API server runs no commands: call onExec first", pods, pod);
        }
        return ExecEndpoint.respond(request, namespace, pod, exec);
    }

    ApiDispatcher(ObjectStore store, Rbac rbac, Supplier<String> address) {
        this.store = store;
        this.rbac = rbac;
        this.address = address;
    }

    /** What one request addresses. */
    private record Target(ResourceType type, String version, String namespace, String name, String subresource,
            Map<String, String> query) {
        String resource() {
            return subresource == null ? type.plural() : type.plural() + "/" + subresource;
        }
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        try {
            authenticate(request);
            return handle(request);
        } catch (ApiError e) {
            return status(e);
        } catch (RuntimeException e) {
            return status(new ApiError(500, "InternalError", "Internal error occurred: " + e, null, null));
        }
    }

    /** As kube-apiserver's authenticator: no token or a wrong one is 401 before anything else is looked at. */
    private void authenticate(RecordedRequest request) {
        String token = requiredToken;
        if (token != null && !("Bearer " + token).equals(request.getHeader("Authorization"))) {
            throw new ApiError(401, "Unauthorized", "Unauthorized", null, null);
        }
    }

    private MockResponse handle(RecordedRequest request) {
        String full = request.getPath();
        int q = full.indexOf('?');
        String path = q < 0 ? full : full.substring(0, q);
        Map<String, String> query = parseQuery(q < 0 ? "" : full.substring(q + 1));
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        List<String> seg = path.equals("/") ? List.of()
                : Arrays.stream(path.substring(1).split("/")).map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8))
                        .toList();
        if (seg.isEmpty()) {
            ObjectNode root = json.createObjectNode();
            ArrayNode paths = root.putArray("paths");
            paths.add("/api").add("/api/v1").add("/apis").add("/version");
            return ok(root);
        }
        switch (seg.get(0)) {
            case "version":
                return ok(json.createObjectNode().put("major", "1").put("minor", "32").put("gitVersion", "v1.32.0")
                        .put("platform", "linux/amd64"));
            case "healthz", "readyz", "livez":
                return new MockResponse().setResponseCode(200).setBody("ok");
            case "api":
                if (seg.size() == 1) {
                    ObjectNode v = json.createObjectNode().put("kind", "APIVersions");
                    v.putArray("versions").add("v1");
                    v.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
                            .put("serverAddress", address.get());
                    return ok(v);
                }
                if (!seg.get(1).equals("v1")) {
                    throw notFoundPath();
                }
                if (seg.size() == 2) {
                    return ok(resourceList("", "v1"));
                }
                if (seg.size() == 7 && seg.get(2).equals("namespaces") && seg.get(4).equals("pods")
                        && seg.get(6).equals("exec")) {
                    return exec(request, seg.get(3), seg.get(5));
                }
                return resource(request, parseTarget("", "v1", seg.subList(2, seg.size()), query));
            case "apis":
                if (seg.size() == 1) {
                    return ok(groupList());
                }
                if (seg.size() == 2) {
                    return ok(group(seg.get(1)));
                }
                if (seg.size() == 3) {
                    if (!groupVersions(seg.get(1)).contains(seg.get(2))) {
                        throw notFoundPath();
                    }
                    return ok(resourceList(seg.get(1), seg.get(2)));
                }
                return resource(request, parseTarget(seg.get(1), seg.get(2), seg.subList(3, seg.size()), query));
            default:
                throw notFoundPath();
        }
    }

    // ---------------------------------------------------------------- discovery

    private Set<String> groupVersions(String group) {
        Set<String> versions = new LinkedHashSet<>();
        for (ResourceType t : store.types()) {
            if (t.group().equals(group)) {
                versions.addAll(t.versions());
            }
        }
        return versions;
    }

    private ObjectNode groupList() {
        ObjectNode list = json.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        Set<String> names = new LinkedHashSet<>();
        store.types().stream().map(ResourceType::group).filter(g -> !g.isEmpty()).forEach(names::add);
        for (String g : names) {
            groups.add(group(g));
        }
        return list;
    }

    private ObjectNode group(String group) {
        Set<String> versions = groupVersions(group);
        if (versions.isEmpty()) {
            throw notFoundPath();
        }
        ObjectNode g = json.createObjectNode().put("kind", "APIGroup").put("apiVersion", "v1").put("name", group);
        ArrayNode vs = g.putArray("versions");
        for (String v : versions) {
            vs.addObject().put("groupVersion", group + "/" + v).put("version", v);
        }
        String preferred = versions.iterator().next();
        g.putObject("preferredVersion").put("groupVersion", group + "/" + preferred).put("version", preferred);
        return g;
    }

    private ObjectNode resourceList(String group, String version) {
        ObjectNode list = json.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
                .put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = list.putArray("resources");
        for (ResourceType t : store.types()) {
            if (!t.group().equals(group) || !t.versions().contains(version)) {
                continue;
            }
            ObjectNode r = resources.addObject().put("name", t.plural())
                    .put("singularName", t.kind().toLowerCase()).put("namespaced", t.namespaced())
                    .put("kind", t.kind());
            ArrayNode verbs = r.putArray("verbs");
            if (t.plural().equals("selfsubjectaccessreviews")) {
                verbs.add("create"); // as a real API server says: it can only be created, never listed
            } else {
                ResourceType.VERBS.forEach(verbs::add);
            }
            if (!t.shortNames().isEmpty()) {
                ArrayNode sn = r.putArray("shortNames");
                t.shortNames().forEach(sn::add);
            }
            if (t.hasStatus()) {
                ObjectNode s = resources.addObject().put("name", t.plural() + "/status").put("singularName", "")
                        .put("namespaced", t.namespaced()).put("kind", t.kind());
                s.putArray("verbs").add("get").add("patch").add("update");
            }
            if (t.hasScale()) {
                ObjectNode s = resources.addObject().put("name", t.plural() + "/scale").put("singularName", "")
                        .put("namespaced", t.namespaced()).put("group", "autoscaling").put("version", "v1")
                        .put("kind", "Scale");
                s.putArray("verbs").add("get").add("patch").add("update");
            }
        }
        return list;
    }

    // ---------------------------------------------------------------- resources

    private Target parseTarget(String group, String version, List<String> seg, Map<String, String> query) {
        String namespace = null;
        List<String> rest = seg;
        if (seg.size() >= 3 && seg.get(0).equals("namespaces")) {
            ResourceType inner = store.type(group, version, seg.get(2));
            if (inner != null && inner.namespaced()) {
                namespace = seg.get(1);
                rest = seg.subList(2, seg.size());
            }
        }
        ResourceType type = store.type(group, version, rest.get(0));
        if (type == null || rest.size() > 3) {
            throw notFoundPath();
        }
        if (!type.namespaced() && namespace != null) {
            throw notFoundPath();
        }
        String name = rest.size() > 1 ? rest.get(1) : null;
        String sub = rest.size() > 2 ? rest.get(2) : null;
        if (sub != null && !((sub.equals("status") && type.hasStatus()) || (sub.equals("scale") && type.hasScale()))) {
            throw notFoundPath();
        }
        if (type.namespaced() && namespace == null && name != null) {
            throw notFoundPath();
        }
        return new Target(type, version, namespace, name, sub, query);
    }

    private MockResponse resource(RecordedRequest request, Target t) {
        String method = request.getMethod();
        boolean watch = isTrue(t.query().get("watch"));
        String verb = switch (method) {
            case "GET" -> watch ? "watch" : t.name() == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> t.name() == null ? "deletecollection" : "delete";
            default -> throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the "
                    + "requested resource", t.type(), t.name());
        };
        if (t.type().plural().equals("selfsubjectaccessreviews")) {
            if (!verb.equals("create")) {
                throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                        + "resource", t.type(), t.name());
            }
            return respond(201, accessReview(token(request), body(request)), t);
        }
        rbac.check(token(request), verb, t.type(), t.resource(), t.name(), t.namespace()).ifPresent(message -> {
            throw new ApiError(403, "Forbidden", message, t.type(), t.name());
        });
        if (t.name() == null && (method.equals("PUT") || method.equals("PATCH"))) {
            throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                    + "resource", t.type(), null);
        }
        if (t.name() != null && method.equals("POST")) {
            throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                    + "resource", t.type(), t.name());
        }
        return switch (verb) {
            case "watch" -> watch(request, t);
            case "list" -> ok(list(t));
            case "get" -> ok(get(t));
            case "create" -> respond(201, create(t, body(request)), t);
            case "update" -> ok(update(t, body(request)));
            case "patch" -> ok(patch(t, request));
            case "delete" -> ok(delete(t));
            default -> ok(deleteCollection(t));
        };
    }

    /** The request's bearer token, null without one. */
    private static String token(RecordedRequest request) {
        String auth = request.getHeader("Authorization");
        return auth != null && auth.startsWith("Bearer ") ? auth.substring("Bearer ".length()) : null;
    }

    /**
     * A SelfSubjectAccessReview, as every user may create one: the review comes back with
     * {@code status.allowed} (and the authorizer's reason when denied), nothing is stored.
     */
    private ObjectNode accessReview(String token, ObjectNode review) {
        JsonNode ra = review.path("spec").path("resourceAttributes");
        if (!ra.isObject()) {
            throw new ApiError(422, "Invalid", "SelfSubjectAccessReview.authorization.k8s.io is invalid: "
                    + "spec.resourceAttributes: Required value", null, null);
        }
        String verb = ra.path("verb").asText("");
        String group = ra.path("group").asText("");
        String resource = ra.path("resource").asText("");
        String sub = ra.path("subresource").asText("");
        String ns = ra.hasNonNull("namespace") && !ra.path("namespace").asText().isEmpty()
                ? ra.path("namespace").asText() : null;
        String full = sub.isEmpty() ? resource : resource + "/" + sub;
        boolean allowed = rbac.allows(token, verb, group, full, ns);
        ObjectNode out = review.deepCopy();
        out.put("apiVersion", "authorization.k8s.io/v1").put("kind", "SelfSubjectAccessReview");
        ObjectNode status = out.putObject("status").put("allowed", allowed);
        if (!allowed) {
            status.put("reason", "no RBAC policy matched");
        }
        return out;
    }

    private ObjectNode get(Target t) {
        ObjectNode o = existing(t);
        return "scale".equals(t.subresource()) ? scaleOf(o) : served(o, t);
    }

    private ObjectNode existing(Target t) {
        ObjectNode o = store.get(t.type(), t.namespace(), t.name());
        if (o == null) {
            throw ApiError.notFound(t.type(), t.name());
        }
        return o;
    }

    private List<ObjectNode> selected(Target t) {
        Selector labels;
        Selector fields;
        try {
            labels = Selector.parse(t.query().get("labelSelector"));
            fields = Selector.parse(t.query().get("fieldSelector"));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode o : store.list(t.type(), t.namespace())) {
            if (labels.matchesLabels(o) && fields.matchesFields(o)) {
                out.add(o);
            }
        }
        return out;
    }

    private ObjectNode list(Target t) {
        long rv = store.currentResourceVersion();
        List<ObjectNode> items = selected(t);
        String cont = t.query().get("continue");
        if (cont != null && !cont.isEmpty()) {
            String after;
            try {
                after = new String(Base64.getUrlDecoder().decode(cont), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("continue key is not valid: " + e.getMessage());
            }
            items = items.stream().filter(o -> sortKey(o).compareTo(after) > 0).toList();
        }
        int limit = t.query().containsKey("limit") ? Integer.parseInt(t.query().get("limit")) : 0;
        ObjectNode list = json.createObjectNode().put("kind", t.type().kind() + "List")
                .put("apiVersion", t.type().apiVersion(t.version()));
        ObjectNode meta = list.putObject("metadata").put("resourceVersion", Long.toString(rv));
        ArrayNode array = list.putArray("items");
        List<ObjectNode> page = limit > 0 && items.size() > limit ? items.subList(0, limit) : items;
        for (ObjectNode o : page) {
            array.add(served(o, t));
        }
        if (page.size() < items.size()) {
            meta.put("continue", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(sortKey(page.get(page.size() - 1)).getBytes(StandardCharsets.UTF_8)));
            meta.put("remainingItemCount", items.size() - page.size());
        }
        return list;
    }

    private static String sortKey(ObjectNode o) {
        String ns = ObjectStore.namespaceOf(o);
        return (ns == null ? "" : ns) + "/" + ObjectStore.nameOf(o);
    }

    private ObjectNode create(Target t, ObjectNode body) {
        ResourceType type = t.type();
        checkKind(t, body);
        ObjectNode meta = body.with("metadata");
        String bodyNs = meta.path("namespace").asText("");
        if (type.namespaced()) {
            if (!bodyNs.isEmpty() && !bodyNs.equals(t.namespace())) {
                throw ApiError.badRequest("the namespace of the provided object does not match the namespace sent on "
                        + "the request");
            }
            meta.put("namespace", t.namespace());
        } else {
            meta.remove("namespace");
        }
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            String prefix = meta.path("generateName").asText("");
            if (prefix.isEmpty()) {
                throw ApiError.invalid(type, "", "metadata.name: Required value: name or generateName is required");
            }
            name = prefix + randomSuffix();
            meta.put("name", name);
        }
        if (type.namespaced() && store.get(namespaces(), null, t.namespace()) == null) {
            throw ApiError.notFound(namespaces(), t.namespace());
        }
        if (store.get(type, t.namespace(), name) != null) {
            throw ApiError.alreadyExists(type, name);
        }
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        meta.remove("resourceVersion");
        meta.remove("deletionTimestamp");
        if (type.hasGeneration()) {
            meta.put("generation", 1);
        }
        if (type.hasStatus()) {
            body.remove("status");
        }
        Defaults.apply(type, body);
        if (dryRun(t)) {
            return body; // validated and defaulted, never stored
        }
        ObjectNode stored = store.put(type, body);
        if (isCrd(type)) {
            registerCrd(stored);
        }
        return stored;
    }

    private ObjectNode update(Target t, ObjectNode body) {
        ObjectNode current = existing(t);
        if (racedNext.remove(t.type().group() + "/" + t.type().plural() + "/" + t.namespace() + "/" + t.name())) {
            // Somebody else wrote the object just before this request arrived.
            current.with("metadata").with("annotations").put("test.progressive.jenkins.io/concurrent-write", "true");
            current = store.put(t.type(), current);
        }
        String bodyName = body.path("metadata").path("name").asText("");
        if (!bodyName.isEmpty() && !bodyName.equals(t.name()) && !"scale".equals(t.subresource())) {
            throw ApiError.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL ("
                    + t.name() + ")");
        }
        String rv = body.path("metadata").path("resourceVersion").asText("");
        if (!rv.isEmpty() && !rv.equals(current.path("metadata").path("resourceVersion").asText())) {
            throw ApiError.conflict(t.type(), t.name());
        }
        ObjectNode next;
        if ("status".equals(t.subresource())) {
            next = current.deepCopy();
            if (body.has("status")) {
                next.set("status", body.get("status"));
            } else {
                next.remove("status");
            }
        } else if ("scale".equals(t.subresource())) {
            next = current.deepCopy();
            JsonNode replicas = body.path("spec").path("replicas");
            if (!replicas.isInt() || replicas.asInt() < 0) {
                throw ApiError.invalid(t.type(), t.name(), "spec.replicas: Invalid value: must be greater than or "
                        + "equal to 0");
            }
            next.with("spec").put("replicas", replicas.asInt());
        } else {
            checkKind(t, body);
            next = body.deepCopy();
            ObjectNode meta = next.with("metadata");
            JsonNode old = current.get("metadata");
            meta.put("name", t.name());
            for (String f : List.of("namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp")) {
                if (old.has(f)) {
                    meta.set(f, old.get(f));
                } else {
                    meta.remove(f);
                }
            }
            if (t.type().hasStatus()) {
                if (current.has("status")) {
                    next.set("status", current.get("status"));
                } else {
                    next.remove("status");
                }
            }
            Defaults.apply(t.type(), next);
        }
        if (t.type().hasGeneration() && !next.path("spec").equals(current.path("spec"))) {
            next.with("metadata").put("generation", current.path("metadata").path("generation").asLong(0) + 1);
        }
        next.with("metadata").put("resourceVersion", current.path("metadata").path("resourceVersion").asText());
        ObjectNode result;
        if (dryRun(t)) {
            result = next;
        } else if (next.equals(current)) {
            result = current; // a no-op write keeps the resourceVersion, as on a real server
        } else {
            result = store.put(t.type(), next);
        }
        if (isCrd(t.type()) && result != current && !dryRun(t)) {
            registerCrd(result);
        }
        return "scale".equals(t.subresource()) ? scaleOf(result) : served(result, t);
    }

    private ObjectNode patch(Target t, RecordedRequest request) {
        ObjectNode current = existing(t);
        ObjectNode base = "scale".equals(t.subresource()) ? scaleOf(current) : served(current, t);
        String type = String.valueOf(request.getHeader("Content-Type")).split(";")[0].trim();
        JsonNode patch = parse(request.getUtf8Body());
        JsonNode patched;
        try {
            patched = switch (type) {
                case "application/json-patch+json" -> Patches.jsonPatch(base, patch);
                case "application/merge-patch+json" -> Patches.mergePatch(base, patch);
                case "application/strategic-merge-patch+json" -> Patches.strategicMergePatch(base, patch);
                default -> throw new ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown "
                        + "format - accepted media types include: application/json-patch+json, "
                        + "application/merge-patch+json, application/strategic-merge-patch+json", t.type(), t.name());
            };
        } catch (ApiError e) {
            throw e;
        } catch (RuntimeException e) {
            throw ApiError.invalid(t.type(), t.name(), "the patch could not be applied: " + e.getMessage());
        }
        if (!patched.isObject()) {
            throw ApiError.badRequest("the patch did not produce an object");
        }
        return update(t, (ObjectNode) patched);
    }

    private ObjectNode delete(Target t) {
        ObjectNode found = existing(t);
        ObjectNode deleted = dryRun(t) ? found : deleteCascading(t.type(), t.namespace(), t.name());
        ObjectNode status = statusBody(200, "Success", null, null);
        status.remove("message");
        status.putObject("details").put("name", t.name()).put("group", t.type().group())
                .put("kind", t.type().plural()).put("uid", deleted.path("metadata").path("uid").asText());
        return status;
    }

    private ObjectNode deleteCollection(Target t) {
        ObjectNode list = json.createObjectNode().put("kind", t.type().kind() + "List")
                .put("apiVersion", t.type().apiVersion(t.version()));
        ArrayNode items = list.putArray("items");
        for (ObjectNode o : selected(t)) {
            ObjectNode deleted = dryRun(t) ? o : deleteCascading(t.type(), ObjectStore.namespaceOf(o), ObjectStore.nameOf(o));
            if (deleted != null) {
                items.add(served(deleted, t));
            }
        }
        list.putObject("metadata").put("resourceVersion", Long.toString(store.currentResourceVersion()));
        return list;
    }

    /**
     * Deletes an object and what it owns (the garbage collector's background propagation, done at once);
     * a Namespace takes every object in it along, a CRD its custom resources.
     */
    ObjectNode deleteCascading(ResourceType type, String namespace, String name) {
        ObjectNode deleted = store.delete(type, namespace, name);
        if (deleted == null) {
            return null;
        }
        if (type.equals(namespaces())) {
            for (ResourceType t : store.types()) {
                if (t.namespaced()) {
                    for (ObjectNode o : store.list(t, name)) {
                        store.delete(t, name, ObjectStore.nameOf(o));
                    }
                }
            }
        }
        if (isCrd(type)) {
            ResourceType crd = store.type(deleted.path("spec").path("group").asText(), null,
                    deleted.path("spec").path("names").path("plural").asText());
            if (crd != null) {
                store.unregister(crd);
            }
        }
        for (Map.Entry<ResourceType, ObjectNode> dep : store.dependentsOf(deleted.path("metadata").path("uid")
                .asText())) {
            deleteCascading(dep.getKey(), ObjectStore.namespaceOf(dep.getValue()),
                    ObjectStore.nameOf(dep.getValue()));
        }
        return deleted;
    }

    /** Creates an object without HTTP (fixture preloading); same checks and server fields as a POST. */
    ObjectNode createDirect(ObjectNode body) {
        String apiVersion = body.path("apiVersion").asText("");
        String kind = body.path("kind").asText("");
        int slash = apiVersion.lastIndexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        ResourceType type = store.types().stream().filter(x -> x.group().equals(group) && x.kind().equals(kind)
                && x.versions().contains(version)).findFirst()
                .orElseThrow(() -> ApiError.badRequest("no resource serves " + apiVersion + " " + kind));
        String ns = type.namespaced() ? body.path("metadata").path("namespace").asText("default") : null;
        return create(new Target(type, version, ns, null, null, Map.of()), body);
    }

    // ---------------------------------------------------------------- watch

    private MockResponse watch(RecordedRequest request, Target t) {
        Selector labels = Selector.parse(t.query().get("labelSelector"));
        Selector fields = Selector.parse(t.query().get("fieldSelector"));
        String since = t.query().getOrDefault("resourceVersion", "");
        long from;
        try {
            from = since.isEmpty() ? 0 : Long.parseLong(since);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("invalid resource version: " + since);
        }
        String upgrade = request.getHeader("Upgrade");
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            // Plain HTTP watch (kubectl get -w): this mock cannot hold a chunked stream open, so it answers
            // the replay only and ends the stream; clients re-watch from the last resourceVersion.
            StringBuilder out = new StringBuilder();
            ObjectStore.Watch w = new ObjectStore.Watch(t.type(), t.namespace(), labels, fields, t.version(),
                    c -> event(c, t, labels, fields).ifPresentOrElse(e -> out.append(e).append('\n'), () -> { }));
            if (!store.watch(w, from)) {
                throw gone(from);
            }
            store.unwatch(w);
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                    .setBody(out.toString());
        }
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            private ObjectStore.Watch registered;
            private WebSocket socket;

            // Frames are sent from one thread per watch, never from onOpen itself: a frame sent inside onOpen
            // can reach the client before it has taken the upgrade, and is then lost.
            private final java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors
                    .newSingleThreadExecutor(r -> {
                        Thread th = new Thread(r, "test-api-server-watch");
                        th.setDaemon(true);
                        return th;
                    });

            private void send(WebSocket ws, String frame) {
                try {
                    sender.execute(() -> ws.send(frame));
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    // the watch has ended: nobody to tell
                }
            }

            @Override
            public void onOpen(WebSocket ws, Response response) {
                registered = new ObjectStore.Watch(t.type(), t.namespace(), labels, fields, t.version(),
                        c -> event(c, t, labels, fields).ifPresent(e -> send(ws, e)));
                socket = ws;
                if (store.watch(registered, from)) {
                    openWatches.put(ws, registered);
                } else {
                    ObjectNode error = json.createObjectNode().put("type", "ERROR");
                    ApiError gone = gone(from);
                    error.set("object", statusBody(gone.code, gone.reason, gone.getMessage(), null));
                    send(ws, error.toString());
                    sender.execute(() -> ws.close(1000, "too old resource version"));
                }
            }

            @Override
            public void onClosing(WebSocket ws, int code, String reason) {
                close();
            }

            @Override
            public void onClosed(WebSocket ws, int code, String reason) {
                close();
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response response) {
                close();
            }

            private void close() {
                if (socket != null) {
                    openWatches.remove(socket);
                }
                if (registered != null) {
                    store.unwatch(registered);
                }
                sender.shutdown();
            }
        });
    }

    private ApiError gone(long from) {
        return new ApiError(410, "Expired", "too old resource version: " + from + " ("
                + store.compactedThrough() + ")", null, null);
    }

    /** The watch event a change makes for one watch, if any: objects moving in or out of the selection become ADDED/DELETED. */
    private java.util.Optional<String> event(ObjectStore.Change c, Target t, Selector labels, Selector fields) {
        boolean before = c.before() != null && !c.kind().equals("DELETED") && inScope(c.before(), t, labels, fields);
        boolean after = inScope(c.after(), t, labels, fields);
        String kind;
        if (c.kind().equals("DELETED")) {
            kind = after ? "DELETED" : null;
        } else if (before && after) {
            kind = "MODIFIED";
        } else if (after) {
            kind = "ADDED";
        } else if (before) {
            kind = "DELETED";
        } else {
            kind = null;
        }
        if (kind == null) {
            return java.util.Optional.empty();
        }
        ObjectNode e = json.createObjectNode().put("type", kind);
        e.set("object", served(c.after(), t));
        return java.util.Optional.of(e.toString());
    }

    private static boolean inScope(ObjectNode o, Target t, Selector labels, Selector fields) {
        return (t.namespace() == null || t.namespace().equals(ObjectStore.namespaceOf(o))) && labels.matchesLabels(o)
                && fields.matchesFields(o);
    }

    // ---------------------------------------------------------------- CRDs

    private static boolean isCrd(ResourceType type) {
        return type.group().equals("apiextensions.k8s.io") && type.plural().equals("customresourcedefinitions");
    }

    private void registerCrd(ObjectNode crd) {
        JsonNode spec = crd.path("spec");
        List<String> versions = new ArrayList<>();
        boolean status = false;
        for (JsonNode v : spec.path("versions")) {
            if (v.path("served").asBoolean(true)) {
                if (v.path("storage").asBoolean(false)) {
                    versions.add(0, v.path("name").asText());
                } else {
                    versions.add(v.path("name").asText());
                }
                status |= v.path("subresources").has("status");
            }
        }
        List<String> shortNames = new ArrayList<>();
        spec.path("names").path("shortNames").forEach(n -> shortNames.add(n.asText()));
        ResourceType type = new ResourceType(spec.path("group").asText(), versions,
                spec.path("names").path("plural").asText(), spec.path("names").path("kind").asText(),
                !"Cluster".equals(spec.path("scope").asText()), status, false, true, shortNames);
        store.register(type);
        // Established at once, as a real API server reports it a moment later.
        ObjectNode established = crd.deepCopy();
        ObjectNode st = established.putObject("status");
        st.set("acceptedNames", spec.path("names"));
        st.putArray("conditions").addObject().put("type", "Established").put("status", "True")
                .put("reason", "InitialNamesAccepted");
        ArrayNode stored = st.putArray("storedVersions");
        stored.add(versions.get(0));
        store.put(store.type("apiextensions.k8s.io", null, "customresourcedefinitions"), established);
    }

    // ---------------------------------------------------------------- helpers

    private ResourceType namespaces() {
        return store.type("", "v1", "namespaces");
    }

    private void checkKind(Target t, ObjectNode body) {
        String kind = body.path("kind").asText("");
        if (!kind.isEmpty() && !kind.equals(t.type().kind())) {
            throw ApiError.badRequest("the object provided is unrecognized (must be of type " + t.type().kind() + "): "
                    + kind);
        }
        body.put("kind", t.type().kind());
        body.put("apiVersion", t.type().apiVersion(t.type().versions().get(0)));
    }

    /** The stored object as the requested version presents it. */
    private static ObjectNode served(ObjectNode stored, Target t) {
        ObjectNode copy = stored.deepCopy();
        copy.put("apiVersion", t.type().apiVersion(t.version()));
        return copy;
    }

    private ObjectNode scaleOf(ObjectNode o) {
        ObjectNode scale = json.createObjectNode().put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        ObjectNode meta = scale.putObject("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (o.path("metadata").has(f)) {
                meta.set(f, o.path("metadata").get(f));
            }
        }
        scale.putObject("spec").put("replicas", o.path("spec").path("replicas").asInt(0));
        List<String> selector = new ArrayList<>();
        o.path("spec").path("selector").path("matchLabels").fields()
                .forEachRemaining(e -> selector.add(e.getKey() + "=" + e.getValue().asText()));
        scale.putObject("status").put("replicas", o.path("status").path("replicas").asInt(0))
                .put("selector", String.join(",", selector));
        return scale;
    }

    private ObjectNode body(RecordedRequest request) {
        JsonNode node = parse(request.getUtf8Body());
        if (!node.isObject()) {
            throw ApiError.badRequest("the request body is not a JSON object");
        }
        return (ObjectNode) node;
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text == null || text.isEmpty() ? "{}" : text);
        } catch (Exception e) {
            throw ApiError.badRequest("the request body is not valid JSON: " + e.getMessage());
        }
    }

    private static Map<String, String> parseQuery(String query) {
        Map<String, String> out = new HashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    /** {@code ?dryRun=All}: everything is checked and answered, nothing is stored. */
    private static boolean dryRun(Target t) {
        return t.query().containsKey("dryRun");
    }

    private static boolean isTrue(String v) {
        return v != null && (v.equals("true") || v.equals("1"));
    }

    private static String randomSuffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            b.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static ApiError notFoundPath() {
        return new ApiError(404, "NotFound", "the server could not find the requested resource", null, null);
    }

    private MockResponse ok(JsonNode body) {
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(body.toString());
    }

    private MockResponse respond(int code, JsonNode body, Target t) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(served((ObjectNode) body, t).toString());
    }

    private ObjectNode statusBody(int code, String reasonOrStatus, String message, ApiError error) {
        ObjectNode s = json.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        if (code < 300) {
            s.put("status", "Success");
        } else {
            s.put("status", "Failure").put("message", message).put("reason", reasonOrStatus);
            if (error != null && error.type != null) {
                ObjectNode d = s.putObject("details");
                if (error.name != null) {
                    d.put("name", error.name);
                }
                d.put("group", error.type.group()).put("kind", error.type.plural());
            }
        }
        s.put("code", code);
        return s;
    }

    private MockResponse status(ApiError e) {
        return new MockResponse().setResponseCode(e.code).setHeader("Content-Type", "application/json")
                .setBody(statusBody(e.code, e.reason, e.getMessage(), e).toString());
    }
}
