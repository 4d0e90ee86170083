package io.jenkins.plugins.progressive.steps;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * The build page's chart as an SVG element: the canary's share of traffic over time as a step line, and one marker
 * per gate measurement along the bottom, coloured by verdict, its value in a tooltip. Built here rather than in the
 * browser so the page needs no script; every text that comes from a spec or a metric is escaped.
 */
final class RolloutChart {

    static final int WIDTH = 640;
    static final int HEIGHT = 240;
    private static final int LEFT = 40;
    private static final int RIGHT = 10;
    private static final int TOP = 10;
    /** The weight's band: 0% at {@code TOP + PLOT}. */
    private static final int PLOT = 170;
    private static final int MARKS = TOP + PLOT + 30;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private RolloutChart() {
    }

    static String svg(List<RolloutAction.Point> points, List<RolloutAction.Sample> samples) {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (RolloutAction.Point p : points) {
            start = Math.min(start, p.getAt());
            end = Math.max(end, p.getAt());
        }
        for (RolloutAction.Sample s : samples) {
            long at = millis(s.getAt());
            if (at >= 0) {
                start = Math.min(start, at);
                end = Math.max(end, at);
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"progressive-chart\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" role=\"img\" aria-label=\"canary weight and gate measurements over time\">");
        for (int w : new int[] {0, 50, 100}) {
            int y = yOf(w);
            b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(y).append("\" x2=\"")
                    .append(WIDTH - RIGHT).append("\" y2=\"").append(y).append("\" stroke=\"#ddd\"/>")
                    .append("<text x=\"2\" y=\"").append(y + 4).append("\" font-size=\"11\">").append(w)
                    .append("%</text>");
        }
        if (start == Long.MAX_VALUE) {
            b.append("<text x=\"").append(LEFT + 10).append("\" y=\"").append(TOP + PLOT / 2)
                    .append("\" font-size=\"12\">no data yet</text></svg>");
            return b.toString();
        }
        long span = Math.max(1, end - start);
        if (!points.isEmpty()) {
            StringBuilder path = new StringBuilder();
            Integer lastY = null;
            for (RolloutAction.Point p : points) {
                int x = xOf(p.getAt(), start, span);
                int y = yOf(p.getWeight());
                if (lastY == null) {
                    path.append('M').append(x).append(' ').append(y);
                } else {
                    // a step line: the weight holds until the next change
                    path.append(" L").append(x).append(' ').append(lastY).append(" L").append(x).append(' ').append(y);
                }
                lastY = y;
            }
            path.append(" L").append(WIDTH - RIGHT).append(' ').append(lastY);
            b.append("<path class=\"weight\" d=\"").append(path).append("\" fill=\"none\" stroke=\"#1f77b4\""
                    + " stroke-width=\"2\"/>");
            for (RolloutAction.Point p : points) {
                b.append("<circle cx=\"").append(xOf(p.getAt(), start, span)).append("\" cy=\"")
                        .append(yOf(p.getWeight())).append("\" r=\"3\" fill=\"#1f77b4\"><title>")
                        .append(escape(CLOCK.format(Instant.ofEpochMilli(p.getAt())) + " step " + p.getStep() + ": "
                                + p.getWeight() + "% canary, " + p.getPhase()))
                        .append("</title></circle>");
            }
        }
        for (RolloutAction.Sample s : samples) {
            long at = millis(s.getAt());
            int x = at < 0 ? LEFT : xOf(at, start, span);
            b.append("<rect class=\"measurement ").append(escape(s.getVerdict().toLowerCase(Locale.ROOT)))
                    .append("\" x=\"").append(x - 3).append("\" y=\"").append(MARKS - 6)
                    .append("\" width=\"6\" height=\"12\" fill=\"").append(colour(s.getVerdict())).append("\"><title>")
                    .append(escape(s.getTemplate() + (s.getGate().isEmpty() ? "" : " (" + s.getGate() + ")") + ": "
                            + s.getValue() + " " + s.getVerdict() + " at " + s.getAt()))
                    .append("</title></rect>");
        }
        b.append("<text x=\"").append(LEFT).append("\" y=\"").append(HEIGHT - 4).append("\" font-size=\"11\">")
                .append(escape(CLOCK.format(Instant.ofEpochMilli(start)))).append("</text>")
                .append("<text x=\"").append(WIDTH - RIGHT).append("\" y=\"").append(HEIGHT - 4)
                .append("\" font-size=\"11\" text-anchor=\"end\">")
                .append(escape(CLOCK.format(Instant.ofEpochMilli(end)))).append(" UTC</text>");
        return b.append("</svg>").toString();
    }

    private static int xOf(long at, long start, long span) {
        return LEFT + (int) Math.round((double) (at - start) / span * (WIDTH - LEFT - RIGHT));
    }

    private static int yOf(int weight) {
        int w = Math.max(0, Math.min(100, weight));
        return TOP + PLOT - (int) Math.round(w * PLOT / 100.0);
    }

    private static String colour(String verdict) {
        return switch (verdict) {
            case "SUCCESSFUL" -> "#2ca02c";
            case "FAILED" -> "#d62728";
            case "INCONCLUSIVE" -> "#ff7f0e";
            default -> "#7f7f7f";
        };
    }

    private static long millis(String at) {
        try {
            return Instant.parse(at).toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    /** XML text and attribute escaping. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? ' ' : c);
            }
        }
        return out.toString();
    }
}
