package io.jenkins.plugins.progressive.analysis.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Against published outputs of R's {@code wilcox.test}, and against values derived by hand (the derivation is
 * in the comment next to each).
 */
class MannWhitneyTest {

    /*
     * R documentation, ?wilcox.test (package stats), "Two-sample test. Hollander & Wolfe (1973), 69f.
     * Permeability constants of the human chorioamnion (a placental membrane) at term (x) and between 12 to 26
     * weeks gestational age (y)."
     */
    private static final double[] HW_X = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
    private static final double[] HW_Y = {1.15, 0.88, 0.90, 0.74, 1.21};

    @Test
    void rDocumentationExampleExact() {
        // R: wilcox.test(x, y, alternative = "g")  ->  Wilcoxon rank sum exact test, W = 35, p-value = 0.1272.
        // The two-sided p-value is R's 2 * P(W >= 35) = 0.2544 (also scipy 1.17.1 mannwhitneyu, method="exact":
        // greater 0.12720612720612720, two-sided 0.25441225441225440, less 0.89676989676989680).
        MannWhitney.Result r = MannWhitney.test(HW_X, HW_Y, 0.95);
        assertThat(r.exact()).isTrue();
        assertThat(r.w()).isEqualTo(35);
        assertThat(r.pGreater()).isCloseTo(0.1272, within(5e-5));
        assertThat(r.pGreater()).isCloseTo(382.0 / 3003, within(1e-12)); // 382 of the C(15,5) = 3003 arrangements
        assertThat(r.pTwoSided()).isCloseTo(0.2544, within(5e-5));
        assertThat(r.pLess()).isCloseTo(2693.0 / 3003, within(1e-12));
    }

    @Test
    void rDocumentationExampleLargeSampleApproximation() {
        // R: wilcox.test(x, y, alternative = "greater", exact = FALSE, correct = FALSE)  # H&W large sample
        // approximation  ->  W = 35, p-value = 0.1103. By hand: z = (35 - 25) / sqrt(10*5*16/12) = 1.2247,
        // P(Z > 1.2247) = 0.11034.
        MannWhitney.Result r = MannWhitney.test(HW_X, HW_Y, 0.95, false, false);
        assertThat(r.exact()).isFalse();
        assertThat(r.w()).isEqualTo(35);
        assertThat(r.pGreater()).isCloseTo(0.1103, within(5e-5));
    }

    @Test
    void rDocumentationExampleConfidenceIntervalExact() {
        // wilcox.test(x, y, conf.int = TRUE) gives the median of the 50 differences x[i] - y[j] and the interval
        // [D(k), D(51 - k)] with k = qwilcox(0.025, 10, 5). Derived by enumerating all 3003 rank sets of x:
        // P(W <= 8) = 0.0199 < 0.025 <= P(W <= 9) = 0.0310, so k = 9; sorted differences D(9) = -0.15,
        // D(42) = 0.76; the 25th and 26th differences are 0.30 and 0.31, so the estimate is 0.305.
        MannWhitney.Result r = MannWhitney.test(HW_X, HW_Y, 0.95);
        assertThat(r.estimate()).isCloseTo(0.305, within(1e-12));
        assertThat(r.lower()).isCloseTo(-0.15, within(1e-12));
        assertThat(r.upper()).isCloseTo(0.76, within(1e-12));
        // 98%: k = qwilcox(0.01, 10, 5) = 7 -> [D(7), D(44)] = [-0.17, 0.90]; 90%: k = 12 -> [-0.08, 0.72].
        MannWhitney.Result r98 = MannWhitney.test(HW_X, HW_Y, 0.98);
        assertThat(r98.lower()).isCloseTo(-0.17, within(1e-12));
        assertThat(r98.upper()).isCloseTo(0.90, within(1e-12));
        MannWhitney.Result r90 = MannWhitney.test(HW_X, HW_Y, 0.90);
        assertThat(r90.lower()).isCloseTo(-0.08, within(1e-12));
        assertThat(r90.upper()).isCloseTo(0.72, within(1e-12));
        assertThat(r.confidenceReached()).isTrue();
    }

