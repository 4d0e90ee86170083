package io.jenkins.plugins.progressive.kubernetes.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.rollout.RolloutSnapshots;
import io.jenkins.plugins.progressive.snapshot.CaptureOptions;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.ObjectKey;
import io.jenkins.plugins.progressive.snapshot.ObjectSource;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.Selection;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.SnapshotStores;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.SpecProblem;
import io.jenkins.plugins.progressive.spec.Strategy;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The pre-rollout snapshot on Kubernetes: exactly what a rollout may change — the Deployment and its
 * {@code -canary} sibling, the Services that select its pods (and their {@code -canary} copies, the
 * blue-green preview Service), the ConfigMaps and Secrets its pod template references, and the router's
 * objects (Ingress and canary Ingress, HTTPRoute, VirtualService). Rollback restores them with
 * {@code existing: update}; restore hooks (databases) are not run by a rollback, only by an explicit restore.
 */
public final class KubernetesRolloutSnapshots implements RolloutSnapshots {

    /** The kinds a rollout touches, as the manifest's selection records them. */
    static final List<String> KINDS = List.of("deployments.apps", "services", "configmaps", "secrets",
            "ingresses.networking.k8s.io", "httproutes.gateway.networking.k8s.io", "virtualservices.networking.istio.io");

    private final KubernetesClient client;
    private final RolloutSpec spec;
    private final KeyProvider keys;
    private final Path baseDir;

    /**
     * @param keys    the snapshot key (from the spec's {@code snapshot.encryptionKey} or a credential)
     * @param baseDir what a relative {@code file:} store is relative to (the workspace)
     */
    public KubernetesRolloutSnapshots(KubernetesClient client, RolloutSpec spec, KeyProvider keys, Path baseDir) {
        if (!(spec.target() instanceof Target.Kubernetes)) {
            throw new IllegalArgumentException("target: KubernetesRolloutSnapshots needs a kubernetes target");
        }
        this.client = client;
        this.spec = spec;
        this.keys = keys;
        this.baseDir = baseDir;
    }

    /** The key from the spec's {@code snapshot.encryptionKey}, a store relative to the working directory. */
    public static KubernetesRolloutSnapshots of(KubernetesClient client, RolloutSpec spec) {
        return new KubernetesRolloutSnapshots(client, spec, KeyProvider.from(spec.snapshot().encryptionKey()), Path.of(""));
    }

