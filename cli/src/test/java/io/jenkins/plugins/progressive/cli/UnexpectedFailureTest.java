package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

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
}
