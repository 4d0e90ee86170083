package io.jenkins.plugins.progressive.rollout;

import io.jenkins.plugins.progressive.spec.Strategy;

/**
 * Rolling: each batch brings up more instances of the new version (canary role), then takes the same
 * number of old ones down (stable role); with maxUnavailable above 0 up to that many old instances go
 * as soon as the new ones are asked for, before they are ready. A router follows the instance counts. At 100% the stable role takes
 * the new version and the canary role is emptied.
 */
final class RollingStrategy implements StrategyMachine {

    private final Strategy.Rolling rolling;

    RollingStrategy(Strategy.Rolling rolling) {
        this.rolling = rolling;
    }

    @Override
    public int promotionStep() {
        return rolling.batches().size();
    }

    @Override
    public Decision next(Reconciler r) {
        RolloutState s = r.state();
        if (s.step >= rolling.batches().size()) {
            return r.promotion();
        }
        int size = s.size;
        int n = rolling.batches().get(s.step).instancesOf(size);
        boolean last = n >= size;
        Decision d;
        int oldLeft = size - n;
        int stableNow = s.desired(Role.STABLE).replicas();
        if (!last && rolling.maxUnavailable() > 0 && stableNow > oldLeft) {
            // The batch's new instances are asked for first, then old ones may go before those are ready: down to
            // size - (new ones of the batches before) - maxUnavailable, as a Deployment's own rollout does. Never
            // the other way round: a Deployment's only active ReplicaSet is scaled back to full size by its
            // controller, even while paused.
            if (!new RolloutState.Desired(s.version, n).equals(s.desired(Role.CANARY))) {
                return new Decision.Act(RolloutState.Action.scale(Role.CANARY, s.version, n));
            }
            int before = s.step == 0 ? 0 : rolling.batches().get(s.step - 1).instancesOf(size);
            int early = Math.max(oldLeft, size - before - rolling.maxUnavailable());
            if (early < stableNow) {
                return new Decision.Act(RolloutState.Action.scale(Role.STABLE, s.stableVersion, early));
            }
        }
        if ((d = r.roleAt(Role.CANARY, s.version, n)) != null) {
            return d;
        }
        if (!last) {
            int weight = (int) Math.round(100.0 * n / size);
            if (r.replicaRatio()) {
                if ((d = r.roleAt(Role.STABLE, s.stableVersion, oldLeft)) != null) {
                    return d;
                }
                r.servedByReplicas(Routes.canary(weight));
            } else if ((d = r.routesAt(Routes.canary(weight))) != null
                    || (d = r.roleAt(Role.STABLE, s.stableVersion, oldLeft)) != null
                    || (d = r.routesAt(Routes.canary(weight))) != null) {
                // the last routesAt tells the router which old instances are gone
                return d;
            }
            if (!rolling.pauseBetweenBatches().isZero()
                    && (d = r.pause(rolling.pauseBetweenBatches(), "between batches")) != null) {
                return d;
            }
        }
        if ((d = r.gate("step-" + s.step, rolling.analysis())) != null) {
            return d;
        }
        r.note("batch " + (s.step + 1) + ": " + n + "/" + size + " on " + s.version);
        return r.nextStep();
    }
}
