package io.jenkins.plugins.progressive.kubernetes.traffic.istio;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.traffic.CanaryServices;
import io.jenkins.plugins.progressive.kubernetes.traffic.CustomObjects;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Istio: in the VirtualService's named HTTP route, the app's destination gets the stable weight and a
 * destination to its canary Service (added when missing) the canary weight.
 */
public final class IstioRouter implements TrafficRouter {

    private final KubernetesClient client;
    private final String namespace;
    private final String routeName;
    private final CustomObjects service;

    public IstioRouter(KubernetesClient client, String namespace, Traffic.Istio spec) {
        this.client = client;
        this.namespace = namespace;
        this.routeName = spec.route();
        this.service = new CustomObjects(client, "networking.istio.io/v1beta1", "VirtualService", namespace,
                spec.virtualService());
        route(service.read());
    }

    /** The named route (or the only one when no name is given). */
    private Map<String, Object> route(GenericKubernetesResource vs) {
        List<Object> http = CustomObjects.list(CustomObjects.map(vs.getAdditionalProperties().get("spec"))
                .get("http"));
        List<String> names = http.stream().map(h -> String.valueOf(CustomObjects.map(h).get("name"))).toList();
        if (routeName == null || routeName.isBlank()) {
            if (http.size() == 1) {
                return CustomObjects.map(http.get(0));
            }
            throw new ClusterException(service.what() + " has " + http.size() + " HTTP routes: name one in "
                    + "traffic.istio.route (routes: " + String.join(", ", names) + ")");
        }
        return http.stream().map(CustomObjects::map).filter(h -> routeName.equals(h.get("name"))).findFirst()
                .orElseThrow(() -> new ClusterException(service.what() + " has no HTTP route named '" + routeName
                        + "' (routes: " + String.join(", ", names) + ")"));
    }

    @Override
    public void setRoutes(Routes routes) {
        service.update(vs -> {
            List<Object> destinations = CustomObjects.list(route(vs).get("route"));
            Map<String, Object> stable = stable(destinations);
            String stableHost = (String) CustomObjects.map(stable.get("destination")).get("host");
            CanaryServices.ensure(client, namespace, serviceOf(stableHost));
            String canaryHost = canaryHost(stableHost);
            Map<String, Object> canary = find(destinations, canaryHost);
            if (canary == null) {
                canary = new LinkedHashMap<>();
                Map<String, Object> destination = new LinkedHashMap<>(CustomObjects.map(stable.get("destination")));
                destination.put("host", canaryHost);
                canary.put("destination", destination);
                canary.put("weight", -1);
                destinations.add(canary);
            }
            boolean changed = set(stable, routes.stable());
            changed |= set(canary, routes.canary());
            return changed;
        });
    }

    @Override
    public Routes getRoutes() {
        List<Object> destinations = CustomObjects.list(route(service.read()).get("route"));
        Map<String, Object> stable = stable(destinations);
        Map<String, Object> canary = find(destinations,
                canaryHost((String) CustomObjects.map(stable.get("destination")).get("host")));
        // Istio: a lone destination without weight takes everything.
        int ws = CustomObjects.intOf(stable.get("weight"), canary == null ? 100 : 0);
        int wc = canary == null ? 0 : CustomObjects.intOf(canary.get("weight"), 0);
        if (ws + wc <= 0) {
            return Routes.ALL_STABLE;
        }
        return Routes.canary((int) Math.floor(100.0 * wc / (ws + wc) + 0.5));
    }

    private Map<String, Object> stable(List<Object> destinations) {
        return destinations.stream().map(CustomObjects::map)
                .filter(d -> CustomObjects.map(d.get("destination")).get("host") instanceof String h
                        && !h.split("\\.")[0].endsWith("-canary"))
                .findFirst().orElseThrow(() -> new ClusterException(service.what() + " route '" + routeName
                        + "' has no destination to split"));
    }

    /** The canary Service's host, in the same form as the stable one ({@code shop} or {@code shop.prod.svc…}). */
    private static String canaryHost(String stableHost) {
        int dot = stableHost.indexOf('.');
        String canary = CanaryServices.canaryName(serviceOf(stableHost));
        return dot < 0 ? canary : canary + stableHost.substring(dot);
    }

    private static String serviceOf(String host) {
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }

    private static Map<String, Object> find(List<Object> destinations, String host) {
        return destinations.stream().map(CustomObjects::map)
                .filter(d -> host.equals(CustomObjects.map(d.get("destination")).get("host"))).findFirst()
                .orElse(null);
    }

    private static boolean set(Map<String, Object> destination, int weight) {
        if (destination.containsKey("weight") && CustomObjects.intOf(destination.get("weight"), -1) == weight) {
            return false;
        }
        destination.put("weight", weight);
        return true;
    }
}
