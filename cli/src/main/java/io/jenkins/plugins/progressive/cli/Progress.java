package io.jenkins.plugins.progressive.cli;

import io.jenkins.plugins.progressive.rollout.EventSink;
import io.jenkins.plugins.progressive.rollout.RolloutEvent;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.Strategy;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints a rollout's events as they happen. On a terminal a one-line progress bar (step, canary weight,
 * last measurement) is redrawn under the event lines; elsewhere only plain lines, which logs keep well.
 */
final class Progress implements EventSink {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());
    private static final Pattern CANARY = Pattern.compile("canary (\\d+)%");
    private static final Pattern STEP = Pattern.compile("^step (\\d+)");
    private static final int BAR = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private final int steps;
    private final List<Seen> events = Collections.synchronizedList(new ArrayList<>());
    private int step;
    private int weight;
    private String last = "";
    private boolean barShown;

    Progress(PrintWriter out, boolean terminal, RolloutSpec spec) {
        this.out = out;
        this.terminal = terminal;
        this.steps = spec.strategy() instanceof Strategy.Canary c ? c.steps().size() : 0;
    }

    /** An event and when this process received it (after the action it reports had returned). */
    record Seen(RolloutEvent event, Instant seen) {
    }

    /** Every event so far (the JSON document lists them with their times). */
    List<Seen> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    @Override
    public synchronized void accept(RolloutEvent e) {
        events.add(new Seen(e, Instant.now()));
        Matcher w = CANARY.matcher(e.message());
        if (("weight".equals(e.kind()) || "rollback".equals(e.kind())) && w.find()) {
            weight = Integer.parseInt(w.group(1));
        }
        Matcher s = STEP.matcher(e.message());
        if ("step".equals(e.kind()) && s.find()) {
            step = Integer.parseInt(s.group(1));
        }
        if ("measurement".equals(e.kind()) || "verdict".equals(e.kind())) {
            last = e.message();
        }
        if (out == null) {
            return;
        }
        if (barShown) {
            out.print("\r\033[K");
        }
        out.println(TIME.format(e.at()) + "  " + String.format("%-12s", e.kind()) + e.message());
        if (terminal) {
            out.print(bar());
            barShown = true;
        }
        out.flush();
    }

    /** Ends the bar's line so the next output starts on its own. */
    synchronized void close() {
        if (out != null && barShown) {
            out.print("\r\033[K");
            out.flush();
            barShown = false;
        }
    }

    private String bar() {
        int filled = weight * BAR / 100;
        StringBuilder b = new StringBuilder("[");
        b.append("#".repeat(filled)).append("-".repeat(BAR - filled)).append("] canary ").append(weight).append('%');
        if (steps > 0) {
            b.append("  step ").append(Math.min(step, steps)).append('/').append(steps);
        }
        if (!last.isEmpty()) {
            b.append("  ").append(last.length() > 60 ? last.substring(0, 60) + "…" : last);
        }
        return b.toString();
    }
}
