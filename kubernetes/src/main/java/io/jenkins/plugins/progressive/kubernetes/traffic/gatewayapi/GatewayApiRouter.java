package io.jenkins.plugins.progressive.kubernetes.traffic.gatewayapi;

import io.jenkins.plugins.progressive.kubernetes.traffic.CanaryServices;
import io.jenkins.plugins.progressive.kubernetes.traffic.CustomObjects;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gateway API: in every rule of the HTTPRoute, the app's Service backendRef gets the stable weight and a
 * backendRef to its canary Service (added when missing) the canary weight.
 */
public final class GatewayApiRouter implements TrafficRouter {

    private final KubernetesClient client;
    private final String namespace;
    private final CustomObjects route;

    public GatewayApiRouter(KubernetesClient client, String namespace, Traffic.GatewayApi spec) {
        this.client = client;
        this.namespace = namespace;
        this.route = new CustomObjects(client, "gateway.networking.k8s.io/v1", "HTTPRoute", namespace,
                spec.httpRoute());
        route.read();
    }

    @Override
    public void setRoutes(Routes routes) {
        route.update(r -> {
            boolean changed = false;
            boolean any = false;
            for (Object rule : CustomObjects.list(CustomObjects.map(r.getAdditionalProperties().get("spec"))
                    .get("rules"))) {
                List<Object> refs = CustomObjects.list(CustomObjects.map(rule).get("backendRefs"));
                Map<String, Object> stable = stableRef(refs);
                if (stable == null) {
                    continue;
                }
                any = true;
                String canaryName = CanaryServices.ensure(client, namespace, (String) stable.get("name"));
                Map<String, Object> canary = refs.stream().map(CustomObjects::map)
                        .filter(m -> canaryName.equals(m.get("name"))).findFirst().orElse(null);
                if (canary == null) {
                    canary = new LinkedHashMap<>(stable);
                    canary.put("name", canaryName);
                    canary.put("weight", -1);
                    refs.add(canary);
                }
                changed |= setWeight(stable, routes.stable());
                changed |= setWeight(canary, routes.canary());
            }
            if (!any) {
                throw new io.jenkins.plugins.progressive.kubernetes.ClusterException(route.what()
                        + " has no rule with a Service backendRef to split");
            }
            return changed;
        });
    }

    @Override
    public Routes getRoutes() {
        var r = route.read();
        for (Object rule : CustomObjects.list(CustomObjects.map(r.getAdditionalProperties().get("spec"))
                .get("rules"))) {
            List<Object> refs = CustomObjects.list(CustomObjects.map(rule).get("backendRefs"));
            Map<String, Object> stable = stableRef(refs);
            if (stable == null) {
                continue;
            }
            String canaryName = CanaryServices.canaryName((String) stable.get("name"));
            int ws = CustomObjects.intOf(stable.get("weight"), 1);
            int wc = refs.stream().map(CustomObjects::map).filter(m -> canaryName.equals(m.get("name")))
                    .mapToInt(m -> CustomObjects.intOf(m.get("weight"), 1)).sum();
            if (ws + wc <= 0) {
                return Routes.ALL_STABLE;
            }
            return Routes.canary((int) Math.floor(100.0 * wc / (ws + wc) + 0.5));
        }
        return Routes.ALL_STABLE;
    }

    private static Map<String, Object> stableRef(List<Object> refs) {
        return refs.stream().map(CustomObjects::map)
                .filter(m -> m.get("name") instanceof String n && !n.endsWith("-canary"))
                .filter(m -> m.get("kind") == null || "Service".equals(m.get("kind")))
                .findFirst().orElse(null);
    }

    private static boolean setWeight(Map<String, Object> ref, int weight) {
        if (CustomObjects.intOf(ref.get("weight"), 1) == weight && ref.containsKey("weight")) {
            return false;
        }
        ref.put("weight", weight);
        return true;
    }
}
