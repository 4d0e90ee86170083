package io.jenkins.plugins.progressive.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lock keys are shown in status and JSON: short enough to read, distinct for distinct targets. */
class TargetKeyTest {

    private static Target.Local local(String... command) {
        return new Target.Local(List.of(command), 1, new Target.Readiness("/health", Duration.ofSeconds(5)),
                Optional.empty());
    }

    @Test
    void aLocalTargetIsNamedByItsProgramAndAShortHashOfTheWholeCommand() {
        Target.Local app = local("/usr/lib/jvm/java-17/bin/java", "@/tmp/a-very-long-argument-file.args", "--port",
                "{port}", "--version", "{version}");

        assertThat(app.key()).matches("local/java-[0-9a-f]{8}");
        assertThat(app.key()).isEqualTo(local("/usr/lib/jvm/java-17/bin/java", "@/tmp/a-very-long-argument-file.args",
                "--port", "{port}", "--version", "{version}").key());
    }

    @Test
    void commandsThatDifferInOneArgumentOrItsSplitHaveDifferentKeys() {
        assertThat(local("python3", "app.py", "--port", "{port}").key())
                .isNotEqualTo(local("python3", "other.py", "--port", "{port}").key())
                .isNotEqualTo(local("python3", "app.py --port", "{port}").key());
    }
}
