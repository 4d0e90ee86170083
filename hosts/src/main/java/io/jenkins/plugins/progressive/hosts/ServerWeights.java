package io.jenkins.plugins.progressive.hosts;

import io.jenkins.plugins.progressive.rollout.Routes;
import java.util.ArrayList;
import java.util.List;

/**
 * Integer per-server weights for a weighted round-robin balancer, chosen so that the roles' shares come
 * as close as possible to the requested {@link Routes} whatever the instance counts are.
 *
 * <p>Both HAProxy and nginx send each server {@code weight / sum(weights)} of the requests, so the role
 * share is the sum of its servers' weights over the total. A role's total is spread over its servers as
 * evenly as integers allow (they differ by at most 1), which keeps each instance's load even too.
 */
public final class ServerWeights {

    /** HAProxy's limit; nginx has none worth using, the same bound keeps the two routers alike. */
    public static final int MAX_WEIGHT = 256;

    private final List<Integer> stable;
    private final List<Integer> canary;

    private ServerWeights(List<Integer> stable, List<Integer> canary) {
        this.stable = stable;
        this.canary = canary;
    }

    /** Weights of the stable servers, in order; all 0 when the stable share is 0. */
    public List<Integer> stable() {
        return stable;
    }

    /** Weights of the canary servers, in order; all 0 when the canary share is 0. */
    public List<Integer> canary() {
        return canary;
    }

    /**
     * @throws IllegalArgumentException when a role that must receive requests has no server
     */
    public static ServerWeights compute(Routes routes, int stableServers, int canaryServers) {
        if (routes.stable() > 0 && stableServers == 0) {
            throw new IllegalArgumentException("cannot send " + routes.stable() + "% to stable: it has no instances");
        }
        if (routes.canary() > 0 && canaryServers == 0) {
            throw new IllegalArgumentException("cannot send " + routes.canary() + "% to canary: it has no instances");
        }
        if (routes.canary() == 0) {
            return new ServerWeights(spread(Math.min(MAX_WEIGHT, 100) * stableServers, stableServers),
                    spread(0, canaryServers));
        }
        if (routes.stable() == 0) {
            return new ServerWeights(spread(0, stableServers),
                    spread(Math.min(MAX_WEIGHT, 100) * canaryServers, canaryServers));
        }
        // Search the smallest total whose split is closest to the requested share; every server gets >= 1.
        double wanted = routes.canary() / 100.0;
        int maxTotal = MAX_WEIGHT * (stableServers + canaryServers);
        int bestStable = -1;
        int bestCanary = -1;
        double bestError = Double.MAX_VALUE;
        int bestUneven = Integer.MAX_VALUE;
        for (int total = 2; total <= maxTotal; total++) {
            int c = (int) Math.round(total * wanted);
            int s = total - c;
            if (c < canaryServers || s < stableServers || c > MAX_WEIGHT * canaryServers
                    || s > MAX_WEIGHT * stableServers) {
                continue;
            }
            double error = Math.abs((double) c / total - wanted);
            // Among equally close splits, prefer one that gives every server of a role the same weight.
            int uneven = (c % canaryServers == 0 ? 0 : 1) + (s % stableServers == 0 ? 0 : 1);
            if (error < bestError - 1e-12 || (Math.abs(error - bestError) <= 1e-12 && uneven < bestUneven)) {
                bestError = error;
                bestUneven = uneven;
                bestStable = s;
                bestCanary = c;
                if (error < 1e-12 && uneven == 0) {
                    break;
                }
            }
        }
        return new ServerWeights(spread(bestStable, stableServers), spread(bestCanary, canaryServers));
    }

    private static List<Integer> spread(int total, int servers) {
        List<Integer> weights = new ArrayList<>(servers);
        for (int i = 0; i < servers; i++) {
            weights.add(total / servers + (i < total % servers ? 1 : 0));
        }
        return List.copyOf(weights);
    }

    /** The routes that per-role weight totals really serve, rounded to whole percent. */
    public static Routes routesOf(long stableTotal, long canaryTotal) {
        long total = stableTotal + canaryTotal;
        if (total == 0) {
            return Routes.ALL_STABLE;
        }
        int canary = (int) Math.round(100.0 * canaryTotal / total);
        return Routes.canary(canary);
    }
}
