package io.jenkins.plugins.progressive.analysis.judge;

/** The standard normal distribution: cdf and quantile, accurate to about 1e-14 relative. */
final class Normal {

    private static final double SQRT2 = Math.sqrt(2.0);
    private static final double SQRT_PI = Math.sqrt(Math.PI);

    private Normal() {
    }

    /** P(Z ≤ z). */
    static double cdf(double z) {
        return 0.5 * erfc(-z / SQRT2);
    }

    /** P(Z &gt; z), without the cancellation of {@code 1 - cdf(z)} in the upper tail. */
    static double upper(double z) {
        return 0.5 * erfc(z / SQRT2);
    }

    /** The z with P(Z ≤ z) = p. */
    static double quantile(double p) {
        if (!(p > 0 && p < 1)) {
            if (p == 0) {
                return Double.NEGATIVE_INFINITY;
            }
            if (p == 1) {
                return Double.POSITIVE_INFINITY;
            }
            throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
        }
        double q = Math.min(p, 1 - p);
        // Start from the Abramowitz-Stegun 26.2.23 rational approximation (error < 4.5e-4), then Newton
        // steps on the upper tail, which converge quadratically.
        double t = Math.sqrt(-2 * Math.log(q));
        double x = t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
                / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
        for (int i = 0; i < 6; i++) {
            double density = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            double step = (upper(x) - q) / density;
            x += step;
            if (Math.abs(step) < 1e-15 * Math.max(1, Math.abs(x))) {
                break;
            }
        }
        return p < 0.5 ? -x : x;
    }

    static double erfc(double x) {
        if (x < 0) {
            return 2 - erfc(-x);
        }
        if (x < 2.5) {
            return 1 - erf(x);
        }
        if (x > 27) {
            return 0; // below the smallest double
        }
        // Continued fraction erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated
        // from the tail; 80 terms are plenty for x ≥ 2.5.
        double f = x;
        for (int k = 80; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / (SQRT_PI * f);
    }

    /** For 0 ≤ x &lt; 2.5: the series erf(x) = 2/√π · exp(-x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), all terms positive. */
    private static double erf(double x) {
        double term = x;
        double sum = x;
        double x2 = x * x;
        for (int n = 1; n < 200; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return 2 / SQRT_PI * Math.exp(-x2) * sum;
    }
}