    /**
     * Checks, before the rollout changes anything, what would make its snapshot fail at its first action: an
     * exclusion of what the rollout changes, and a Secret the pod template references with no key to seal it.
     *
     * @throws InvalidSpecException naming the field
     */
    @Override
    public void preflight() throws InvalidSpecException {
        SnapshotSpec s = spec.snapshot();
        List<SpecProblem> problems = new ArrayList<>();
        for (int i = 0; i < s.excludeKinds().size(); i++) {
            String kind = s.excludeKinds().get(i);
            for (ObjectKey changed : CHANGED) {
                if (Selection.kindMatches(kind, changed.group(), changed.kind())) {
                    problems.add(new SpecProblem("snapshot.exclude.kinds[" + i + "]", "'" + kind + "' is what a"
                            + " rollout changes and its rollback restores from the snapshot; it cannot be excluded"
                            + " (exclude kinds the rollout only reads, such as configmaps or secrets, or kinds"
                            + " include adds)"));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        if (keys.key().isPresent() || s.excludeSecrets() || !selection(spec).includesKind("", "Secret")) {
            return;
        }
        List<String> secrets = touched(new ClusterObjects(client), spec).stream()
                .map(ObjectKey::of).filter(k -> k.group().isEmpty() && k.kind().equals("Secret"))
                .map(ObjectKey::toString).toList();
        if (!secrets.isEmpty()) {
            throw new InvalidSpecException("snapshot.encryptionKey", "the rollout's snapshot would hold "
                    + String.join(", ", secrets) + ", which the pod template references, and no encryption key is"
                    + " configured; set snapshot.encryptionKey ({env: VAR} or {file: path}, 32 bytes in base64), or"
                    + " leave Secrets out with snapshot.excludeSecrets: true (or snapshot.exclude.kinds: [secrets])");
        }
    }

    /**
     * Takes what the rollout touches (see the class comment), plus whatever {@code snapshot.include} adds
     * (namespaces default to the target's), minus the kinds {@code snapshot.exclude} names; what the
     * rollout changes cannot be excluded ({@link #preflight}).
     */
    @Override
    public String capture(RolloutSpec rollout) {
        Target.Kubernetes target = (Target.Kubernetes) rollout.target();
        ClusterObjects cluster = new ClusterObjects(client);
        Selection selection = selection(rollout);
        Map<ObjectKey, ObjectNode> objects = new LinkedHashMap<>();
        touched(cluster, rollout).forEach(o -> objects.put(ObjectKey.of(o), o));
        SnapshotSpec s = rollout.snapshot();
        if (includes(s)) {
            Selection extra = new Selection(namespaces(s, target), s.includeKinds(), s.labelSelector(),
                    s.excludeKinds());
            try (Stream<ObjectNode> more = cluster.objects(extra)) {
                more.filter(extra::matches).forEach(o -> objects.putIfAbsent(ObjectKey.of(o), o));
            }
        }
        ObjectSource source = new ObjectSource() {
            @Override
            public Stream<ObjectNode> objects(Selection ignored) {
                return objects.values().stream();
            }

            @Override
            public String describe() {
                return cluster.describe();
            }

            @Override
            public boolean sensitive(ObjectNode object) {
                return cluster.sensitive(object);
            }
        };
        SnapshotSpec recorded = s.withSelection(s.store(), selection.namespaces(), selection.kinds(), Optional.empty(),
                selection.excludeKinds());
        SnapshotStore store = SnapshotStores.open(s.store(), baseDir);
        Manifest m = Snapshots.capture(source, recorded, store, keys, CaptureOptions.forRollout(rollout.name())
                .withCreatedBy("progressive rollout " + rollout.name() + " " + rollout.version())
                .withHooks(RestoreOptions.DEFAULT_HOOK_TIMEOUT, Optional.of(new PodExecHook(client, target.namespace()))));
        return Snapshots.reuseIfUnchanged(store, m);
    }

    /** What the rollout changes and rollback restores: never excluded. */
    private static final List<ObjectKey> CHANGED = List.of(
            new ObjectKey("apps", "v1", "Deployment", "", "any"), new ObjectKey("", "v1", "Service", "", "any"),
            new ObjectKey("networking.k8s.io", "v1", "Ingress", "", "any"),
            new ObjectKey("gateway.networking.k8s.io", "v1", "HTTPRoute", "", "any"),
            new ObjectKey("networking.istio.io", "v1", "VirtualService", "", "any"));

    private static boolean includes(SnapshotSpec s) {
        return !s.includeNamespaces().isEmpty() || !s.includeKinds().isEmpty() || s.labelSelector().isPresent();
    }

    private static List<String> namespaces(SnapshotSpec s, Target.Kubernetes target) {
        return s.includeNamespaces().isEmpty() ? List.of(target.namespace()) : s.includeNamespaces();
    }

    /**
     * The selection the manifest records, which every captured object matches: the target's namespace and
     * the included ones; the touched kinds and the included ones (all kinds when include names namespaces
     * or a label selector but no kinds); the exclusions. A label selector is not recorded: it narrows only
     * what include adds.
     */
    static Selection selection(RolloutSpec rollout) {
        Target.Kubernetes target = (Target.Kubernetes) rollout.target();
        SnapshotSpec s = rollout.snapshot();
        Set<String> namespaces = new LinkedHashSet<>(List.of(target.namespace()));
        Set<String> kinds = new LinkedHashSet<>(KINDS);
        if (includes(s)) {
            namespaces.addAll(namespaces(s, target));
            if (s.includeKinds().isEmpty()) {
                kinds.clear();
            } else {
                kinds.addAll(s.includeKinds());
            }
        }
        return new Selection(List.copyOf(namespaces), List.copyOf(kinds), Optional.empty(), s.excludeKinds());
    }

    @Override
    public void restore(String snapshotId) {
        SnapshotStore store = SnapshotStores.open(spec.snapshot().store(), baseDir);
        Snapshots.restore(store, snapshotId, keys, RestoreOptions.defaults().withExisting(RestoreOptions.Existing.UPDATE),
                new ClusterObjects(client));
    }

    /** What the rollout may change, as it is now (objects that do not exist yet are simply absent). */
    static List<ObjectNode> touched(ClusterObjects cluster, RolloutSpec rollout) {
        Target.Kubernetes target = (Target.Kubernetes) rollout.target();
        String ns = target.namespace();
        Map<ObjectKey, ObjectNode> out = new LinkedHashMap<>();
        ObjectNode stable = add(cluster, out, deployment(ns, target.deployment())).orElseThrow(() ->
                new ClusterException("deployment " + ns + "/" + target.deployment() + " not found", 404));
        add(cluster, out, deployment(ns, target.deployment() + "-canary"));
        JsonNode template = stable.path("spec").path("template");
        Set<String> configMaps = new LinkedHashSet<>();
        Set<String> secrets = new LinkedHashSet<>();
        references(template.path("spec"), configMaps, secrets);
        configMaps.forEach(n -> add(cluster, out, new ObjectKey("", "v1", "ConfigMap", ns, n)));
        secrets.forEach(n -> add(cluster, out, new ObjectKey("", "v1", "Secret", ns, n)));

        JsonNode podLabels = template.path("metadata").path("labels");
        Set<String> services = new LinkedHashSet<>();
        for (ObjectNode svc : cluster.listIn("", "v1", "Service", ns)) {
            JsonNode selector = svc.path("spec").path("selector");
            if (selector.isObject() && selector.size() > 0 && subset(selector, podLabels)) {
                services.add(svc.path("metadata").path("name").asText());
            }
        }
        if (rollout.strategy() instanceof Strategy.BlueGreen bg) {
            bg.previewService().ifPresent(services::add);
        }
        for (String svc : List.copyOf(services)) {
            services.add(svc + "-canary");
        }
        services.forEach(n -> add(cluster, out, new ObjectKey("", "v1", "Service", ns, n)));

        Traffic traffic = rollout.traffic();
        if (traffic instanceof Traffic.NginxIngress ni) {
            add(cluster, out, new ObjectKey("networking.k8s.io", "v1", "Ingress", ns, ni.ingress()));
            add(cluster, out, new ObjectKey("networking.k8s.io", "v1", "Ingress", ns, ni.ingress() + "-canary"));
        } else if (traffic instanceof Traffic.GatewayApi gw) {
            add(cluster, out, new ObjectKey("gateway.networking.k8s.io", "v1", "HTTPRoute", ns, gw.httpRoute()));
        } else if (traffic instanceof Traffic.Istio istio) {
            add(cluster, out, new ObjectKey("networking.istio.io", "v1", "VirtualService", ns, istio.virtualService()));
        }
        return List.copyOf(out.values());
    }

    private static ObjectKey deployment(String ns, String name) {
        return new ObjectKey("apps", "v1", "Deployment", ns, name);
    }

    private static Optional<ObjectNode> add(ClusterObjects cluster, Map<ObjectKey, ObjectNode> out, ObjectKey key) {
        Optional<ObjectNode> o = cluster.read(key);
        o.ifPresent(obj -> out.putIfAbsent(ObjectKey.of(obj), obj));
        return o;
    }

    private static boolean subset(JsonNode selector, JsonNode labels) {
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    /** ConfigMaps and Secrets a pod spec names: volumes, projected volumes, env, envFrom, image pull secrets. */
    static void references(JsonNode podSpec, Set<String> configMaps, Set<String> secrets) {
        for (JsonNode v : podSpec.path("volumes")) {
            text(v.path("configMap").path("name"), configMaps);
            text(v.path("secret").path("secretName"), secrets);
            for (JsonNode src : v.path("projected").path("sources")) {
                text(src.path("configMap").path("name"), configMaps);
                text(src.path("secret").path("name"), secrets);
            }
        }
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : podSpec.path(list)) {
                for (JsonNode env : c.path("env")) {
                    text(env.path("valueFrom").path("configMapKeyRef").path("name"), configMaps);
                    text(env.path("valueFrom").path("secretKeyRef").path("name"), secrets);
                }
                for (JsonNode from : c.path("envFrom")) {
                    text(from.path("configMapRef").path("name"), configMaps);
                    text(from.path("secretRef").path("name"), secrets);
                }
            }
        }
        for (JsonNode s : podSpec.path("imagePullSecrets")) {
            text(s.path("name"), secrets);
        }
    }

    private static void text(JsonNode n, Set<String> into) {
        if (n.isTextual() && !n.asText().isEmpty()) {
            into.add(n.asText());
        }
    }
}
