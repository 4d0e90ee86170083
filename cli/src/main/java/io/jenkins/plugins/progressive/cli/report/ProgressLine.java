package io.jenkins.plugins.progressive.cli.report;

import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.rollout.NamedMeasurement;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutEvent;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.Strategy;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the CLI prints while a rollout runs: one redrawn line on a terminal
 * ({@code [#####-----] step 3/7  weight 25%  error-rate ✓✓✗  PROGRESSING}), and one plain line per event
 * when the output is not a terminal (CI logs).
 */
public final class ProgressLine {

    /** How many of a template's latest verdicts the line shows. */
    static final int RECENT = 5;
    private static final int BAR = 10;
    private static final Pattern ROUTES = Pattern.compile("stable (\\d+)% / canary (\\d+)%(.*)", Pattern.DOTALL);

    private ProgressLine() {
    }

    /**
     * The progress line of {@code state} in at most {@code width} columns. Without the spec the number of
     * steps is unknown: the line then shows the step alone and the bar follows the canary weight.
     */
    public static String render(RolloutState state, int width) {
        RolloutSpec stored;
        try {
            stored = state.spec().orElse(null);
        } catch (InvalidSpecException e) {
            stored = null; // a state from an older release: show the line without the step count
        }
        return render(state, stored, width);
    }

    /** The progress line, with the number of steps taken from the spec the rollout runs. */
    public static String render(RolloutState state, RolloutSpec spec, int width) {
        return render(state, spec == null ? -1 : totalSteps(spec.strategy()), width);
    }

    /** How many steps a strategy has before promotion (as the engine counts them). */
    static int totalSteps(Strategy strategy) {
        if (strategy instanceof Strategy.Canary c) {
            return c.steps().size();
        }
        if (strategy instanceof Strategy.Rolling r) {
            return r.batches().size();
        }
        // Blue-green: preview, pre-promotion analysis, awaiting promotion, switch, post-promotion analysis.
        return 5;
    }

    private static String render(RolloutState state, int total, int width) {
        Phase phase = state.phase();
        Integer weight = state.routes() == null ? null : state.routes().canary();
        double done;
        if (phase == Phase.SUCCEEDED) {
            done = 1;
        } else if (total > 0) {
            done = Math.min(1.0, (double) state.step() / total);
        } else {
            done = weight == null ? 0 : weight / 100.0;
        }
        String step = total > 0 ? "step " + Math.min(state.step() + 1, total) + "/" + total
                : "step " + (state.step() + 1);
        String weightText = "weight " + (weight == null ? "?" : weight + "%");
        String status = phase == null ? "?" : phase.name();
        Map<String, List<Verdict>> recent = recentVerdicts(state.measurements());

        // A pause always waits for a person: say what they can do, when there is room.
        List<String> statuses = phase == Phase.PAUSED
                ? List.of(status + " (" + printable(state.pauseReason()) + "): promote or abort", status + ": promote or abort",
                        status)
                : List.of(status);
        // From the most to the least detailed: the first that fits wins.
        List<String> candidates = new ArrayList<>();
        for (String st : statuses) {
            for (int keep = RECENT; keep >= 1; keep--) {
                candidates.add(join(bar(done, BAR), step, weightText, analysis(recent, keep), st));
            }
            candidates.add(join(bar(done, BAR), step, weightText, st));
        }
        candidates.add(join(bar(done, 5), step, weightText, status));
        candidates.add(join(step, weightText, status));
        candidates.add(join(weightText, status));
        for (String c : candidates) {
            if (c.codePointCount(0, c.length()) <= width) {
                return c;
            }
        }
        return cut(status, width);
    }

    /** For a log that is not a terminal: {@code 2026-11-25T17:40:01Z  weight  canary 25% (stable 75%)}. */
    public static String plain(RolloutEvent e) {
        String message = e.message() == null ? "" : e.message();
        if ("weight".equals(e.kind()) || "rollback".equals(e.kind())) {
            Matcher m = ROUTES.matcher(message);
            if (m.matches()) {
                message = "canary " + m.group(2) + "% (stable " + m.group(1) + "%)" + m.group(3);
            }
        }
        String at = e.at() == null ? "-" : e.at().truncatedTo(ChronoUnit.SECONDS).toString();
        return at + "  " + printable(e.kind()) + "  " + printable(message);
    }

    static Map<String, List<Verdict>> recentVerdicts(List<NamedMeasurement> measurements) {
        Map<String, List<Verdict>> byTemplate = new LinkedHashMap<>();
        for (NamedMeasurement m : measurements) {
            byTemplate.computeIfAbsent(m.template(), k -> new ArrayList<>()).add(m.measurement().verdict());
        }
        return byTemplate;
    }

    private static String analysis(Map<String, List<Verdict>> recent, int keep) {
        StringBuilder b = new StringBuilder();
        recent.forEach((template, verdicts) -> {
            if (b.length() > 0) {
                b.append("  ");
            }
            b.append(printable(template)).append(' ');
            for (Verdict v : verdicts.subList(Math.max(0, verdicts.size() - keep), verdicts.size())) {
                b.append(symbol(v));
            }
        });
        return b.toString();
    }

    static char symbol(Verdict v) {
        return switch (v) {
            case SUCCESSFUL -> '✓';
            case FAILED -> '✗';
            case INCONCLUSIVE -> '?';
            case ERROR -> '!';
            case RUNNING -> '·';
        };
    }

    private static String bar(double done, int cells) {
        int full = (int) Math.round(done * cells);
        return "[" + "#".repeat(full) + "-".repeat(cells - full) + "]";
    }

    private static String join(String... parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            if (p.isEmpty()) {
                continue;
            }
            if (b.length() > 0) {
                b.append("  ");
            }
            b.append(p);
        }
        return b.toString().replaceFirst("^(\\[[#-]+\\])  ", "$1 ");
    }

    private static String cut(String s, int width) {
        if (width <= 0) {
            return "";
        }
        return s.codePointCount(0, s.length()) <= width ? s : s.substring(0, s.offsetByCodePoints(0, width));
    }

    /** Control characters (a terminal escape in a metric's error message…) never reach the terminal. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                b.append(c == '\n' || c == '\r' || c == '\t' ? ' ' : '?');
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
