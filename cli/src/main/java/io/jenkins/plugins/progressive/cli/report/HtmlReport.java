package io.jenkins.plugins.progressive.cli.report;

import io.jenkins.plugins.progressive.analysis.Measurement;
import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.rollout.NamedMeasurement;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import io.jenkins.plugins.progressive.rollout.Routes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One rollout as a single self-contained HTML file: header, a chart of the canary weight and of every
 * analysis template's measurements over time, and the tables behind them. Inline CSS and SVG only, so it
 * opens offline and can be archived as a build artifact. The document is also well-formed XHTML, and every
 * string that comes from the state is escaped (names, versions and messages come from users and metrics).
 */
public final class HtmlReport {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FULL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    // Chart geometry (SVG user units); the SVG scales to the page width.
    static final int WIDTH = 960;
    private static final int LEFT = 64;
    private static final int RIGHT = 24;
    private static final int WEIGHT_HEIGHT = 260;
    private static final int METRIC_HEIGHT = 170;
    private static final int TOP = 28;
    private static final int BOTTOM = 34;

    private HtmlReport() {
    }

    /** Write the report of {@code state} to {@code file} (UTF-8), replacing it. */
    public static void write(RolloutState state, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(state), StandardCharsets.UTF_8);
    }

    static String render(RolloutState state) {
        return new HtmlReport.Writer(state).html();
    }

    /** A vertical line on the charts: a failure, an abort, a promotion, the end. */
    record Marker(Instant at, String label, String css) {
    }

    /** The canary weight from {@code at} on. */
    record WeightChange(Instant at, int weight) {
    }

    private static final class Writer {
        private final RolloutState state;
        private final RolloutResult result;
        private final List<RolloutState.History> history;
        private final List<NamedMeasurement> measurements;
        private final Instant start;
        private final Instant end;
        private final StringBuilder out = new StringBuilder(16_384);

        Writer(RolloutState state) {
            this.state = state;
            this.result = state.result();
            this.history = state.history();
            this.measurements = result != null ? result.measurements() : state.measurements();
            Instant first = state.startedAt();
            Instant last = state.endedAt();
            for (RolloutState.History h : history) {
                first = min(first, h.at());
                last = max(last, h.at());
            }
            for (NamedMeasurement m : measurements) {
                first = min(first, m.measurement().at());
                last = max(last, m.measurement().at());
            }
            if (first == null) {
                first = Instant.EPOCH;
            }
            if (last == null || !last.isAfter(first)) {
                last = first.plusSeconds(60);
            }
            this.start = first;
            this.end = last;
        }

        String html() {
            out.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                    .append("<meta charset=\"utf-8\"/>\n")
                    .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                    .append("<title>").append(esc("Rollout " + nz(state.name()) + " " + nz(state.version())))
                    .append("</title>\n<style>").append(CSS).append("</style>\n</head>\n<body>\n");
            header();
            weightChart();
            metricCharts();
            stepsTable();
            measurementsTable();
            out.append("<footer>Progressive Delivery report · rollout <code>").append(esc(state.key()))
                    .append("</code></footer>\n</body>\n</html>\n");
            return out.toString();
        }

        // ---- header ---------------------------------------------------------------------------------

        private void header() {
            Phase phase = state.phase();
            out.append("<header>\n<h1>").append(esc(nz(state.name()))).append(" <span class=\"version\">")
                    .append(esc(nz(state.version()))).append("</span></h1>\n");
            out.append("<p class=\"sub\">");
            if (state.previousStableVersion() == null) {
                out.append("first release (nothing stable before)");
            } else {
                out.append("replacing stable <b>").append(esc(state.previousStableVersion())).append("</b>");
            }
            out.append(" · ").append(esc(nz(state.strategy()))).append(" strategy</p>\n");
            out.append("<p class=\"badges\"><span class=\"badge ").append(phaseCss(phase)).append("\">")
                    .append(esc(phase == null ? "UNKNOWN" : phase.name())).append("</span>");
            Verdict verdict = result != null ? result.verdict() : state.verdict();
            if (verdict != null) {
                out.append(" <span class=\"badge ").append(verdictCss(verdict)).append("\">verdict ")
                        .append(verdict.name()).append("</span>");
            }
            out.append("</p>\n");
            if (result != null && result.message() != null) {
                out.append("<p class=\"message\">").append(esc(result.message())).append("</p>\n");
            } else if (state.failureReason() != null) {
                out.append("<p class=\"message\">").append(esc(state.failureReason())).append("</p>\n");
            } else if (state.pauseReason() != null) {
                out.append("<p class=\"message\">paused: ").append(esc(state.pauseReason())).append("</p>\n");
            }
            out.append("<dl>\n");
            if (result != null) {
                row("exit code", result.exitCode() + " — " + exitMeaning(result.exitCode()));
                row("duration", duration(Duration.ofMillis(result.durationMillis())));
            } else if (state.startedAt() != null) {
                row("running for", duration(Duration.between(state.startedAt(), end)) + " (live)");
            }
            row("started", state.startedAt() == null ? "—" : FULL.format(state.startedAt()));
            if (state.endedAt() != null) {
                row("ended", FULL.format(state.endedAt()));
            }
            String snapshot = result != null ? result.snapshotId() : state.snapshotId();
            row("snapshot", snapshot == null ? "none taken" : snapshot);
            if (result != null) {
                row("routes read back", result.routes() == null ? "could not be read back" : routes(result.routes()));
            } else {
                row("routes last set", state.routes() == null ? "unknown" : routes(state.routes()));
            }
            for (String e : state.rollbackErrors()) {
                row("rollback error", e);
            }
            out.append("</dl>\n</header>\n");
        }

        private void row(String term, String value) {
            out.append("<dt>").append(esc(term)).append("</dt><dd>").append(esc(value)).append("</dd>\n");
        }

        // ---- charts ---------------------------------------------------------------------------------

        private double x(Instant t) {
            double span = Duration.between(start, end).toMillis();
            return LEFT + (WIDTH - LEFT - RIGHT) * (Duration.between(start, t).toMillis() / span);
        }

        private void weightChart() {
            List<WeightChange> changes = weightChanges(state);
            int h = WEIGHT_HEIGHT;
            double y0 = h - BOTTOM;
            double plot = h - TOP - BOTTOM;
            out.append("<section>\n<h2>Canary weight</h2>\n");
            svgOpen(h, "canary weight over time");
            for (int w = 0; w <= 100; w += 25) {
                double y = y0 - plot * w / 100.0;
                out.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" y1=\"").append(f(y))
                        .append("\" x2=\"").append(WIDTH - RIGHT).append("\" y2=\"").append(f(y)).append("\"/>")
                        .append("<text class=\"ylabel\" x=\"").append(LEFT - 6).append("\" y=\"").append(f(y + 4))
                        .append("\">").append(w).append("%</text>\n");
            }
            timeAxis(h);
            // The step line: flat until the next change, then straight up or down.
            StringBuilder pts = new StringBuilder();
            int weight = 0;
            pts.append(f(x(start))).append(',').append(f(y0));
            for (WeightChange c : changes) {
                double cx = x(c.at());
                pts.append(' ').append(f(cx)).append(',').append(f(y0 - plot * weight / 100.0));
                pts.append(' ').append(f(cx)).append(',').append(f(y0 - plot * c.weight() / 100.0));
                weight = c.weight();
            }
            pts.append(' ').append(f(x(end))).append(',').append(f(y0 - plot * weight / 100.0));
            out.append("<polyline class=\"weight\" points=\"").append(pts).append("\"/>\n");
            for (WeightChange c : changes) {
                out.append("<circle class=\"weight-change\" cx=\"").append(f(x(c.at()))).append("\" cy=\"")
                        .append(f(y0 - plot * c.weight() / 100.0)).append("\" r=\"3.5\"><title>")
                        .append(esc(CLOCK.format(c.at()) + "  canary " + c.weight() + "%")).append("</title></circle>\n");
            }
            markers(h);
            out.append("</svg>\n<p class=\"legend\">The share of requests sent to the canary role. At promotion the "
                    + "stable role takes the new version and the traffic returns to it.</p>\n</section>\n");
        }

        private void metricCharts() {
            Map<String, List<NamedMeasurement>> byTemplate = new LinkedHashMap<>();
            for (NamedMeasurement m : measurements) {
                byTemplate.computeIfAbsent(nz(m.template()), k -> new ArrayList<>()).add(m);
            }
            if (byTemplate.isEmpty()) {
                out.append("<section>\n<h2>Analysis</h2>\n<p class=\"none\">No measurements were taken.</p>\n</section>\n");
                return;
            }
            out.append("<section>\n<h2>Analysis</h2>\n<p class=\"legend\">");
            for (Verdict v : List.of(Verdict.SUCCESSFUL, Verdict.FAILED, Verdict.INCONCLUSIVE, Verdict.ERROR)) {
                out.append("<span class=\"dot ").append(verdictCss(v)).append("\"></span>")
                        .append(v.name().toLowerCase(Locale.ROOT)).append(' ');
            }
            out.append("· a square on the bottom line: no number (a query error, no data)</p>\n");
            byTemplate.forEach(this::metricChart);
            out.append("</section>\n");
        }

        private void metricChart(String template, List<NamedMeasurement> ms) {
            int h = METRIC_HEIGHT;
            double y0 = h - BOTTOM;
            double plot = h - TOP - BOTTOM;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (NamedMeasurement m : ms) {
                Double v = number(m.measurement().value());
                if (v != null) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            double[] scale = niceScale(lo, hi);
            out.append("<h3>").append(esc(template)).append("</h3>\n");
            svgOpen(h, "measurements of " + template + " over time");
            for (double t = scale[0]; t <= scale[1] + scale[2] / 2; t += scale[2]) {
                double y = y0 - plot * (t - scale[0]) / (scale[1] - scale[0]);
                out.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" y1=\"").append(f(y))
                        .append("\" x2=\"").append(WIDTH - RIGHT).append("\" y2=\"").append(f(y)).append("\"/>")
                        .append("<text class=\"ylabel\" x=\"").append(LEFT - 6).append("\" y=\"").append(f(y + 4))
                        .append("\">").append(esc(number(t, scale[2]))).append("</text>\n");
            }
            timeAxis(h);
            markers(h);
            for (NamedMeasurement nm : ms) {
                Measurement m = nm.measurement();
                Double v = number(m.value());
                double cx = x(m.at());
                String tip = CLOCK.format(m.at()) + "  " + template + " (" + nz(nm.gate()) + ") = " + nz(m.value())
                        + "  " + m.verdict() + (blank(m.message()) ? "" : ": " + m.message());
                if (v == null) {
                    out.append("<rect class=\"m nan ").append(verdictCss(m.verdict())).append("\" x=\"").append(f(cx - 4))
                            .append("\" y=\"").append(f(y0 - 4)).append("\" width=\"8\" height=\"8\">");
                } else {
                    double cy = y0 - plot * (v - scale[0]) / (scale[1] - scale[0]);
                    out.append("<circle class=\"m ").append(verdictCss(m.verdict())).append("\" cx=\"").append(f(cx))
                            .append("\" cy=\"").append(f(cy)).append("\" r=\"5\">");
                }
                out.append("<title>").append(esc(tip)).append("</title>").append(v == null ? "</rect>\n" : "</circle>\n");
            }
            out.append("</svg>\n");
        }

        private void svgOpen(int h, String label) {
            out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 ").append(WIDTH)
                    .append(' ').append(h).append("\" role=\"img\" aria-label=\"").append(esc(label)).append("\">\n");
            out.append("<rect class=\"plot\" x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
                    .append(WIDTH - LEFT - RIGHT).append("\" height=\"").append(h - TOP - BOTTOM).append("\"/>\n");
        }

        private void timeAxis(int h) {
            double y0 = h - BOTTOM;
            long spanMillis = Duration.between(start, end).toMillis();
            long step = tickStep(spanMillis);
            long first = Math.floorDiv(start.toEpochMilli() + step - 1, step) * step;
            out.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(f(y0)).append("\" x2=\"")
                    .append(WIDTH - RIGHT).append("\" y2=\"").append(f(y0)).append("\"/>\n");
            for (long t = first; t <= end.toEpochMilli(); t += step) {
                double tx = x(Instant.ofEpochMilli(t));
                out.append("<line class=\"tick\" x1=\"").append(f(tx)).append("\" y1=\"").append(f(y0)).append("\" x2=\"")
                        .append(f(tx)).append("\" y2=\"").append(f(y0 + 5)).append("\"/><text class=\"xlabel\" x=\"")
                        .append(f(tx)).append("\" y=\"").append(f(y0 + 18)).append("\">")
                        .append(CLOCK.format(Instant.ofEpochMilli(t))).append("</text>\n");
            }
            out.append("<text class=\"xtitle\" x=\"").append(WIDTH - RIGHT).append("\" y=\"").append(h - 2)
                    .append("\">time (UTC)</text>\n");
        }

        private void markers(int h) {
            List<Marker> ms = markersOf(history);
            for (int i = 0; i < ms.size(); i++) {
                Marker m = ms.get(i);
                double mx = x(m.at());
                // Labels alternate between two rows so that close markers stay readable.
                double ly = TOP - 8 + (i % 2) * 12;
                boolean right = mx > WIDTH - 160;
                out.append("<g class=\"marker ").append(m.css()).append("\"><line x1=\"").append(f(mx)).append("\" y1=\"")
                        .append(TOP - 4).append("\" x2=\"").append(f(mx)).append("\" y2=\"").append(h - BOTTOM)
                        .append("\"/><text x=\"").append(f(right ? mx - 4 : mx + 4)).append("\" y=\"").append(f(ly))
                        .append("\" text-anchor=\"").append(right ? "end" : "start").append("\">")
                        .append(esc(m.label())).append("</text><title>").append(esc(CLOCK.format(m.at()) + "  "
                                + m.label())).append("</title></g>\n");
            }
        }

        // ---- tables ---------------------------------------------------------------------------------

        private void stepsTable() {
            out.append("<section>\n<h2>Steps</h2>\n<table>\n<thead><tr><th>time (UTC)</th><th>elapsed</th>"
                    + "<th>step</th><th>weight</th><th>what happened</th></tr></thead>\n<tbody>\n");
            for (RolloutState.History h : history) {
                out.append("<tr class=\"").append(historyCss(h.what())).append("\"><td class=\"nowrap\">").append(CLOCK.format(h.at()))
                        .append("</td><td class=\"nowrap\">").append(esc(elapsed(h.at()))).append("</td><td class=\"num\">")
                        .append(h.step() + 1).append("</td><td class=\"num\">").append(h.weight())
                        .append("%</td><td>").append(esc(nz(h.what()))).append("</td></tr>\n");
            }
            if (history.isEmpty()) {
                out.append("<tr><td colspan=\"5\" class=\"none\">nothing happened yet</td></tr>\n");
            }
            out.append("</tbody>\n</table>\n</section>\n");
        }

        private void measurementsTable() {
            out.append("<section>\n<h2>Measurements</h2>\n<table>\n<thead><tr><th>time (UTC)</th><th>elapsed</th>"
                    + "<th>template</th><th>gate</th><th>value</th><th>verdict</th><th>message</th></tr></thead>\n"
                    + "<tbody>\n");
            for (NamedMeasurement nm : measurements) {
                Measurement m = nm.measurement();
                out.append("<tr><td class=\"nowrap\">").append(CLOCK.format(m.at())).append("</td><td class=\"nowrap\">")
                        .append(esc(elapsed(m.at()))).append("</td><td class=\"nowrap\">").append(esc(nz(nm.template())))
                        .append("</td><td class=\"nowrap\">").append(esc(nz(nm.gate())))
                        .append("</td><td class=\"num\">").append(esc(nz(m.value()))).append("</td><td><span class=\"badge ")
                        .append(verdictCss(m.verdict())).append("\">").append(m.verdict().name())
                        .append("</span></td><td>").append(esc(nz(m.message()))).append("</td></tr>\n");
            }
            if (measurements.isEmpty()) {
                out.append("<tr><td colspan=\"7\" class=\"none\">no measurements</td></tr>\n");
            }
            out.append("</tbody>\n</table>\n</section>\n");
        }

        private String elapsed(Instant t) {
            return state.startedAt() == null ? "" : "+" + duration(Duration.between(state.startedAt(), t));
        }
    }

    // ---- what the charts show, from the state (package-private for the tests) ------------------------

    /** Every change of the canary weight in the history, in order (the rollout starts at 0%). */
    static List<WeightChange> weightChanges(RolloutState state) {
        List<WeightChange> changes = new ArrayList<>();
        int weight = 0;
        for (RolloutState.History h : state.history()) {
            if (h.weight() != weight) {
                changes.add(new WeightChange(h.at(), h.weight()));
                weight = h.weight();
            }
        }
        return changes;
    }

    static List<Marker> markersOf(List<RolloutState.History> history) {
        List<Marker> ms = new ArrayList<>();
        for (RolloutState.History h : history) {
            String what = nz(h.what());
            if (what.startsWith("failed: ")) {
                ms.add(new Marker(h.at(), "failed", "failed"));
            } else if (what.startsWith("aborted")) {
                ms.add(new Marker(h.at(), "aborted → rollback", "aborted"));
            } else if (what.startsWith("promote")) {
                ms.add(new Marker(h.at(), what, "promote"));
            } else if (what.startsWith(Phase.ROLLED_BACK.name() + ":")) {
                ms.add(new Marker(h.at(), "rolled back", "failed"));
            } else if (what.startsWith(Phase.FAILED_NEEDS_PERSON.name() + ":")) {
                ms.add(new Marker(h.at(), "needs a person", "failed"));
            } else if (what.startsWith(Phase.ABORTED.name() + ":")) {
                ms.add(new Marker(h.at(), "aborted", "aborted"));
            } else if (what.startsWith(Phase.SUCCEEDED.name() + ":")) {
                ms.add(new Marker(h.at(), "succeeded", "succeeded"));
            }
        }
        return ms;
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /** Escape for text and attribute values; characters XML cannot carry become U+FFFD. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));
                    } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || Character.isSurrogate(c)
                            || c == 0xFFFE || c == 0xFFFF) {
                        b.append('\uFFFD');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    static String exitMeaning(int code) {
        return switch (code) {
            case 0 -> "succeeded";
            case 2 -> "invalid input, nothing was changed";
            case 3 -> "failed and rolled back";
            case 4 -> "failed and could not be fully rolled back: needs a person";
            case 5 -> "aborted by request";
            default -> "unknown";
        };
    }

    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 1) {
            return Math.max(0, d.toMillis()) + "ms";
        }
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append("h ");
        }
        if (s >= 60) {
            b.append(s / 60 % 60).append("m ");
        }
        b.append(s % 60).append('s');
        return b.toString();
    }

    private static String routes(Routes r) {
        return "stable " + r.stable() + "% / canary " + r.canary() + "%";
    }

    private static String phaseCss(Phase p) {
        if (p == null) {
            return "live";
        }
        return switch (p) {
            case SUCCEEDED -> "ok";
            case ROLLED_BACK, FAILED_NEEDS_PERSON -> "bad";
            case ABORTED, PAUSED -> "warn";
            default -> "live";
        };
    }

    static String verdictCss(Verdict v) {
        return switch (v) {
            case SUCCESSFUL -> "ok";
            case FAILED -> "bad";
            case INCONCLUSIVE -> "warn";
            case ERROR -> "err";
            case RUNNING -> "live";
        };
    }

    private static String historyCss(String what) {
        String w = nz(what);
        if (w.startsWith("failed") || w.startsWith(Phase.ROLLED_BACK.name()) || w.startsWith(Phase.FAILED_NEEDS_PERSON.name())) {
            return "bad";
        }
        if (w.startsWith(Phase.SUCCEEDED.name())) {
            return "ok";
        }
        return w.startsWith("aborted") || w.startsWith(Phase.ABORTED.name()) ? "warn" : "";
    }

    /** The value as a number, null when it is not one (a vector, a string, no data). */
    static Double number(String value) {
        if (value == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(value.trim());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {lo, hi, step} of a y axis with round ticks that covers [min, max]. */
    static double[] niceScale(double min, double max) {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            return new double[] {0, 1, 0.25};
        }
        if (max - min < 1e-12) {
            // A flat series: a band around it, kept non-negative when the values are.
            double pad = Math.abs(min) < 1e-12 ? 1 : Math.abs(min) * 0.5;
            boolean nonNegative = min >= 0;
            min = nonNegative ? Math.max(0, min - pad) : min - pad;
            max += pad;
        }
        // A little air, so that the extreme points do not sit on the axis (where values that are not numbers go).
        double air = (max - min) * 0.05;
        min = min >= 0 ? Math.max(0, min - air) : min - air;
        max += air;
        double raw = (max - min) / 4;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= raw) {
                step = m * mag;
                break;
            }
        }
        double lo = Math.floor(min / step) * step;
        double hi = Math.ceil(max / step) * step;
        if (hi - lo < 1e-12) {
            hi = lo + step;
        }
        return new double[] {lo, hi, step};
    }

    private static String number(double v, double step) {
        int decimals = Math.max(0, java.math.BigDecimal.valueOf(step).stripTrailingZeros().scale());
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 9) + "f", Math.abs(v) < step / 1e6 ? 0.0 : v);
    }

    /** A round tick interval for a time span, about six ticks. */
    static long tickStep(long spanMillis) {
        long[] steps = {1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
                1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000};
        for (long s : steps) {
            if (spanMillis / s <= 7) {
                return s;
            }
        }
        return Math.max(86_400_000L, spanMillis / 7);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static Instant min(Instant a, Instant b) {
        return a == null || (b != null && b.isBefore(a)) ? b : a;
    }

    private static Instant max(Instant a, Instant b) {
        return a == null || (b != null && b.isAfter(a)) ? b : a;
    }

    private static final String CSS = """
            :root{--ok:#2e7d32;--bad:#c62828;--warn:#ef8f00;--err:#6a1b9a;--live:#1565c0;--ink:#1f2328;--mute:#667085}
            *{box-sizing:border-box}
            body{margin:0 auto;max-width:1000px;padding:24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:#fff}
            h1{margin:0;font-size:26px}h1 .version{font-weight:400;color:var(--mute)}
            h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #e4e7ec;padding-bottom:4px}
            h3{font-size:14px;margin:14px 0 2px;font-family:ui-monospace,Menlo,Consolas,monospace}
            .sub{margin:2px 0 10px;color:var(--mute)}
            .badges{margin:6px 0}
            .badge{display:inline-block;white-space:nowrap;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;font-size:12px;letter-spacing:.02em}
            .badge.ok{background:var(--ok)}.badge.bad{background:var(--bad)}.badge.warn{background:var(--warn)}.badge.err{background:var(--err)}.badge.live{background:var(--live)}
            .message{margin:6px 0 10px;padding:8px 10px;background:#f6f8fa;border-left:4px solid #d0d7de;white-space:pre-wrap;word-break:break-word}
            dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}
            dt{color:var(--mute)}dd{margin:0;word-break:break-word}
            svg.chart{width:100%;height:auto;display:block;font:11px system-ui,sans-serif}
            .plot{fill:#fbfcfd;stroke:#e4e7ec}
            .grid{stroke:#eaecf0}.axis{stroke:#98a2b3}.tick{stroke:#98a2b3}
            .xlabel{text-anchor:middle;fill:var(--mute)}.ylabel{text-anchor:end;fill:var(--mute)}.xtitle{text-anchor:end;fill:var(--mute)}
            polyline.weight{fill:none;stroke:var(--live);stroke-width:2.5;stroke-linejoin:round}
            circle.weight-change{fill:#fff;stroke:var(--live);stroke-width:2}
            .m{stroke:#fff;stroke-width:1}.m.ok{fill:var(--ok)}.m.bad{fill:var(--bad)}.m.warn{fill:var(--warn)}.m.err{fill:var(--err)}.m.live{fill:var(--live)}
            .marker line{stroke-width:1.5;stroke-dasharray:4 3}.marker text{font-weight:600}
            .marker.failed line{stroke:var(--bad)}.marker.failed text{fill:var(--bad)}
            .marker.aborted line{stroke:var(--warn)}.marker.aborted text{fill:var(--warn)}
            .marker.promote line{stroke:var(--live)}.marker.promote text{fill:var(--live)}
            .marker.succeeded line{stroke:var(--ok)}.marker.succeeded text{fill:var(--ok)}
            .legend{color:var(--mute);margin:0}
            .dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin:0 4px 0 8px;vertical-align:-1px}
            .dot.ok{background:var(--ok)}.dot.bad{background:var(--bad)}.dot.warn{background:var(--warn)}.dot.err{background:var(--err)}
            table{border-collapse:collapse;width:100%;font-size:13px}
            th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaecf0;vertical-align:top}
            th{background:#f6f8fa;font-weight:600}
            td{word-break:break-word}td.num{text-align:right;white-space:nowrap}td.nowrap,th{white-space:nowrap}
            tr.bad td{background:#fdecea}tr.ok td{background:#edf7ee}tr.warn td{background:#fff4e0}
            .none{color:var(--mute);font-style:italic}
            footer{margin-top:28px;color:var(--mute);font-size:12px}
            """;
}