    @Test
    void tooFewPointsCannotReachTheConfidence() {
        // 3 against 3: P(W = 0) = 1 / C(6, 3) = 0.05 > 0.01, so no interval holds 98% (R: qwilcox(0.01, 3, 3) = 0,
        // the interval becomes [D(1), D(9)] and R warns "Requested conf.level not achievable").
        MannWhitney.Result r = MannWhitney.test(new double[] {20, 21, 22}, new double[] {10, 11, 12}, 0.98);
        assertThat(r.confidenceReached()).isFalse();
        assertThat(r.lower()).isEqualTo(8.0);
        assertThat(r.upper()).isEqualTo(12.0);
        // 5 against 5: C(10, 5) = 252, P(W = 0) = 0.004 < 0.01: reachable
        MannWhitney.Result five = MannWhitney.test(new double[] {20, 21, 22, 23, 24},
                new double[] {10, 11, 12, 13, 14}, 0.98);
        assertThat(five.confidenceReached()).isTrue();
        // with ties (normal approximation) the same holds: two points a side prove nothing
        assertThat(MannWhitney.test(new double[] {2, 2}, new double[] {1, 1}, 0.98).confidenceReached()).isFalse();
    }

    @Test
    void rOutputsWithTiesUseTheCorrectedNormalApproximation() {
        // R output published at https://endmemo.com/r/wilcoxon.php:
        // x <- c(1,5,9,24,56,21,3,7,21,4); y <- c(12,15,5,9,9,14,56,22,3,7,32,5); wilcox.test(x, y)
        //   -> Wilcoxon rank sum test with continuity correction, W = 51.5, p-value = 0.5966
        // y <- c(1233,4356,987,39999,1111,200000); wilcox.test(x, y)  -> W = 0, p-value = 0.001364
        double[] x = {1, 5, 9, 24, 56, 21, 3, 7, 21, 4};
        MannWhitney.Result a = MannWhitney.test(x, new double[] {12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5}, 0.95);
        assertThat(a.exact()).isFalse();
        assertThat(a.w()).isEqualTo(51.5);
        assertThat(a.pTwoSided()).isCloseTo(0.5966, within(5e-5));
        MannWhitney.Result b = MannWhitney.test(x, new double[] {1233, 4356, 987, 39999, 1111, 200000}, 0.95);
        assertThat(b.w()).isZero();
        assertThat(b.pTwoSided()).isCloseTo(0.001364, within(5e-7));
    }

    @Test
    void fiftyPointsOrMoreUseTheNormalApproximation() {
        // 60 points a side, with ties. Reference: scipy 1.17.1 mannwhitneyu(c, b, method="asymptotic") (tie and
        // continuity correction, as R): U = 2299.5, two-sided p = 0.008810972218690784, greater 0.004405486109345392.
        double[] c = IntStream.range(0, 60).mapToDouble(i -> 100 + ((i * 37) % 60) / 10.0 + 1.0).toArray();
        double[] b = IntStream.range(0, 60).mapToDouble(j -> 100 + ((j * 53) % 61) / 10.0).toArray();
        MannWhitney.Result r = MannWhitney.test(c, b, 0.98);
        assertThat(r.exact()).isFalse();
        assertThat(r.w()).isEqualTo(2299.5);
        assertThat(r.pTwoSided()).isCloseTo(0.008810972218690784, within(1e-12));
        assertThat(r.pGreater()).isCloseTo(0.004405486109345392, within(1e-12));
        assertThat(r.estimate()).isBetween(r.lower(), r.upper());
        assertThat(r.lower()).isPositive(); // p < 0.02: the 98% interval excludes 0
    }

