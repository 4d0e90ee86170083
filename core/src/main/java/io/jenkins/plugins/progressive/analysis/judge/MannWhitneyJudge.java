package io.jenkins.plugins.progressive.analysis.judge;

import io.jenkins.plugins.progressive.analysis.Measurement;
import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate.Direction;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate.Judge;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * Is the canary worse than the baseline? (Kayenta's Mann-Whitney classifier.)
 *
 * <p>The confidence interval of the Hodges–Lehmann shift (canary − baseline) is compared with
 * ±tolerance × scale, where the scale is |mean of the baseline|: the tolerance is then a fraction of the
 * baseline's level (0.25 = a 25% change is tolerated), whatever the metric's unit. With a baseline mean of 0
 * the bound is 0 and any shift the interval proves counts.
 * <ul>
 * <li>increase is bad: FAILED when the whole interval lies above +bound;</li>
 * <li>decrease is bad: FAILED when the whole interval lies below −bound;</li>
 * <li>either: FAILED in both cases;</li>
 * <li>otherwise SUCCESSFUL; identical samples always pass.</li>
 * </ul>
 * When the samples are too small for the confidence at all (e.g. 3 points a side cannot give 98%: there are only
 * 20 orderings), the interval proves nothing and the measurement is INCONCLUSIVE, so a person decides rather
 * than a coin.
 * An empty sample or a NaN is an ERROR. Fewer than {@value #ENOUGH_POINTS} points on a side is still judged,
 * with a warning in the message.
 */
public final class MannWhitneyJudge {

    /** Fewer points than this on either side make a weak comparison; the measurement says so. */
    public static final int ENOUGH_POINTS = 50;

    private MannWhitneyJudge() {
    }

    public static Measurement judge(Judge judge, double[] canary, double[] baseline, Instant at) {
        String problem = problem(canary, "canary");
        if (problem == null) {
            problem = problem(baseline, "baseline");
        }
        if (problem == null && !(judge.confidence() > 0 && judge.confidence() < 1)) {
            problem = "confidence must be between 0 and 1 (exclusive), got " + judge.confidence();
        }
        if (problem == null && !(judge.tolerance() >= 0 && Double.isFinite(judge.tolerance()))) {
            problem = "tolerance must be 0 or more, got " + judge.tolerance();
        }
        if (problem != null) {
            return new Measurement(at, Verdict.ERROR, "", problem);
        }
        String warning = warning(canary.length, baseline.length);
        if (identical(canary, baseline)) {
            return new Measurement(at, Verdict.SUCCESSFUL, "shift 0 (identical samples)",
                    "canary and baseline samples are identical" + warning);
        }
        MannWhitney.Result r = MannWhitney.test(canary, baseline, judge.confidence());
        double scale = Math.abs(mean(baseline));
        double bound = judge.tolerance() * scale;
        boolean above = r.lower() > bound;
        boolean below = r.upper() < -bound;
        Direction direction = judge.direction() == null ? Direction.INCREASE : judge.direction();
        boolean failed = switch (direction) {
            case INCREASE -> above;
            case DECREASE -> below;
            case EITHER -> above || below;
        };
        String level = percent(judge.confidence());
        String value = "shift " + signed(r.estimate()) + " [" + level + " CI " + signed(r.lower()) + ", "
                + signed(r.upper()) + "]";
        String interval = "the " + level + " confidence interval [" + signed(r.lower()) + ", " + signed(r.upper())
                + "] of the shift (canary - baseline)";
        String limits = " (bound = tolerance " + num(judge.tolerance()) + " × |baseline mean| " + num(scale) + ")";
        String stats = "; W = " + num(r.w()) + ", p = " + num(r.pTwoSided())
                + (r.exact() ? " (exact)" : " (normal approximation)");
        String message;
        if (!r.confidenceReached()) {
            return new Measurement(at, Verdict.INCONCLUSIVE, value, "too few points for " + level
                    + " confidence: " + canary.length + " canary and " + baseline.length + " baseline points cannot"
                    + " tell a shift from chance" + stats);
        }
        if (failed) {
            message = "canary is " + (above ? "higher" : "lower") + " than baseline: " + interval
                    + " lies entirely " + (above ? "above +" : "below -") + num(bound) + limits;
        } else {
            String side = switch (direction) {
                case INCREASE -> "above +" + num(bound);
                case DECREASE -> "below -" + num(bound);
                case EITHER -> "above +" + num(bound) + " or below -" + num(bound);
            };
            message = "canary within tolerance: " + interval + " does not lie entirely " + side + limits;
        }
        return new Measurement(at, failed ? Verdict.FAILED : Verdict.SUCCESSFUL, value, message + stats + warning);
    }

    private static String problem(double[] s, String side) {
        if (s == null || s.length == 0) {
            return "no data: the " + side + " sample is empty";
        }
        for (int i = 0; i < s.length; i++) {
            if (Double.isNaN(s[i])) {
                return "NaN in the " + side + " sample (point " + i + ")";
            }
            if (Double.isInfinite(s[i])) {
                return "infinite value in the " + side + " sample (point " + i + ")";
            }
        }
        return null;
    }

    private static String warning(int canary, int baseline) {
        if (canary >= ENOUGH_POINTS && baseline >= ENOUGH_POINTS) {
            return "";
        }
        return "; warning: only " + canary + " canary and " + baseline + " baseline points (fewer than "
                + ENOUGH_POINTS + " on a side makes a weak comparison)";
    }

    /** The same values (as multisets), or both sides one and the same constant. */
    private static boolean identical(double[] canary, double[] baseline) {
        double[] a = canary.clone();
        double[] b = baseline.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        if (Arrays.equals(a, b)) {
            return true;
        }
        return a[0] == a[a.length - 1] && b[0] == b[b.length - 1] && a[0] == b[0];
    }

    private static double mean(double[] s) {
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        return sum / s.length;
    }

    private static String percent(double confidence) {
        return num(confidence * 100) + "%";
    }

    private static String signed(double v) {
        return (v > 0 ? "+" : "") + num(v);
    }

    /** Four significant digits, as people read them. */
    static String num(double v) {
        if (v == 0) {
            return "0";
        }
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros();
        double abs = Math.abs(v);
        return abs >= 1e-4 && abs < 1e9 ? d.toPlainString() : d.toString().toLowerCase(Locale.ROOT);
    }
}
