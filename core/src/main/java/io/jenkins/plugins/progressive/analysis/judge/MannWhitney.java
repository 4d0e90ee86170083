package io.jenkins.plugins.progressive.analysis.judge;

import java.util.Arrays;

/**
 * Two-sample Wilcoxon rank-sum / Mann-Whitney U test of x against y, with the Hodges–Lehmann shift estimate
 * and its confidence interval, computed the way R's {@code wilcox.test(x, y, conf.int = TRUE)} documents it:
 * exact when both samples have fewer than 50 values and there are no ties, otherwise the normal approximation
 * with tie and continuity correction. One difference: in the approximate case R estimates the shift by a root
 * search; here the estimate is always the Hodges–Lehmann median of the pairwise differences.
 */
public final class MannWhitney {

    /** Below this many values on both sides, and without ties, p-values and intervals are exact. */
    public static final int EXACT_BELOW = 50;

    private MannWhitney() {
    }

    /**
     * @param w          the statistic W = U = number of pairs with x &gt; y, ties counting one half (R's W)
     * @param exact      whether the exact distribution was used
     * @param pTwoSided  p-value for "x and y differ in location"
     * @param pGreater   p-value for "x is shifted up against y"
     * @param pLess      p-value for "x is shifted down against y"
     * @param estimate   Hodges–Lehmann shift of x against y (median of x[i] − y[j])
     * @param lower      lower end of the two-sided confidence interval of the shift
     * @param upper      upper end of the two-sided confidence interval of the shift
     * @param confidenceReached false when the samples are too small for the requested confidence: the interval is
     *                   then the whole range of differences and holds less than {@code confidence} (R warns
     *                   "requested conf.level not achievable")
     */
    public record Result(double w, boolean exact, double pTwoSided, double pGreater, double pLess, double estimate,
            double lower, double upper, double confidence, boolean confidenceReached) {
    }

    /**
     * @param confidence level of the two-sided interval, in (0, 1)
     * @throws IllegalArgumentException for an empty sample, a NaN or infinite value, or a confidence outside (0, 1)
     */
    public static Result test(double[] x, double[] y, double confidence) {
        return test(x, y, confidence, true, true);
    }

