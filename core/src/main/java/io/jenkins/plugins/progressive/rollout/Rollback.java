package io.jenkins.plugins.progressive.rollout;

/**
 * The rollback path (PRODUCT.md): 100% of traffic to stable first (and, where rolling batches or a replica
 * split had shrunk the stable role, stable back at full size and ready), then the new version scaled down,
 * then the stable role put back to the previous version if promotion had changed it, then the snapshot
 * restored; finally the router is read back. A step that still fails after retries is skipped and the
 * rollout ends needing a person, except the first: if traffic cannot be moved back, nothing else is
 * touched (scaling the canary down would drop the requests it still serves).
 */
final class Rollback {

    static final int ROUTES = 0;
    static final int STABLE_UP = 1;
    static final int CANARY_DOWN = 2;
    static final int STABLE_BACK = 3;
    static final int RESTORE = 4;
    static final int READ_BACK = 5;

    private Rollback() {
    }

    static Decision next(Reconciler r) {
        RolloutState s = r.state();
        Decision d;
        switch (s.rollbackStep) {
            case ROUTES -> {
                if (!r.replicaRatio() && (d = r.routesAt(Routes.ALL_STABLE)) != null) {
                    return d;
                }
            }
            case STABLE_UP -> {
                // Where the stable role was shrunk (rolling batches, a replica split) it must carry all the
                // traffic again before the new instances go: back to the previous version at full size first.
                // With a router and canary or blue-green, stable was never shrunk: the order stays as above.
                boolean shrunk = r.replicaRatio() || "rolling".equals(s.strategy);
                if (s.stableVersion != null && shrunk && (d = r.roleAt(Role.STABLE, s.stableVersion, s.size)) != null) {
                    if (d instanceof Decision.Fail f) {
                        r.rollbackStepFailed("stable did not come back to full size: " + f.reason());
                        return Decision.AGAIN;
                    }
                    return d;
                }
            }
            case CANARY_DOWN -> {
                if (s.desired(Role.CANARY).replicas() != 0) {
                    return new Decision.Act(RolloutState.Action.scale(Role.CANARY, s.version, 0));
                }
            }
            case STABLE_BACK -> {
                if (s.stableVersion == null) {
                    if (s.desired(Role.STABLE).replicas() != 0) {
                        return new Decision.Act(RolloutState.Action.scale(Role.STABLE, s.version, 0));
                    }
                } else {
                    if ((d = stableBack(r, s)) != null) {
                        if (d instanceof Decision.Fail f) {
                            r.rollbackStepFailed("stable did not come back: " + f.reason());
                            return Decision.AGAIN;
                        }
                        return d;
                    }
                }
            }
            case RESTORE -> {
                if (s.snapshotId != null && !s.snapshotRestored) {
                    return new Decision.Act(RolloutState.Action.restore(s.snapshotId));
                }
            }
            default -> {
                // Instances changed behind the router: it must list the ones that serve now.
                if (!r.replicaRatio() && (d = r.routesAt(Routes.ALL_STABLE)) != null) {
                    return d;
                }
                r.endRollback();
                return Decision.AGAIN;
            }
        }
        s.rollbackStep++;
        return Decision.AGAIN;
    }

    /**
     * The stable role back on the previous version. With a router, when stable runs another version
     * (promotion had begun, or a finished release is rolled back), the previous version first comes up in
     * the free canary role and takes all traffic, so no request reaches a stable instance being replaced.
     */
    private static Decision stableBack(Reconciler r, RolloutState s) {
        Decision d;
        boolean changed = !new RolloutState.Desired(s.stableVersion, s.size).equals(s.desired(Role.STABLE));
        if (changed && !r.replicaRatio()) {
            if ((d = r.roleAt(Role.CANARY, s.stableVersion, s.size)) != null
                    || (d = r.routesAt(Routes.ALL_CANARY)) != null) {
                return d;
            }
        }
        if ((d = r.roleAt(Role.STABLE, s.stableVersion, s.size)) != null
                || (!r.replicaRatio() && (d = r.routesAt(Routes.ALL_STABLE)) != null)) {
            return d;
        }
        if (s.desired(Role.CANARY).replicas() != 0) {
            return new Decision.Act(RolloutState.Action.scale(Role.CANARY, s.stableVersion, 0));
        }
        return null;
    }
}
