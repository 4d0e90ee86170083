package io.jenkins.plugins.progressive.analysis;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A short human rendering of a measured value: {@code 0.0042}, {@code "ok"}, {@code [1, 2, … (40 items)]}. */
final class ValueText {

    private static final int MAX_ITEMS = 10;
    private static final int MAX_CHARS = 200;

    private ValueText() {
    }

    static String render(Object v) {
        StringBuilder sb = new StringBuilder();
        append(sb, v, 0);
        if (sb.length() > MAX_CHARS) {
            return sb.substring(0, MAX_CHARS - 1) + "…";
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, Object v, int depth) {
        if (sb.length() > MAX_CHARS) {
            return;
        }
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Number n) {
            sb.append(number(n.doubleValue()));
        } else if (v instanceof String s) {
            sb.append('"').append(s.length() > 60 ? s.substring(0, 59) + "…" : s).append('"');
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof List<?> l) {
            if (depth > 3) {
                sb.append("[…]");
                return;
            }
            sb.append('[');
            int i = 0;
            for (Object e : l) {
                if (i == MAX_ITEMS) {
                    sb.append(", … (").append(l.size()).append(" items)");
                    break;
                }
                if (i++ > 0) {
                    sb.append(", ");
                }
                append(sb, e, depth + 1);
            }
            sb.append(']');
        } else if (v instanceof Map<?, ?> m) {
            if (depth > 3) {
                sb.append("{…}");
                return;
            }
            sb.append('{');
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (i == MAX_ITEMS) {
                    sb.append(", … (").append(m.size()).append(" fields)");
                    break;
                }
                if (i++ > 0) {
                    sb.append(", ");
                }
                sb.append(e.getKey() instanceof String k ? k : "<key>").append(": ");
                append(sb, e.getValue(), depth + 1);
            }
            sb.append('}');
        } else {
            sb.append('<').append(v.getClass().getSimpleName()).append('>');
        }
    }

    /** Up to 6 significant digits; plain notation for everyday magnitudes. */
    static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        BigDecimal b = new BigDecimal(d).round(new MathContext(6)).stripTrailingZeros();
        double abs = Math.abs(d);
        return abs >= 1e-4 && abs < 1e15 ? b.toPlainString() : b.toString().toLowerCase(Locale.ROOT);
    }
}
