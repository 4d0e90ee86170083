package io.jenkins.plugins.progressive.kubernetes.traffic.replicas;

import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import io.jenkins.plugins.progressive.rollout.Workload;

/**
 * No router: a Service selecting the app's pods spreads requests over stable and canary pods alike, so the
 * share is the ratio of ready pods. The engine sizes the roles to the weight (core's {@code ReplicaRatio.split});
 * {@link #getRoutes} reads the ratio back from the two roles' ready Pods as the workload sees them (two
 * Deployments for a canary, the Deployment's two ReplicaSets for a rolling update).
 */
public final class ReplicaRatioRouter implements TrafficRouter {

    private final Workload roles;

    public ReplicaRatioRouter(Workload roles) {
        this.roles = roles;
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
        return share(roles.status(Role.STABLE).ready(), roles.status(Role.CANARY).ready());
    }

    /** The share of requests ready pods receive behind one Service (half rounds up to the canary). */
    public static Routes share(int stableReady, int canaryReady) {
        int total = stableReady + canaryReady;
        if (total <= 0) {
            return Routes.ALL_STABLE;
        }
        return Routes.canary((int) Math.floor(100.0 * canaryReady / total + 0.5));
    }
}
