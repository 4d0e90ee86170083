package io.jenkins.plugins.progressive.analysis.judge;

import java.util.Arrays;

/**
 * The Hodges–Lehmann shift estimate of x against y: the median of the m·n pairwise differences xᵢ − yⱼ,
 * and any order statistic of those differences, found without building them (m·n can be 10⁸ for two long
 * Prometheus ranges): bisection over the doubles, counting the differences ≤ d with two pointers.
 */
public final class HodgesLehmann {

    private final double[] x;
    private final double[] y;

    /** Both arrays sorted ascending, non-empty, finite. */
    HodgesLehmann(double[] sortedX, double[] sortedY) {
        this.x = sortedX;
        this.y = sortedY;
    }

    /** The median of all differences x[i] − y[j]; both samples non-empty and finite. */
    public static double estimate(double[] x, double[] y) {
        return of(x, y).median();
    }

    static HodgesLehmann of(double[] x, double[] y) {
        if (x.length == 0 || y.length == 0) {
            throw new IllegalArgumentException("both samples need at least one value");
        }
        for (double v : x) {
            finite(v);
        }
        for (double v : y) {
            finite(v);
        }
        double[] sx = x.clone();
        double[] sy = y.clone();
        Arrays.sort(sx);
        Arrays.sort(sy);
        return new HodgesLehmann(sx, sy);
    }

    private static void finite(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("samples must be finite, got " + v);
        }
    }

    long pairs() {
        return (long) x.length * y.length;
    }

    double median() {
        long n = pairs();
        if (n % 2 == 1) {
            return kth((n + 1) / 2);
        }
        return (kth(n / 2) + kth(n / 2 + 1)) / 2;
    }

    /** The k-th smallest difference, 1-based. */
    double kth(long k) {
        if (k < 1 || k > pairs()) {
            throw new IllegalArgumentException("k = " + k + " outside 1.." + pairs());
        }
        long lo = key(x[0] - y[y.length - 1]);
        long hi = key(x[x.length - 1] - y[0]);
        while (lo < hi) {
            long mid = (lo & hi) + ((lo ^ hi) >> 1); // floor((lo + hi) / 2) without overflow
            if (countAtMost(value(mid)) >= k) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return value(lo) + 0.0; // + 0.0 turns -0.0 into 0.0
    }

    /** How many differences x[i] − y[j] are ≤ d. For each x[i] they are a suffix of y, moving right as i grows. */
    long countAtMost(double d) {
        long count = 0;
        int p = 0;
        for (double xi : x) {
            while (p < y.length && xi - y[p] > d) {
                p++;
            }
            count += y.length - p;
        }
        return count;
    }

    /** Doubles mapped to longs with the same order (NaN excluded). */
    private static long key(double d) {
        long bits = Double.doubleToRawLongBits(d);
        return bits >= 0 ? bits : bits ^ Long.MAX_VALUE;
    }

    private static double value(long key) {
        return Double.longBitsToDouble(key >= 0 ? key : key ^ Long.MAX_VALUE);
    }
}
