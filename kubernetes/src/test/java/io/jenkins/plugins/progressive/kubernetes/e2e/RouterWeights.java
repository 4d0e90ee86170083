package io.jenkins.plugins.progressive.kubernetes.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.Routes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The split a router object on the API server says, read without our router classes; and, through a watch on
 * that object, every split it said over a rollout, in order.
 */
final class RouterWeights implements AutoCloseable {

    private final Cluster cluster;
    private final String router;
    private final Watch watch;
    private final List<Integer> canaryWeights = new ArrayList<>();

    private RouterWeights(Cluster cluster, String router) {
        this.cluster = cluster;
        this.router = router;
        Watcher<Object> record = new Watcher<>() {
            @Override
            public void eventReceived(Action action, Object resource) {
                recordNow();
            }

            @Override
            public void onClose(WatcherException cause) {
                // the test is over
            }
        };
        KubernetesClient c = cluster.client;
        @SuppressWarnings({"unchecked", "rawtypes"})
        Watch w = switch (router) {
            case "nginxIngress" -> c.network().v1().ingresses().inNamespace(Cluster.NS).watch((Watcher) record);
            case "gatewayApi" -> c.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute")
                    .inNamespace(Cluster.NS).watch((Watcher) record);
            case "istio" -> c.genericKubernetesResources("networking.istio.io/v1beta1", "VirtualService")
                    .inNamespace(Cluster.NS).watch((Watcher) record);
            default -> throw new IllegalArgumentException("no router object to watch for " + router);
        };
        this.watch = w;
    }

    /** A rollout's result and the canary weights its router object went through. */
    record Recorded(RolloutResult result, List<Integer> canaryWeights) {
    }

    /**
     * Drives {@code rollout} to its end while recording the router object of {@code router}, and waits until at
     * least {@code changes} weights were seen (the last watch events may arrive after the result).
     */
    static Recorded during(Cluster cluster, String router, int changes, Callable<RolloutResult> rollout)
            throws Exception {
        try (RouterWeights weights = new RouterWeights(cluster, router)) {
            RolloutResult result = rollout.call();
            await().atMost(Duration.ofSeconds(5)).until(() -> weights.canaryWeights().size() >= changes);
            return new Recorded(result, weights.canaryWeights());
        }
    }

    private synchronized void recordNow() {
        int w = read(cluster, router).canary();
        if (canaryWeights.isEmpty() || canaryWeights.get(canaryWeights.size() - 1) != w) {
            canaryWeights.add(w);
        }
    }

    /** The canary weights the object went through, each change once, leading zeros (no canary yet) left out. */
    synchronized List<Integer> canaryWeights() {
        int first = 0;
        while (first < canaryWeights.size() && canaryWeights.get(first) == 0) {
            first++;
        }
        return List.copyOf(canaryWeights.subList(first, canaryWeights.size()));
    }

    @Override
    public void close() {
        watch.close();
    }

    /** The split as the router object says it now ({@code replicas}: the ready-Pod ratio). */
    static Routes read(Cluster cluster, String router) {
        KubernetesClient c = cluster.client;
        switch (router) {
            case "nginxIngress" -> {
                Ingress canary = c.network().v1().ingresses().inNamespace(Cluster.NS).withName("shop-canary").get();
                String w = canary == null || canary.getMetadata().getAnnotations() == null ? null
                        : canary.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/canary-weight");
                return Routes.canary(w == null ? 0 : Integer.parseInt(w));
            }
            case "gatewayApi" -> {
                GenericKubernetesResource r = c.genericKubernetesResources("gateway.networking.k8s.io/v1",
                        "HTTPRoute").inNamespace(Cluster.NS).withName("shop").get();
                List<Map<String, Object>> refs = r.get("spec", "rules", 0, "backendRefs");
                return split(refs, m -> String.valueOf(m.get("name")));
            }
            case "istio" -> {
                GenericKubernetesResource vs = c.genericKubernetesResources("networking.istio.io/v1beta1",
                        "VirtualService").inNamespace(Cluster.NS).withName("shop").get();
                List<Map<String, Object>> route = vs.get("spec", "http", 0, "route");
                return split(route, m -> String.valueOf(((Map<?, ?>) m.get("destination")).get("host")));
            }
            default -> {
                int stable = cluster.ready("shop");
                int canary = cluster.ready("shop-canary");
                return Routes.canary((int) Math.round(100.0 * canary / (stable + canary)));
            }
        }
    }

    /** Shares by weight; a backend without a weight counts 1, as Gateway API and Istio take it. */
    private static Routes split(List<Map<String, Object>> refs, Function<Map<String, Object>, String> name) {
        int stable = 0;
        int canary = 0;
        for (Map<String, Object> m : refs) {
            int w = ((Number) m.getOrDefault("weight", 1)).intValue();
            if (name.apply(m).startsWith("shop-canary")) {
                canary += w;
            } else {
                stable += w;
            }
        }
        return stable + canary == 0 ? Routes.ALL_STABLE
                : Routes.canary((int) Math.round(100.0 * canary / (stable + canary)));
    }
}
