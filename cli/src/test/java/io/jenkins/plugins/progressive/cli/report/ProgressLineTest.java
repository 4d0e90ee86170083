package io.jenkins.plugins.progressive.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutEvent;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    @Test
    void aLiveCanaryShowsItsStepWeightRecentVerdictsAndPhase() {
        Rollouts live = Rollouts.live();
        RolloutState state = live.state();
        assertThat(state.phase()).isEqualTo(Phase.PROGRESSING);

        // Canary of 6 steps, in its gate (step 2 of 6) at 25%: one measurement of each template passed.
        assertThat(ProgressLine.render(state, live.spec, 120))
                .isEqualTo("[##--------] step 2/6  weight 25%  error-rate ✓  latency-p99 ✓  PROGRESSING");
        // The state carries the spec it was started with, so the line needs nothing else.
        assertThat(ProgressLine.render(state, 120)).isEqualTo(ProgressLine.render(state, live.spec, 120));
    }

    @Test
    void theVerdictsOfARolledBackCanaryReadInOrder() {
        Rollouts r = Rollouts.rolledBack();
        String line = ProgressLine.render(r.state(), r.spec, 120);
        assertThat(line).contains("error-rate ✓?✗").contains("latency-p99 ✓✓").endsWith("ROLLED_BACK")
                .contains("weight 0%");
    }

    @Test
    void aSucceededRolloutHasAFullBar() {
        Rollouts r = Rollouts.succeeding();
        assertThat(ProgressLine.render(r.state(), r.spec, 200)).startsWith("[##########] step 6/6").endsWith("SUCCEEDED")
                .contains("error-rate ✓✓✓✓✓"); // the latest five of seven
        assertThat(ProgressLine.render(r.state(), 200)).startsWith("[##########] ");
    }

    @Test
    void theLineFitsAnyWidthDroppingDetailFirst() {
        Rollouts r = Rollouts.succeeding();
        RolloutState state = r.state();
        String full = ProgressLine.render(state, r.spec, 500);
        for (int width = 0; width <= full.length() + 2; width++) {
            String line = ProgressLine.render(state, r.spec, width);
            assertThat(line.codePointCount(0, line.length())).as("width %d: %s", width, line).isLessThanOrEqualTo(width);
            if (width >= "weight 0%  SUCCEEDED".length()) {
                assertThat(line).as("width %d", width).endsWith("SUCCEEDED").contains("weight 0%");
            }
        }
        assertThat(ProgressLine.render(state, r.spec, 43)).isEqualTo("[##########] step 6/6  weight 0%  SUCCEEDED");
        assertThat(ProgressLine.render(state, r.spec, 42)).isEqualTo("[#####] step 6/6  weight 0%  SUCCEEDED");
        assertThat(ProgressLine.render(state, r.spec, 72))
                .isEqualTo("[##########] step 6/6  weight 0%  error-rate ✓  latency-p99 ✓  SUCCEEDED");
    }

    @Test
    void aPauseSaysWhatAPersonCanDoWhenThereIsRoom() {
        Rollouts r = Rollouts.pausedByHand();
        assertThat(r.phase()).isEqualTo(Phase.PAUSED);
        assertThat(ProgressLine.render(r.state(), r.spec, 100))
                .isEqualTo("[###-------] step 2/3  weight 25%  PAUSED (pause step 1): promote or abort");
        assertThat(ProgressLine.render(r.state(), r.spec, 60))
                .isEqualTo("[###-------] step 2/3  weight 25%  PAUSED: promote or abort");
        assertThat(ProgressLine.render(r.state(), r.spec, 41)).isEqualTo("[###-------] step 2/3  weight 25%  PAUSED");
    }

    @Test
    void plainLinesCarryTimeKindAndMessageForLogs() {
        Instant at = Instant.parse("2026-11-25T17:40:01.123Z");
        assertThat(ProgressLine.plain(new RolloutEvent(at, "shop@x", "weight", "stable 75% / canary 25%")))
                .isEqualTo("2026-11-25T17:40:01Z  weight  canary 25% (stable 75%)");
        assertThat(ProgressLine.plain(new RolloutEvent(at, "shop@x", "weight", "stable 50% / canary 50% (by ready replicas)")))
                .isEqualTo("2026-11-25T17:40:01Z  weight  canary 50% (stable 50%) (by ready replicas)");
        assertThat(ProgressLine.plain(new RolloutEvent(at, "shop@x", "measurement", "error-rate (step-1): FAILED value=0.08")))
                .isEqualTo("2026-11-25T17:40:01Z  measurement  error-rate (step-1): FAILED value=0.08");
    }

    @Test
    void theEngineEventsOfARealRolloutAllBecomeOneLineEach() {
        Rollouts r = Rollouts.rolledBack();
        List<String> lines = r.harness.events.stream().map(ProgressLine::plain).toList();
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l).doesNotContain("\n")
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  [a-z]+  .*"));
        assertThat(lines).anySatisfy(l -> assertThat(l).endsWith("weight  canary 25% (stable 75%)"))
                .anySatisfy(l -> assertThat(l).endsWith("rollback  canary 0% (stable 100%)"));
    }

    @Test
    void terminalEscapesInMessagesNeverReachTheTerminal() {
        String line = ProgressLine.plain(new RolloutEvent(Instant.EPOCH, "k", "error",
                "query failed: \u001b]0;pwned\u0007\u001b[2J\nsecond line"));
        assertThat(line).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\n")
                .endsWith("query failed: ?]0;pwned??[2J second line");
    }
}
