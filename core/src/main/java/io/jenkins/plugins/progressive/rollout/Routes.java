package io.jenkins.plugins.progressive.rollout;

/**
 * The share of requests each role receives, in percent; they always sum to 100.
 */
public record Routes(int stable, int canary) {

    public static final Routes ALL_STABLE = new Routes(100, 0);
    public static final Routes ALL_CANARY = new Routes(0, 100);

    public Routes {
        if (stable < 0 || canary < 0 || stable + canary != 100) {
            throw new IllegalArgumentException("weights must be 0..100 and sum to 100, got stable=" + stable
                    + " canary=" + canary);
        }
    }

    public static Routes canary(int weight) {
        return new Routes(100 - weight, weight);
    }

    @Override
    public String toString() {
        return "stable " + stable + "% / canary " + canary + "%";
    }
}
