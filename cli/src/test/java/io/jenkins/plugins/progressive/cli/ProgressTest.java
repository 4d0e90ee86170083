package io.jenkins.plugins.progressive.cli;

import static io.jenkins.plugins.progressive.rollout.testing.Specs.canary;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.manualPause;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.weight;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.progressive.rollout.RolloutEvent;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import io.jenkins.plugins.progressive.rollout.testing.Harness;
import io.jenkins.plugins.progressive.rollout.testing.Specs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code run}'s live output: a redrawn progress bar on a terminal, plain lines in a log. */
class ProgressTest {

    private static final String ESC = "\033";

    private final Harness harness = new Harness(4, "1.0", true);
    private final String key = harness.start(Specs.spec(canary(weight(25), manualPause())).build());

    private String printed(boolean terminal) {
        harness.runUntilPaused(key);
        RolloutState state = harness.state(key);
        StringWriter text = new StringWriter();
        Progress progress = new Progress(new PrintWriter(text), terminal, () -> Optional.of(state));
        for (RolloutEvent e : harness.events) {
            progress.accept(e);
        }
        progress.close();
        return text.toString();
    }

    @Test
    void onATerminalTheBarIsRedrawnUnderTheLines() {
        String out = printed(true);

        assertThat(out).contains("canary 25% (stable 75%)");
        // each new line first erases the bar ("\r" + erase line), and close() leaves the line clean
        assertThat(out).contains("\r" + ESC + "[K");
        assertThat(out).endsWith("\r" + ESC + "[K");
    }

    @Test
    void elsewhereOnlyPlainLinesWithoutEscapeCodes() {
        String out = printed(false);

        assertThat(out).contains("canary 25% (stable 75%)");
        assertThat(out).doesNotContain(ESC).doesNotContain("\r");
        assertThat(out.lines()).hasSize(harness.events.size());
    }
}