    /**
     * R's {@code exact} and {@code correct} switches, for comparing with R's documented outputs.
     *
     * @param allowExact false forces the normal approximation
     * @param correct    whether the normal approximation uses the continuity correction (p-values and interval)
     */
    static Result test(double[] x, double[] y, double confidence, boolean allowExact, boolean correct) {
        check(x, "x");
        check(y, "y");
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be between 0 and 1, got " + confidence);
        }
        int m = x.length;
        int n = y.length;
        double mn = (double) m * n;
        double[] sx = x.clone();
        double[] sy = y.clone();
        Arrays.sort(sx);
        Arrays.sort(sy);
        HodgesLehmann diffs = new HodgesLehmann(sx, sy);
        double alpha = 1 - confidence;
        Rank at0 = Rank.of(sx, sy, 0.0);
        double w = at0.w;
        double estimate = diffs.median();
        if (allowExact && m < EXACT_BELOW && n < EXACT_BELOW && at0.tieSum == 0) {
            WilcoxonDistribution dist = WilcoxonDistribution.of(m, n);
            double pGreater = dist.upper(w);
            double pLess = dist.cdf(w);
            double pTwo = Math.min(1, 2 * (w > mn / 2 ? pGreater : pLess));
            int qu = dist.quantile(alpha / 2);
            boolean reached = qu > 0;
            if (qu == 0) {
                qu = 1;
            }
            long ql = (long) mn - qu;
            return new Result(w, true, pTwo, pGreater, pLess, estimate, diffs.kth(qu), diffs.kth(ql + 1), confidence,
                    reached);
        }
        double c = correct ? 0.5 : 0;
        double z = w - mn / 2;
        double sigma = at0.sigma(m, n);
        double pTwo;
        double pGreater;
        double pLess;
        if (sigma == 0) { // every value equal: no evidence either way
            pTwo = 1;
            pGreater = 1;
            pLess = 1;
        } else {
            double zTwo = (z - Math.signum(z) * c) / sigma;
            pTwo = Math.min(1, 2 * Math.min(Normal.cdf(zTwo), Normal.upper(zTwo)));
            pGreater = Normal.upper((z - c) / sigma);
            pLess = Normal.cdf((z + c) / sigma);
        }
        double zq = Normal.quantile(1 - alpha / 2);
        double lo = sx[0] - sy[n - 1];
        double hi = sx[m - 1] - sy[0];
        double lower = root(sx, sy, zq, lo, hi, c);
        double upper = root(sx, sy, -zq, lo, hi, c);
        boolean reached = standardized(sx, sy, lo, c) - zq > 0 && standardized(sx, sy, hi, c) + zq < 0;
        return new Result(w, false, pTwo, pGreater, pLess, estimate, lower, upper, confidence, reached);
    }

    private static void check(double[] s, String name) {
        if (s == null || s.length == 0) {
            throw new IllegalArgumentException("sample " + name + " is empty");
        }
        for (int i = 0; i < s.length; i++) {
            if (!Double.isFinite(s[i])) {
                throw new IllegalArgumentException("sample " + name + " has " + s[i] + " at index " + i);
            }
        }
    }

    /**
     * The shift d at which the corrected, standardized statistic of (x − d, y) crosses zq. That statistic only
     * falls as d grows and only jumps at pairwise differences, so bisection over the doubles between lo and hi
     * ends on the jump (R's uniroot gets within 1e-4 of the same point).
     */
    private static double root(double[] x, double[] y, double zq, double lo, double hi, double c) {
        if (standardized(x, y, lo, c) - zq <= 0) {
            return lo;
        }
        if (standardized(x, y, hi, c) - zq >= 0) {
            return hi;
        }
        long a = key(lo);
        long b = key(hi); // invariant: f(a) > 0, f(b) < 0 or ≤ 0
        while (a + 1 < b) { // not b - a > 1: that overflows when the keys span both signs
            long mid = (a & b) + ((a ^ b) >> 1);
            if (standardized(x, y, value(mid), c) - zq > 0) {
                a = mid;
            } else {
                b = mid;
            }
        }
        return value(b) + 0.0;
    }

    private static double standardized(double[] x, double[] y, double d, double c) {
        Rank r = Rank.of(x, y, d);
        double dz = r.w - (double) x.length * y.length / 2;
        double num = dz - Math.signum(dz) * c;
        double sigma = r.sigma(x.length, y.length);
        if (sigma == 0) {
            return num == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, num);
        }
        return num / sigma;
    }

    private static long key(double d) {
        long bits = Double.doubleToRawLongBits(d);
        return bits >= 0 ? bits : bits ^ Long.MAX_VALUE;
    }

    private static double value(long key) {
        return Double.longBitsToDouble(key >= 0 ? key : key ^ Long.MAX_VALUE);
    }

    /** W of (x − d) against y, and Σ(t³ − t) over groups of tied values, by one merge of the sorted samples. */
    private record Rank(double w, double tieSum) {

        static Rank of(double[] sx, double[] sy, double d) {
            int i = 0;
            int j = 0;
            double w = 0;
            double ties = 0;
            while (i < sx.length || j < sy.length) {
                double v = i < sx.length && (j >= sy.length || sx[i] - d <= sy[j]) ? sx[i] - d : sy[j];
                long a = 0;
                while (i < sx.length && sx[i] - d == v) {
                    a++;
                    i++;
                }
                long ylessBefore = j;
                long b = 0;
                while (j < sy.length && sy[j] == v) {
                    b++;
                    j++;
                }
                // each x here beats every smaller y, and ties half with the b equal ones
                w += a * (double) ylessBefore + 0.5 * a * b;
                long t = a + b;
                ties += (double) t * t * t - t;
            }
            return new Rank(w, ties);
        }

        double sigma(int m, int n) {
            double total = (double) m + n;
            double var = ((double) m * n / 12) * ((total + 1) - tieSum / (total * (total - 1)));
            return var <= 0 ? 0 : Math.sqrt(var);
        }
    }
}
