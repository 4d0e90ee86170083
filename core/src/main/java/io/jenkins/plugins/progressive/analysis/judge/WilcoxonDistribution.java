package io.jenkins.plugins.progressive.analysis.judge;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exact null distribution of the Mann-Whitney statistic U (pairs with x &gt; y) for samples of sizes m and
 * n without ties: every arrangement of the m + n ranks is equally likely.
 */
final class WilcoxonDistribution {

    /** By sample sizes: a distribution costs up to ~1.4M additions and a judge sees the same sizes again and again. */
    private static final Map<Integer, WilcoxonDistribution> CACHE = new ConcurrentHashMap<>();
    private static final int MAX_CACHED = 64;

    private final double[] counts;
    private final double total;

    private WilcoxonDistribution(double[] counts) {
        this.counts = counts;
        double t = 0;
        for (double c : counts) {
            t += c;
        }
        this.total = t;
    }

    /**
     * Counts by the recurrence N(u; m, n) = N(u − n; m − 1, n) + N(u; m, n − 1): the largest of the m + n values
     * is either an x (beating all n y's) or a y. Only additions of positive numbers, so doubles stay accurate.
     */
    static WilcoxonDistribution of(int m, int n) {
        int a = Math.min(m, n);
        int b = Math.max(m, n); // the distribution is the same with the roles swapped
        if (b >= MannWhitney.EXACT_BELOW) {
            return compute(a, b); // not used by the test; not worth keeping
        }
        Integer key = a * MannWhitney.EXACT_BELOW + b;
        WilcoxonDistribution d = CACHE.get(key);
        if (d == null) {
            d = compute(a, b);
            if (CACHE.size() >= MAX_CACHED) {
                CACHE.clear();
            }
            CACHE.put(key, d);
        }
        return d;
    }

    private static WilcoxonDistribution compute(int a, int b) {
        double[][] prev = new double[b + 1][];
        for (int j = 0; j <= b; j++) {
            prev[j] = new double[] {1};
        }
        for (int i = 1; i <= a; i++) {
            double[][] cur = new double[b + 1][];
            cur[0] = new double[] {1};
            for (int j = 1; j <= b; j++) {
                double[] row = new double[i * j + 1];
                double[] withX = prev[j]; // i - 1 x's, j y's: shifted by j
                for (int u = 0; u < withX.length; u++) {
                    row[u + j] += withX[u];
                }
                double[] withY = cur[j - 1]; // i x's, j - 1 y's
                for (int u = 0; u < withY.length; u++) {
                    row[u] += withY[u];
                }
                cur[j] = row;
            }
            prev = cur;
        }
        return new WilcoxonDistribution(prev[b]);
    }

    /** P(U ≤ q). */
    double cdf(double q) {
        if (q < 0) {
            return 0;
        }
        int top = (int) Math.min(Math.floor(q), counts.length - 1);
        double s = 0;
        for (int u = 0; u <= top; u++) {
            s += counts[u];
        }
        return Math.min(1, s / total);
    }

    /** P(U ≥ q), summed from the upper tail for accuracy. */
    double upper(double q) {
        int from = (int) Math.max(0, Math.ceil(q));
        double s = 0;
        for (int u = counts.length - 1; u >= from; u--) {
            s += counts[u];
        }
        return Math.min(1, s / total);
    }

    /** The smallest q with P(U ≤ q) ≥ p (R's qwilcox). */
    int quantile(double p) {
        double s = 0;
        for (int u = 0; u < counts.length; u++) {
            s += counts[u];
            if (s / total >= p * (1 - 64 * Math.ulp(1.0))) {
                return u;
            }
        }
        return counts.length - 1;
    }
}
