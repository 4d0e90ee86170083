package io.jenkins.plugins.progressive.kubernetes.traffic;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesWorkload;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Services that must reach only the stable's Pods while a canary runs beside them. The app's own selector
 * ({@code app: shop}) also matches the canary's Pods, so the selector is narrowed: to
 * {@code progressive.jenkins.io/role: stable} once the stable's pod template carries that label (it gets it at
 * its first promotion), before that to the stable's current {@code pod-template-hash}. A hash pin is lifted
 * when the rollout ends without a canary Pod left, so that a later change of the Deployment made elsewhere
 * cannot leave the Service without endpoints.
 */
public final class StableServices {

    public static final String HASH_LABEL = "pod-template-hash";
    private static final int UPDATE_ATTEMPTS = 8;

    private final KubernetesClient client;
    private final String namespace;
    private final String deployment;
    private final List<String> services;

    public StableServices(KubernetesClient client, String namespace, String stableDeployment, List<String> services) {
        this.client = client;
        this.namespace = namespace;
        this.deployment = stableDeployment;
        this.services = List.copyOf(services);
    }

    /** The app's own labels: a selector without the role and hash that progressive adds. */
    public static Map<String, String> base(Map<String, String> selector) {
        Map<String, String> base = new LinkedHashMap<>(selector == null ? Map.of() : selector);
        base.remove(KubernetesWorkload.ROLE_LABEL);
        base.remove(HASH_LABEL);
        return base;
    }

    /** Narrows every Service to the stable's Pods as they are now. Idempotent. */
    public void pin() {
        Map<String, String> pin = pinOf(client, namespace, deployment);
        for (String s : services) {
            select(client, namespace, s, sel -> {
                Map<String, String> wanted = base(sel);
                wanted.putAll(pin);
                return wanted;
            });
        }
    }

    /**
     * Lifts hash pins once no canary Pod is left (a role pin stays: every stable Pod carries it).
     *
     * @return false while canary Pods remain (terminating ones included): call again later
     */
    public boolean release() {
        boolean done = true;
        for (String s : services) {
            Service svc = read(client, namespace, s);
            Map<String, String> sel = svc.getSpec().getSelector();
            if (sel == null || !sel.containsKey(HASH_LABEL)) {
                continue;
            }
            Map<String, String> canary = base(sel);
            canary.put(KubernetesWorkload.ROLE_LABEL, "canary");
            if (call("pods in " + namespace, () -> client.pods().inNamespace(namespace).withLabels(canary).list()
                    .getItems()).isEmpty()) {
                select(client, namespace, s, StableServices::base);
            } else {
                done = false;
            }
        }
        return done;
    }

    /** The label only the stable's Pods carry. */
    static Map<String, String> pinOf(KubernetesClient client, String namespace, String deployment) {
        Deployment d = call("deployment " + namespace + "/" + deployment, () -> client.apps().deployments()
                .inNamespace(namespace).withName(deployment).get());
        if (d == null) {
            throw new ClusterException("deployment " + namespace + "/" + deployment + " not found", 404);
        }
        Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
        if (labels != null && "stable".equals(labels.get(KubernetesWorkload.ROLE_LABEL))) {
            return Map.of(KubernetesWorkload.ROLE_LABEL, "stable");
        }
        String uid = d.getMetadata().getUid();
        ReplicaSet newest = call("replicasets in " + namespace, () -> client.apps().replicaSets()
                .inNamespace(namespace).list().getItems()).stream()
                .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences()
                        .stream().anyMatch(o -> uid.equals(o.getUid())))
                .max(Comparator.comparingLong(StableServices::revision))
                .orElseThrow(() -> new ClusterException("deployment " + namespace + "/" + deployment
                        + " has no ReplicaSet yet: a Service cannot be narrowed to its pods"));
        return Map.of(HASH_LABEL, newest.getMetadata().getLabels().get(HASH_LABEL));
    }

    /** Sets a Service's selector to {@code change(current)}; no write when it already is. */
    static void select(KubernetesClient client, String namespace, String name,
            java.util.function.UnaryOperator<Map<String, String>> change) {
        for (int attempt = 1; ; attempt++) {
            Service s = read(client, namespace, name);
            Map<String, String> current = s.getSpec().getSelector() == null ? Map.of() : s.getSpec().getSelector();
            Map<String, String> wanted = change.apply(current);
            if (Objects.equals(current, wanted)) {
                return;
            }
            s.getSpec().setSelector(wanted);
            try {
                client.services().inNamespace(namespace).resource(s).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= UPDATE_ATTEMPTS) {
                    throw ClusterException.from(e, "service " + namespace + "/" + name,
                            String.valueOf(client.getMasterUrl()));
                }
            }
        }
    }

    static Service read(KubernetesClient client, String namespace, String name) {
        Service s = call("service " + namespace + "/" + name, () -> client.services().inNamespace(namespace)
                .withName(name).get());
        if (s == null) {
            throw new ClusterException("service " + namespace + "/" + name + " not found", 404);
        }
        return s;
    }

    private static long revision(ReplicaSet rs) {
        Map<String, String> a = rs.getMetadata().getAnnotations();
        try {
            return a == null ? 0 : Long.parseLong(a.getOrDefault("deployment.kubernetes.io/revision", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw ClusterException.from(e, what, "the Kubernetes API server");
        }
    }
}