    @Test
    void theApproximateIntervalIsTheSetOfShiftsTheTestDoesNotReject() {
        // By construction (R's wdiff/uniroot): a shift d is inside the interval exactly when the two-sided test of
        // (x - d) against y does not reject at 1 - confidence. Check it on both sides of both ends.
        double[] c = IntStream.range(0, 70).mapToDouble(i -> 10 + Math.sin(i * 1.7) * 3 + i % 7 * 0.25).toArray();
        double[] b = IntStream.range(0, 80).mapToDouble(j -> 9 + Math.cos(j * 2.3) * 3 + j % 5 * 0.25).toArray();
        for (double confidence : new double[] {0.9, 0.95, 0.98}) {
            MannWhitney.Result r = MannWhitney.test(c, b, confidence);
            double alpha = 1 - confidence;
            double eps = 1e-7;
            assertThat(pShifted(c, b, r.lower() - eps)).as("below lower").isLessThan(alpha);
            assertThat(pShifted(c, b, r.lower() + eps)).as("above lower").isGreaterThanOrEqualTo(alpha);
            assertThat(pShifted(c, b, r.upper() - eps)).as("below upper").isGreaterThanOrEqualTo(alpha);
            assertThat(pShifted(c, b, r.upper() + eps)).as("above upper").isLessThan(alpha);
            assertThat(r.estimate()).isBetween(r.lower(), r.upper());
        }
    }

