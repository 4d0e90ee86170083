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
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.SnapshotStores;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
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

    @Override
    public String capture(RolloutSpec rollout) {
        Target.Kubernetes target = (Target.Kubernetes) rollout.target();
        ClusterObjects cluster = new ClusterObjects(client);
        List<ObjectNode> touched = touched(cluster, rollout);
        ObjectSource source = new ObjectSource() {
            @Override
            public Stream<ObjectNode> objects(Selection selection) {
                return touched.stream();
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
        SnapshotSpec s = rollout.snapshot();
        SnapshotSpec selection = new SnapshotSpec(true, s.store(), List.of(target.namespace()), KINDS, Optional.empty(),
                List.of(), s.encryptionKey(), s.preHooks(), s.restoreHooks());
        SnapshotStore store = SnapshotStores.open(s.store(), baseDir);
        Manifest m = Snapshots.capture(source, selection, store, keys, CaptureOptions.forRollout(rollout.name())
                .withCreatedBy("progressive rollout " + rollout.name() + " " + rollout.version())
                .withHooks(RestoreOptions.DEFAULT_HOOK_TIMEOUT, Optional.of(new PodExecHook(client, target.namespace()))));
        return previousIfSame(store, m);
    }

    /**
     * Capturing unchanged state again gives the same id: when the last snapshot of this rollout holds
     * exactly the same objects (and no hook files), the new manifest is dropped for it.
     */
    private static String previousIfSame(SnapshotStore store, Manifest created) {
        if (!created.hooks().isEmpty()) {
            return created.id();
        }
        List<String> ids = new ArrayList<>(store.manifestIds());
        for (int i = ids.size() - 1; i >= 0; i--) {
            String id = ids.get(i);
            if (id.equals(created.id())) {
                continue;
            }
            Manifest m;
            try {
                m = Snapshots.show(store, id);
            } catch (SnapshotException | IllegalArgumentException e) {
                continue;
            }
            if (!m.name().equals(created.name())) {
                continue;
            }
            if (m.hooks().isEmpty() && m.objects().equals(created.objects()) && m.source().equals(created.source())
                    && m.selection().equals(created.selection())) {
                store.deleteManifest(created.id());
                return m.id();
            }
            return created.id();
        }
        return created.id();
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
