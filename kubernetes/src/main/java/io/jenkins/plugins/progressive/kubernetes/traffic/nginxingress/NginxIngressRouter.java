package io.jenkins.plugins.progressive.kubernetes.traffic.nginxingress;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesWorkload;
import io.jenkins.plugins.progressive.kubernetes.traffic.CanaryServices;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * NGINX Ingress canary: an Ingress {@code <ingress>-canary} with the main Ingress's rules, its backends
 * pointed at the canary Services, and the {@code canary} / {@code canary-weight} annotations that make the
 * controller send that share of the main Ingress's requests to it.
 */
public final class NginxIngressRouter implements TrafficRouter {

    static final String CANARY = "nginx.ingress.kubernetes.io/canary";
    static final String WEIGHT = "nginx.ingress.kubernetes.io/canary-weight";
    static final String WEIGHT_TOTAL = "nginx.ingress.kubernetes.io/canary-weight-total";

    private final KubernetesClient client;
    private final String namespace;
    private final String ingress;

    public NginxIngressRouter(KubernetesClient client, String namespace, Traffic.NginxIngress spec) {
        this.client = client;
        this.namespace = namespace;
        this.ingress = spec.ingress();
        main();
    }

    private String canaryName() {
        return ingress + "-canary";
    }

    private Ingress main() {
        Ingress main = get(ingress);
        if (main == null) {
            throw new ClusterException("ingress " + namespace + "/" + ingress + " not found", 404);
        }
        return main;
    }

    @Override
    public void setRoutes(Routes routes) {
        Ingress main = main();
        for (int attempt = 1; ; attempt++) {
            Ingress current = get(canaryName());
            Ingress wanted = canaryOf(main, routes.canary(), current);
            if (current != null && Objects.equals(current.getSpec(), wanted.getSpec())
                    && Objects.equals(current.getMetadata().getAnnotations(), wanted.getMetadata().getAnnotations())
                    && Objects.equals(current.getMetadata().getLabels(), wanted.getMetadata().getLabels())) {
                return;
            }
            try {
                if (current == null) {
                    client.network().v1().ingresses().inNamespace(namespace).resource(wanted).create();
                } else {
                    client.network().v1().ingresses().inNamespace(namespace).resource(wanted).update();
                }
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 8) {
                    throw ClusterException.from(e, "ingress " + namespace + "/" + canaryName(),
                            String.valueOf(client.getMasterUrl()));
                }
            }
        }
    }

    @Override
    public Routes getRoutes() {
        Ingress canary = get(canaryName());
        if (canary == null || canary.getMetadata().getAnnotations() == null
                || !"true".equals(canary.getMetadata().getAnnotations().get(CANARY))) {
            return Routes.ALL_STABLE;
        }
        Map<String, String> a = canary.getMetadata().getAnnotations();
        int weight = parse(a.get(WEIGHT), 0);
        int total = parse(a.get(WEIGHT_TOTAL), 100);
        if (total <= 0) {
            return Routes.ALL_STABLE;
        }
        return Routes.canary((int) Math.max(0, Math.min(100, Math.floor(100.0 * weight / total + 0.5))));
    }

    private Ingress canaryOf(Ingress main, int weight, Ingress current) {
        Ingress canary = new Ingress();
        canary.setApiVersion("networking.k8s.io/v1");
        canary.setKind("Ingress");
        ObjectMeta meta = new ObjectMeta();
        meta.setName(canaryName());
        meta.setNamespace(namespace);
        if (current != null) {
            meta.setResourceVersion(current.getMetadata().getResourceVersion());
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(KubernetesWorkload.ROLE_LABEL, "canary");
        meta.setLabels(labels);
        Map<String, String> annotations = new LinkedHashMap<>();
        if (main.getMetadata().getAnnotations() != null) {
            main.getMetadata().getAnnotations().forEach((k, v) -> {
                if (!k.startsWith("nginx.ingress.kubernetes.io/canary")) {
                    annotations.put(k, v);
                }
            });
        }
        annotations.put(CANARY, "true");
        annotations.put(WEIGHT, Integer.toString(weight));
        meta.setAnnotations(annotations);
        canary.setMetadata(meta);
        IngressSpec spec = Serialization.clone(main.getSpec());
        List<IngressBackend> backends = new ArrayList<>();
        if (spec.getDefaultBackend() != null) {
            backends.add(spec.getDefaultBackend());
        }
        if (spec.getRules() != null) {
            spec.getRules().stream().filter(r -> r.getHttp() != null).flatMap(r -> r.getHttp().getPaths().stream())
                    .forEach(p -> backends.add(p.getBackend()));
        }
        for (IngressBackend b : backends) {
            if (b.getService() != null) {
                b.getService().setName(CanaryServices.ensure(client, namespace, b.getService().getName()));
            }
        }
        canary.setSpec(spec);
        return canary;
    }

    private Ingress get(String name) {
        try {
            return client.network().v1().ingresses().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw ClusterException.from(e, "ingress " + namespace + "/" + name, String.valueOf(client.getMasterUrl()));
        }
    }

    private static int parse(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