    private static double pShifted(double[] x, double[] y, double d) {
        double[] shifted = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            shifted[i] = x[i] - d;
        }
        return MannWhitney.test(shifted, y, 0.95).pTwoSided();
    }

    @Test
    void identicalSamplesShowNoShift() {
        double[] s = {3, 1, 4, 1, 5, 9, 2, 6};
        MannWhitney.Result r = MannWhitney.test(s, s.clone(), 0.98);
        assertThat(r.estimate()).isZero();
        assertThat(r.pTwoSided()).isEqualTo(1.0);
        assertThat(r.lower()).isNegative();
        assertThat(r.upper()).isPositive();
        MannWhitney.Result constant = MannWhitney.test(new double[] {2, 2, 2}, new double[] {2, 2}, 0.98);
        assertThat(constant.pTwoSided()).isEqualTo(1.0);
        assertThat(constant.estimate()).isZero();
    }

    /*
     * Reference values computed with R 4.2.2 Patched (2022-11-10 r83330), Debian bookworm package r-base-core,
     * options(digits = 15); each test names the exact call and quotes R's printed output. Exact results must
     * agree to rounding; for the normal approximation R finds the interval ends with uniroot(tol = 1e-4) on a step
     * function, so its ends lie within 1e-4 of the jump (a pairwise difference) that ours returns exactly.
     */

    @Test
    void rExactTestWithIntervalAt98Percent() {
        // R> wilcox.test(x, y, conf.int = TRUE, conf.level = 0.98, exact = TRUE)   # x, y = HW_X, HW_Y
        //   Wilcoxon rank sum exact test
        //   W = 35, p-value = 0.254412254412
        //   98 percent confidence interval:
        //    -0.17  0.90
        //   sample estimates:
        //   difference in location
        //                    0.305
        //   (r$p.value = 0.254412254412254)
        MannWhitney.Result r = MannWhitney.test(HW_X, HW_Y, 0.98);
        assertThat(r.exact()).isTrue();
        assertThat(r.w()).isEqualTo(35);
        assertThat(r.pTwoSided()).isCloseTo(0.254412254412254, within(1e-14));
        assertThat(r.lower()).isCloseTo(-0.17, within(1e-12));
        assertThat(r.upper()).isCloseTo(0.90, within(1e-12));
        assertThat(r.estimate()).isCloseTo(0.305, within(1e-12));
        assertThat(r.confidenceReached()).isTrue();
    }

    @Test
    void rApproximateTestWithIntervalAt98Percent() {
        // R> wilcox.test(x, y, conf.int = TRUE, conf.level = 0.98, exact = FALSE)   # x, y = HW_X, HW_Y
        //   Wilcoxon rank sum test with continuity correction
        //   W = 35, p-value = 0.244623605127
        //   98 percent confidence interval:
        //    -0.319997213221830  0.989946182062034
        //   sample estimates:
        //   difference in location
        //        0.302508339041572
        //   (r$p.value = 0.244623605126983)
        // The ends are the differences 0.83 - 1.15 = -0.32 and 1.89 - 0.90 = 0.99, found by R within 1e-4.
        // The estimate differs on purpose: R's root search stops anywhere in the flat stretch between the middle
        // differences D(25) = 0.30 and D(26) = 0.31 where the corrected statistic is 0; ours is always the
        // Hodges-Lehmann median 0.305 (the class javadoc says so). Both lie in [0.30, 0.31].
        MannWhitney.Result r = MannWhitney.test(HW_X, HW_Y, 0.98, false, true);
        assertThat(r.exact()).isFalse();
        assertThat(r.w()).isEqualTo(35);
        assertThat(r.pTwoSided()).isCloseTo(0.244623605126983, within(1e-12));
        assertThat(r.lower()).isCloseTo(-0.319997213221830, within(1e-4));
        assertThat(r.upper()).isCloseTo(0.989946182062034, within(1e-4));
        assertThat(r.estimate()).isCloseTo(0.305, within(1e-12))
                .isCloseTo(0.302508339041572, within(0.31 - 0.30));
    }

    @Test
    void rExactAndApproximateTestsOfAClearShift() {
        double[] canary = {212, 198, 240, 225, 231, 219, 247, 205};
        double[] baseline = {201, 189, 196, 210, 185, 199, 193};
        // R> a <- c(212, 198, 240, 225, 231, 219, 247, 205); b <- c(201, 189, 196, 210, 185, 199, 193)
        // R> wilcox.test(a, b, conf.int = TRUE, conf.level = 0.98, exact = TRUE)
        //   Wilcoxon rank sum exact test
        //   W = 52, p-value = 0.0037296037296
        //   98 percent confidence interval:
        //     5 47
        //   sample estimates:
        //   difference in location
        //                       26
        //   (r$p.value = 0.00372960372960373)
        MannWhitney.Result exact = MannWhitney.test(canary, baseline, 0.98);
        assertThat(exact.exact()).isTrue();
        assertThat(exact.w()).isEqualTo(52);
        assertThat(exact.pTwoSided()).isCloseTo(0.00372960372960373, within(1e-15));
        assertThat(exact.lower()).isEqualTo(5.0);
        assertThat(exact.upper()).isEqualTo(47.0);
        assertThat(exact.estimate()).isEqualTo(26.0);
        // R> wilcox.test(a, b, conf.int = TRUE, conf.level = 0.98, exact = FALSE)
        //   Wilcoxon rank sum test with continuity correction
        //   W = 52, p-value = 0.00653616117424
        //   98 percent confidence interval:
        //     4.99997935050414 47.00007142661333
        //   sample estimates:
        //   difference in location
        //         26.0000003738277
        //   (r$p.value = 0.00653616117424268)
        MannWhitney.Result approx = MannWhitney.test(canary, baseline, 0.98, false, true);
        assertThat(approx.exact()).isFalse();
        assertThat(approx.pTwoSided()).isCloseTo(0.00653616117424268, within(1e-12));
        assertThat(approx.lower()).isCloseTo(4.99997935050414, within(1e-4));
        assertThat(approx.upper()).isCloseTo(47.00007142661333, within(1e-4));
        assertThat(approx.estimate()).isCloseTo(26.0000003738277, within(1e-4));
    }

    @Test
    void rFallsBackToTheNormalApproximationWithTies() {
        // R> x <- c(1, 5, 9, 24, 56, 21, 3, 7, 21, 4); y <- c(12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5)
        // R> wilcox.test(x, y, conf.int = TRUE, conf.level = 0.98, exact = TRUE)
        //   Warning messages: cannot compute exact p-value with ties; cannot compute exact confidence intervals
        //   with ties
        //   Wilcoxon rank sum test with continuity correction
        //   W = 51.5, p-value = 0.596596902628
        //   98 percent confidence interval:
        //    -11.0000396318679  13.9999531085506
        //   sample estimates:
        //   difference in location
        //        -1.99999288343473
        //   (r$p.value = 0.596596902627982)
        double[] x = {1, 5, 9, 24, 56, 21, 3, 7, 21, 4};
        double[] y = {12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5};
        MannWhitney.Result r = MannWhitney.test(x, y, 0.98);
        assertThat(r.exact()).isFalse();
        assertThat(r.w()).isEqualTo(51.5);
        assertThat(r.pTwoSided()).isCloseTo(0.596596902627982, within(1e-12));
        assertThat(r.lower()).isCloseTo(-11.0000396318679, within(1e-4));
        assertThat(r.upper()).isCloseTo(13.9999531085506, within(1e-4));
        assertThat(r.estimate()).isCloseTo(-1.99999288343473, within(1e-4));
    }

    @Test
    void rLargeSamplesWithTies() {
        // R> cc <- 100 + ((0:59 * 37) %% 60) / 10 + 1; bb <- 100 + ((0:59 * 53) %% 61) / 10
        // R> wilcox.test(cc, bb, conf.int = TRUE, conf.level = 0.98, exact = FALSE)
        //   Wilcoxon rank sum test with continuity correction
        //   W = 2299.5, p-value = 0.00881097221869
        //   98 percent confidence interval:
        //    0.100032175201146 1.700019987015804
        //   sample estimates:
        //   difference in location
        //        0.900059260388499
        //   (r$p.value = 0.00881097221869079)
        double[] c = IntStream.range(0, 60).mapToDouble(i -> 100 + ((i * 37) % 60) / 10.0 + 1.0).toArray();
        double[] b = IntStream.range(0, 60).mapToDouble(j -> 100 + ((j * 53) % 61) / 10.0).toArray();
        MannWhitney.Result r = MannWhitney.test(c, b, 0.98);
        assertThat(r.exact()).isFalse();
        assertThat(r.w()).isEqualTo(2299.5);
        assertThat(r.pTwoSided()).isCloseTo(0.00881097221869079, within(1e-12));
        assertThat(r.lower()).isCloseTo(0.100032175201146, within(1e-4));
        assertThat(r.upper()).isCloseTo(1.700019987015804, within(1e-4));
        assertThat(r.estimate()).isCloseTo(0.900059260388499, within(1e-4));
    }

    @Test
    void rUnreachableConfidence() {
        // R> wilcox.test(c(20, 21, 22), c(10, 11, 12), conf.int = TRUE, conf.level = 0.98, exact = TRUE)
        //   Warning message: Requested conf.level not achievable
        //   Wilcoxon rank sum exact test
        //   W = 9, p-value = 0.1
        //   90 percent confidence interval:
        //     8 12
        //   sample estimates:
        //   difference in location
        //                       10
        MannWhitney.Result r = MannWhitney.test(new double[] {20, 21, 22}, new double[] {10, 11, 12}, 0.98);
        assertThat(r.w()).isEqualTo(9);
        assertThat(r.pTwoSided()).isCloseTo(0.1, within(1e-15));
        assertThat(r.lower()).isEqualTo(8.0);
        assertThat(r.upper()).isEqualTo(12.0);
        assertThat(r.estimate()).isEqualTo(10.0);
        assertThat(r.confidenceReached()).isFalse();
    }

    @Test
    void badSamplesAreRejected() {
        assertThatThrownBy(() -> MannWhitney.test(new double[0], new double[] {1}, 0.95))
                .hasMessageContaining("sample x is empty");
        assertThatThrownBy(() -> MannWhitney.test(new double[] {1}, new double[] {Double.NaN}, 0.95))
                .hasMessageContaining("sample y has NaN at index 0");
        assertThatThrownBy(() -> MannWhitney.test(new double[] {1}, new double[] {2}, 1.0))
                .hasMessageContaining("confidence must be between 0 and 1");
    }
}
