package io.jenkins.plugins.progressive.rollout;

/** One strategy's state machine: from (spec, state, observed platform) to the next decision. */
interface StrategyMachine {

    /** Decide the next move in PROGRESSING or PROMOTING. */
    Decision next(Reconciler r);

    /** The step index at which promotion begins (promote --full jumps there). */
    int promotionStep();

    static StrategyMachine of(io.jenkins.plugins.progressive.spec.Strategy strategy) {
        if (strategy instanceof io.jenkins.plugins.progressive.spec.Strategy.Canary c) {
            return new CanaryStrategy(c);
        }
        if (strategy instanceof io.jenkins.plugins.progressive.spec.Strategy.BlueGreen b) {
            return new BlueGreenStrategy(b);
        }
        return new RollingStrategy((io.jenkins.plugins.progressive.spec.Strategy.Rolling) strategy);
    }

    static String nameOf(io.jenkins.plugins.progressive.spec.Strategy strategy) {
        if (strategy instanceof io.jenkins.plugins.progressive.spec.Strategy.Canary) {
            return "canary";
        }
        return strategy instanceof io.jenkins.plugins.progressive.spec.Strategy.BlueGreen ? "blueGreen" : "rolling";
    }
}
