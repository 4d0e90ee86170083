package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failure no command expected: exit 2 only while nothing was changed, exit 4 once a rollout had started. */
class UnexpectedFailureTest {

    private final StringWriter err = new StringWriter();

    @Test
    void afterARolloutStartedItNeedsAPersonAndNeverClaimsNothingChanged() {
        int code = Progressive.unexpected(new IllegalStateException("state directory vanished"), new PrintWriter(err),
                true);

        assertThat(code).isEqualTo(4);
        assertThat(err.toString()).startsWith("unexpected failure during the rollout: state directory vanished;")
                .contains("progressive status").doesNotContain("nothing was changed");
        assertThat(err.toString().lines()).as("one line, no stack trace").hasSize(1);
    }

    @Test
    void beforeAnyRolloutItIsExitTwo() {
        int code = Progressive.unexpected(new NullPointerException(), new PrintWriter(err), false);

        assertThat(code).isEqualTo(2);
        assertThat(err.toString().trim()).isEqualTo("unexpected failure: NullPointerException (nothing was changed)");
    }

    @Test
    void aCommandThatFailsUnexpectedlyPrintsOneMessageWithoutAStackTraceAndExitsTwo(@TempDir Path stateDir)
            throws Exception {
        Path damaged = Files.writeString(Files.createDirectories(stateDir.resolve("rollouts"))
                .resolve("shop.state.json"), "{damaged");

        CliRun run = CliRun.of("status", "--state-dir", stateDir.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("unexpected failure: cannot read rollout state " + damaged).contains("(nothing was changed)")
                .doesNotContain("\tat ", "Exception:");
        assertThat(run.out()).isEmpty();
    }
}
