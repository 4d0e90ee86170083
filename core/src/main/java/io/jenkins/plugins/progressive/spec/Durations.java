package io.jenkins.plugins.progressive.spec;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration syntax of spec files: a number and a unit ({@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h},
 * {@code 1d}), or several in descending order ({@code 1m30s}, {@code 1h30m}). {@code 0} alone is zero.
 */
public final class Durations {

    /** What a user may write, for error messages. */
    public static final String ALLOWED = "a number and a unit (ms, s, m, h, d), e.g. 500ms, 30s, 2m, 1h or 1m30s";

    /** A century: longer is a typo, and stays clear of overflow in millisecond arithmetic. */
    static final Duration MAX = Duration.ofDays(36_500);

    private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
    private static final String[] UNITS = {"d", "h", "m", "s", "ms"};

    private Durations() {
    }

    /**
     * @throws IllegalArgumentException naming the text and what is allowed
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a duration is required; allowed: " + ALLOWED);
        }
        String s = text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(s);
        Duration total = Duration.ZERO;
        int at = 0;
        int lastUnit = -1;
        try {
            while (at < s.length()) {
                if (!m.find(at) || m.start() != at) {
                    throw malformed(text);
                }
                int unit = unitIndex(m.group(2));
                if (unit <= lastUnit) {
                    throw malformed(text); // units once each, largest first: "30s1m" is a typo, not a duration
                }
                lastUnit = unit;
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "s" -> Duration.ofSeconds(n);
                    default -> Duration.ofMillis(n);
                });
                at = m.end();
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration; allowed: at most " + format(MAX));
        }
        if (at == 0) {
            throw malformed(text);
        }
        if (total.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration; allowed: at most " + format(MAX));
        }
        return total;
    }

    /** The shortest text {@link #parse} reads back as {@code d} (millisecond precision, not negative). */
    public static String format(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative duration " + d);
        }
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) {
            long n = ms / sizes[i];
            if (n > 0) {
                out.append(n).append(UNITS[i]);
                ms -= n * sizes[i];
            }
        }
        return out.toString();
    }

    private static int unitIndex(String unit) {
        for (int i = 0; i < UNITS.length; i++) {
            if (UNITS[i].equals(unit)) {
                return i;
            }
        }
        throw new IllegalStateException(unit);
    }

    private static IllegalArgumentException malformed(String text) {
        return new IllegalArgumentException("'" + text + "' is not a duration; allowed: " + ALLOWED);
    }
}
