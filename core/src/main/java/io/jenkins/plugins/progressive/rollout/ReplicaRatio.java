package io.jenkins.plugins.progressive.rollout;

/**
 * Splits a number of instances between stable and canary when no router is in front, so that the share
 * of ready instances comes closest to the requested canary weight (PRODUCT.md: neither side is 0 while
 * 1 ≤ weight ≤ 99 and there is more than one instance).
 */
public final class ReplicaRatio {

    /** Instances per role. */
    public record Split(int stable, int canary) {
        /** The canary's share of the instances, in percent, rounded. */
        public int canaryWeight() {
            int total = stable + canary;
            return total == 0 ? 0 : (int) Math.round(100.0 * canary / total);
        }
    }

    private ReplicaRatio() {
    }

    /**
     * @param total instances in all (at least 1)
     * @param weight requested canary share, 0..100
     */
    public static Split split(int total, int weight) {
        if (total < 1) {
            throw new IllegalArgumentException("total instances must be at least 1, got " + total);
        }
        if (weight < 0 || weight > 100) {
            throw new IllegalArgumentException("weight must be 0..100, got " + weight);
        }
        if (weight == 0) {
            return new Split(total, 0);
        }
        if (weight == 100) {
            return new Split(0, total);
        }
        if (total == 1) {
            // One instance cannot be shared: it stays stable until the canary is promoted.
            return new Split(1, 0);
        }
        int canary = (int) Math.round(total * weight / 100.0);
        canary = Math.max(1, Math.min(total - 1, canary));
        return new Split(total - canary, canary);
    }
}
