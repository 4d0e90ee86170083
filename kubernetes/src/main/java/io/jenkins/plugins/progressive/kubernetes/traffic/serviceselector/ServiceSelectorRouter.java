package io.jenkins.plugins.progressive.kubernetes.traffic.serviceselector;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesWorkload;
import io.jenkins.plugins.progressive.kubernetes.traffic.StableServices;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import java.util.List;
import java.util.Map;

/**
 * Blue-green by Service selectors: the active Service serves everything from one role, the preview Service
 * always selects the canary role. {@link Routes#ALL_CANARY} points the active Service at
 * {@code progressive.jenkins.io/role: canary}; {@link Routes#ALL_STABLE} narrows it to the stable's Pods
 * ({@link StableServices}). A Service cannot split requests, so any other weight is refused.
 */
public final class ServiceSelectorRouter implements TrafficRouter {

    private final KubernetesClient client;
    private final String namespace;
    private final String active;
    private final String preview;
    private final StableServices stable;

    /** Reads both Services (each must exist) so that a missing one is reported before anything changes. */
    public ServiceSelectorRouter(KubernetesClient client, String namespace, String activeService,
            String previewService, String stableDeployment) {
        this.client = client;
        this.namespace = namespace;
        this.active = activeService;
        this.preview = previewService;
        this.stable = new StableServices(client, namespace, stableDeployment, List.of(activeService));
        exists(active, "blue-green's active service, named like the deployment");
        exists(preview, "strategy.blueGreen.previewService");
    }

    private void exists(String name, String role) {
        try {
            read(name);
        } catch (ClusterException e) {
            if (e.code() == 404) {
                throw new ClusterException("service " + namespace + "/" + name + " not found (" + role + ")", 404);
            }
            throw e;
        }
    }

    /**
     * Before the canary's first Pod exists: the preview Service selects the canary role, and the active Service
     * is narrowed to the stable's Pods unless it already points at one role. Idempotent.
     */
    public void prepare() {
        selectRole(preview, "canary");
        Map<String, String> sel = selector(read(active));
        if (!sel.containsKey(KubernetesWorkload.ROLE_LABEL) && !sel.containsKey(StableServices.HASH_LABEL)) {
            stable.pin();
        }
    }

    /** After the rollout: see {@link StableServices#release()}. */
    public boolean release() {
        return stable.release();
    }

    @Override
    public void setRoutes(Routes routes) {
        if (routes.equals(Routes.ALL_CANARY)) {
            selectRole(active, "canary");
        } else if (routes.equals(Routes.ALL_STABLE)) {
            stable.pin();
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

    private void selectRole(String service, String role) {
        for (int attempt = 1; ; attempt++) {
            Service s = read(service);
            Map<String, String> wanted = StableServices.base(selector(s));
            wanted.put(KubernetesWorkload.ROLE_LABEL, role);
            if (wanted.equals(selector(s))) {
                return;
            }
            s.getSpec().setSelector(wanted);
            try {
                client.services().inNamespace(namespace).resource(s).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 8) {
                    throw ClusterException.from(e, "service " + namespace + "/" + service,
                            String.valueOf(client.getMasterUrl()));
                }
            }
        }
    }

    private static Map<String, String> selector(Service s) {
        return s.getSpec().getSelector() == null ? Map.of() : s.getSpec().getSelector();
    }

    private Service read(String name) {
        try {
            Service s = client.services().inNamespace(namespace).withName(name).get();
            if (s == null) {
                throw new ClusterException("service " + namespace + "/" + name + " not found", 404);
            }
            return s;
        } catch (KubernetesClientException e) {
            throw ClusterException.from(e, "service " + namespace + "/" + name, String.valueOf(client.getMasterUrl()));
        }
    }
}
