package io.jenkins.plugins.progressive.kubernetes.traffic.replicas;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import io.jenkins.plugins.progressive.spec.Target;

/**
 * No router: a Service selecting the app's pods spreads requests over stable and canary pods alike, so the
 * share is the ratio of ready pods. The engine sizes the roles to the weight (core's {@code ReplicaRatio.split});
 * {@link #getRoutes} reads the ratio back from the two Deployments' ready counts.
 */
public final class ReplicaRatioRouter implements TrafficRouter {

    private final KubernetesClient client;
    private final Target.Kubernetes target;

    public ReplicaRatioRouter(KubernetesClient client, Target.Kubernetes target) {
        this.client = client;
        this.target = target;
        if (read(target.deployment()) == null) {
            throw new ClusterException("deployment " + target.namespace() + "/" + target.deployment() + " not found",
                    404);
        }
    }

    @Override
    public boolean followsReplicas() {
        return true;
    }

    /** Nothing to do: the split follows the replicas the engine asked the workload for. */
    @Override
    public void setRoutes(Routes routes) {
    }

    @Override
    public Routes getRoutes() {
        return share(ready(read(target.deployment())), ready(read(target.deployment() + "-canary")));
    }

    /** The share of requests ready pods receive behind one Service (half rounds up to the canary). */
    public static Routes share(int stableReady, int canaryReady) {
        int total = stableReady + canaryReady;
        if (total <= 0) {
            return Routes.ALL_STABLE;
        }
        return Routes.canary((int) Math.floor(100.0 * canaryReady / total + 0.5));
    }

    private Deployment read(String name) {
        try {
            return client.apps().deployments().inNamespace(target.namespace()).withName(name).get();
        } catch (KubernetesClientException e) {
            throw ClusterException.from(e, "deployment " + target.namespace() + "/" + name,
                    String.valueOf(client.getMasterUrl()));
        }
    }

    private static int ready(Deployment d) {
        if (d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null) {
            return 0;
        }
        return d.getStatus().getReadyReplicas();
    }
}
