package io.jenkins.plugins.progressive.kubernetes.traffic;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesWorkload;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Service that reaches only the canary's pods: {@code <service>-canary}, a copy of the app's Service whose
 * selector adds {@code progressive.jenkins.io/role: canary}. Routers that split by backend (NGINX Ingress,
 * Gateway API, Istio) point their canary share at it.
 */
public final class CanaryServices {

    private CanaryServices() {
    }

    public static String canaryName(String service) {
        return service + "-canary";
    }

    /** Creates the canary Service if it is missing; returns its name. Idempotent. */
    public static String ensure(KubernetesClient client, String namespace, String service) {
        String name = canaryName(service);
        try {
            if (client.services().inNamespace(namespace).withName(name).get() != null) {
                return name;
            }
            Service stable = client.services().inNamespace(namespace).withName(service).get();
            if (stable == null) {
                throw new ClusterException("service " + namespace + "/" + service + " not found", 404);
            }
            Service canary = new Service();
            ObjectMeta meta = new ObjectMeta();
            meta.setName(name);
            meta.setNamespace(namespace);
            Map<String, String> labels = new LinkedHashMap<>(stable.getMetadata().getLabels() == null ? Map.of()
                    : stable.getMetadata().getLabels());
            labels.put(KubernetesWorkload.ROLE_LABEL, "canary");
            meta.setLabels(labels);
            canary.setMetadata(meta);
            ServiceSpec spec = new ServiceSpec();
            spec.setPorts(stable.getSpec().getPorts());
            // The app's own labels: the stable Service may be narrowed to the stable's Pods (StableServices).
            Map<String, String> selector = StableServices.base(stable.getSpec().getSelector());
            selector.put(KubernetesWorkload.ROLE_LABEL, "canary");
            spec.setSelector(selector);
            spec.setType("ClusterIP");
            canary.setSpec(spec);
            client.services().inNamespace(namespace).resource(canary).create();
            return name;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return name; // created meanwhile
            }
            throw ClusterException.from(e, "service " + namespace + "/" + name, String.valueOf(client.getMasterUrl()));
        }
    }
}
