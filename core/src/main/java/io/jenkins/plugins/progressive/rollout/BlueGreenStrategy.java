package io.jenkins.plugins.progressive.rollout;

import io.jenkins.plugins.progressive.spec.Strategy;

/**
 * Blue-green: the new version comes up beside the old one at full size, is tested (pre-promotion
 * analysis), then takes all traffic at once; the old version stays up for post-promotion analysis and
 * the scale-down delay, so that a flip back is instant. Then the stable role takes the new version.
 */
final class BlueGreenStrategy implements StrategyMachine {

    private static final int PREVIEW = 0;
    private static final int PRE_ANALYSIS = 1;
    private static final int AWAIT_PROMOTION = 2;
    private static final int SWITCH = 3;
    private static final int POST_ANALYSIS = 4;
    private static final int PROMOTION = 5;

    private final Strategy.BlueGreen blueGreen;

    BlueGreenStrategy(Strategy.BlueGreen blueGreen) {
        this.blueGreen = blueGreen;
    }

    @Override
    public int promotionStep() {
        return PROMOTION;
    }

    @Override
    public Decision next(Reconciler r) {
        RolloutState s = r.state();
        Decision d;
        switch (s.step) {
            case PREVIEW -> {
                if ((d = r.roleAt(Role.CANARY, s.version, s.size)) != null) {
                    return d;
                }
                r.note("preview ready: " + s.size + " x " + s.version);
            }
            case PRE_ANALYSIS -> {
                if ((d = r.gate("pre", blueGreen.prePromotionAnalysis())) != null) {
                    return d;
                }
            }
            case AWAIT_PROMOTION -> {
                if (!blueGreen.autoPromotion() && (d = r.pause(null, "waiting for promote")) != null) {
                    return d;
                }
            }
            case SWITCH -> {
                // Without a router both versions already share traffic by instance count; the switch is promotion.
                if (!r.replicaRatio() && (d = r.routesAt(Routes.ALL_CANARY)) != null) {
                    return d;
                }
                s.flippedAt = r.now();
                r.note("switched to " + s.version);
            }
            case POST_ANALYSIS -> {
                if ((d = r.gate("post", blueGreen.postPromotionAnalysis())) != null) {
                    return d;
                }
                if ((d = r.pauseUntil(s.flippedAt.plus(blueGreen.scaleDownDelay()))) != null) {
                    return d;
                }
            }
            default -> {
                return r.promotion();
            }
        }
        return r.nextStep();
    }
}
