package io.jenkins.plugins.progressive.kubernetes.traffic.serviceselector;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesWorkload;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Blue-green by Service selectors: the active Service serves everything from one role, the preview Service
 * always selects the canary role. {@link Routes#ALL_CANARY} points the active Service at
 * {@code progressive.jenkins.io/role: canary}; {@link Routes#ALL_STABLE} points it at the stable's Pods only:
 * {@code role: stable} once the stable's template carries that label (after its first promotion), before that
 * its current {@code pod-template-hash}, because the app's own selector also matches the canary's Pods.
 * A Service cannot split requests, so any other weight is refused.
 */
public final class ServiceSelectorRouter implements TrafficRouter {

    static final String HASH_LABEL = "pod-template-hash";
    private static final int UPDATE_ATTEMPTS = 8;

    private final KubernetesClient client;
    private final String namespace;
    private final String active;
    private final String preview;
    private final String deployment;

    /** Reads both Services (each must exist) so that a missing one is reported before anything changes. */
    public ServiceSelectorRouter(KubernetesClient client, String namespace, String activeService,
            String previewService, String stableDeployment) {
        this.client = client;
        this.namespace = namespace;
        this.active = activeService;
        this.preview = previewService;
        this.deployment = stableDeployment;
        read(active);
        read(preview);
    }

    /**
     * Before the canary's first Pod exists: the preview Service selects the canary role, and the active Service
     * is narrowed to the stable's Pods if it still selects every Pod of the app. Idempotent.
     */
    public void prepare() {
        update(preview, base(read(preview)), "canary");
        Map<String, String> sel = selector(read(active));
        if (!sel.containsKey(KubernetesWorkload.ROLE_LABEL) && !sel.containsKey(HASH_LABEL)) {
            setRoutes(Routes.ALL_STABLE);
        }
    }

    /**
     * After the rollout: an active Service still pinned to a {@code pod-template-hash} goes back to the app's
     * own selector once no canary Pod is left, so that a later change of the Deployment made outside
     * progressive (a new hash) cannot leave it without endpoints. Idempotent.
     */
    public void release() {
        Service s = read(active);
        if (!selector(s).containsKey(HASH_LABEL)) {
            return;
        }
        Map<String, String> base = base(s);
        Map<String, String> canary = new LinkedHashMap<>(base);
        canary.put(KubernetesWorkload.ROLE_LABEL, "canary");
        boolean canaryPods = !call("pods in " + namespace, () -> client.pods().inNamespace(namespace)
                .withLabels(canary).list().getItems()).isEmpty();
        if (!canaryPods) {
            for (int attempt = 1; ; attempt++) {
                Service cur = read(active);
                cur.getSpec().setSelector(base(cur));
                try {
                    client.services().inNamespace(namespace).resource(cur).update();
                    return;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409 || attempt >= UPDATE_ATTEMPTS) {
                        throw ClusterException.from(e, "service " + namespace + "/" + active,
                                String.valueOf(client.getMasterUrl()));
                    }
                }
            }
        }
    }

    @Override
    public void setRoutes(Routes routes) {
        if (routes.equals(Routes.ALL_CANARY)) {
            update(active, base(read(active)), "canary");
        } else if (routes.equals(Routes.ALL_STABLE)) {
            update(active, base(read(active)), null);
        } else {
            throw new IllegalArgumentException("service " + namespace + "/" + active + " can only switch all traffic "
                    + "at once (blue-green); " + routes + " needs a traffic router (nginxIngress, gatewayApi, istio)");
        }
    }

    @Override
    public Routes getRoutes() {
        return "canary".equals(selector(read(active)).get(KubernetesWorkload.ROLE_LABEL)) ? Routes.ALL_CANARY
                : Routes.ALL_STABLE;
    }

    /** The app's own labels: the selector without the role and hash this router adds. */
    private static Map<String, String> base(Service s) {
        Map<String, String> base = new LinkedHashMap<>(selector(s));
        base.remove(KubernetesWorkload.ROLE_LABEL);
        base.remove(HASH_LABEL);
        return base;
    }

    /** @param role "canary", or null for the stable's Pods */
    private void update(String name, Map<String, String> base, String role) {
        Map<String, String> wanted = new LinkedHashMap<>(base);
        if (role != null) {
            wanted.put(KubernetesWorkload.ROLE_LABEL, role);
        } else {
            wanted.putAll(stablePin());
        }
        for (int attempt = 1; ; attempt++) {
            Service s = read(name);
            if (Objects.equals(selector(s), wanted)) {
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

    /** The label that only the stable's Pods carry. */
    private Map<String, String> stablePin() {
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
        ReplicaSet newest = call("replicasets in " + namespace, () -> client.apps().replicaSets().inNamespace(namespace)
                .list().getItems()).stream()
                .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences()
                        .stream().anyMatch(o -> uid.equals(o.getUid())))
                .max(Comparator.comparingLong(ServiceSelectorRouter::revision))
                .orElseThrow(() -> new ClusterException("deployment " + namespace + "/" + deployment
                        + " has no ReplicaSet yet: the active service cannot be pinned to its pods"));
        return Map.of(HASH_LABEL, newest.getMetadata().getLabels().get(HASH_LABEL));
    }

    private static long revision(ReplicaSet rs) {
        Map<String, String> a = rs.getMetadata().getAnnotations();
        try {
            return a == null ? 0 : Long.parseLong(a.getOrDefault("deployment.kubernetes.io/revision", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, String> selector(Service s) {
        return s.getSpec().getSelector() == null ? Map.of() : s.getSpec().getSelector();
    }

    private Service read(String name) {
        Service s = call("service " + namespace + "/" + name, () -> client.services().inNamespace(namespace)
                .withName(name).get());
        if (s == null) {
            throw new ClusterException("service " + namespace + "/" + name + " not found", 404);
        }
        return s;
    }

    private <T> T call(String what, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw ClusterException.from(e, what, String.valueOf(client.getMasterUrl()));
        }
    }
}
