package io.jenkins.plugins.progressive.rollout;

import io.jenkins.plugins.progressive.spec.Strategy;
import io.jenkins.plugins.progressive.spec.Strategy.CanaryStep;

/**
 * Canary: steps of weight, pause and analysis, then promotion. With a router the canary gets
 * {@code ceil(size * w / 100)} instances, becomes ready, and only then receives {@code w}% of requests;
 * without one the instances are split by {@link ReplicaRatio}, scaling up before scaling down.
 */
final class CanaryStrategy implements StrategyMachine {

    private final Strategy.Canary canary;

    CanaryStrategy(Strategy.Canary canary) {
        this.canary = canary;
    }

    @Override
    public int promotionStep() {
        return canary.steps().size();
    }

    @Override
    public Decision next(Reconciler r) {
        RolloutState s = r.state();
        if (s.step >= canary.steps().size()) {
            return r.promotion();
        }
        CanaryStep step = canary.steps().get(s.step);
        Decision d;
        if (step instanceof CanaryStep.SetWeight w) {
            if ((d = weight(r, w.weight())) != null) {
                return d;
            }
            r.note("weight " + w.weight() + "%");
        } else if (step instanceof CanaryStep.Pause p) {
            if ((d = r.pause(p.duration().orElse(null), "pause step " + s.step)) != null) {
                return d;
            }
        } else if (step instanceof CanaryStep.Analysis a) {
            if ((d = r.gate("step-" + s.step, a.templates())) != null) {
                return d;
            }
        }
        return r.nextStep();
    }

    private static Decision weight(Reconciler r, int w) {
        RolloutState s = r.state();
        Decision d;
        int size = s.size;
        if (!r.replicaRatio()) {
            int n = w == 0 ? 0 : Math.max(1, (int) Math.ceil(size * w / 100.0));
            if (n >= s.desired(Role.CANARY).replicas()) {
                // Instances first, traffic once they are ready.
                if ((d = r.roleAt(Role.CANARY, s.version, n)) != null || (d = r.routesAt(Routes.canary(w))) != null) {
                    return d;
                }
            } else if ((d = r.routesAt(Routes.canary(w))) != null || (d = r.roleAt(Role.CANARY, s.version, n)) != null) {
                return d;
            }
            return null;
        }
        ReplicaRatio.Split split = ReplicaRatio.split(size, w);
        if (split.canary() >= s.desired(Role.CANARY).replicas()) {
            d = r.roleAt(Role.CANARY, s.version, split.canary());
            if (d == null) {
                d = r.roleAt(Role.STABLE, s.stableVersion, split.stable());
            }
        } else {
            d = r.roleAt(Role.STABLE, s.stableVersion, split.stable());
            if (d == null) {
                d = r.roleAt(Role.CANARY, s.version, split.canary());
            }
        }
        if (d == null) {
            r.servedByReplicas(Routes.canary(split.canaryWeight()));
        }
        return d;
    }
}
