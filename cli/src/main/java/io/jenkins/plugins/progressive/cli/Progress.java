package io.jenkins.plugins.progressive.cli;

import io.jenkins.plugins.progressive.cli.report.ProgressLine;
import io.jenkins.plugins.progressive.rollout.EventSink;
import io.jenkins.plugins.progressive.rollout.RolloutEvent;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Prints a rollout's events as they happen, as {@link ProgressLine#plain} lines. On a terminal the
 * progress line of the last checkpointed state is redrawn under them; elsewhere only the plain lines,
 * which logs keep well.
 */
final class Progress implements EventSink {

    private final PrintWriter out;
    private final boolean terminal;
    private final Supplier<Optional<RolloutState>> state;
    private final int width;
    private final List<Seen> events = Collections.synchronizedList(new ArrayList<>());
    private boolean barShown;

    /**
     * @param state the rollout's last checkpoint (read for the progress line on a terminal only)
     */
    Progress(PrintWriter out, boolean terminal, Supplier<Optional<RolloutState>> state) {
        this.out = out;
        this.terminal = terminal;
        this.state = state;
        this.width = columns();
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
        if (out == null) {
            return;
        }
        if (barShown) {
            out.print("\r\033[K");
            barShown = false;
        }
        out.println(ProgressLine.plain(e));
        if (terminal) {
            state.get().ifPresent(s -> {
                out.print(ProgressLine.render(s, width));
                barShown = true;
            });
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

    private static int columns() {
        try {
            return Math.max(40, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100")));
        } catch (NumberFormatException e) {
            return 100;
        }
    }
}
