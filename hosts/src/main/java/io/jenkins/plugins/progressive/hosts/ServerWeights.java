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
        // Search all totals for the split closest to the requested share. Errors under 0.1 pp count as
        // exact; among those prefer every server in rotation, then equal weights within a role, then
        // the smallest total. A server gets 0 only when its role's share is too small for all of them.
        double wanted = routes.canary() / 100.0;
        int maxTotal = MAX_WEIGHT * (stableServers + canaryServers);
        int bestStable = -1;
        int bestCanary = -1;
        double[] best = null;
        for (int total = 2; total <= maxTotal; total++) {
            int c = (int) Math.round(total * wanted);
            int s = total - c;
            if (c < 1 || s < 1 || c > MAX_WEIGHT * canaryServers || s > MAX_WEIGHT * stableServers) {
                continue;
            }
            double error = Math.abs((double) c / total - wanted);
            double[] score = {
                error < 0.001 ? 0 : error,
                (c < canaryServers ? 1 : 0) + (s < stableServers ? 1 : 0),
                (c % canaryServers == 0 ? 0 : 1) + (s % stableServers == 0 ? 0 : 1),
            };
            if (best == null || java.util.Arrays.compare(score, best) < 0) {
                best = score;
                bestStable = s;
                bestCanary = c;
            }
        }
        return new ServerWeights(spread(bestStable, stableServers), spread(bestCanary, canaryServers));
    }

    /** Equal weights for {@code servers} servers that share all the requests (a preview backend). */
    public static List<Integer> even(int servers) {
        return spread(100 * servers, servers);
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
