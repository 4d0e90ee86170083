package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** {@code --help} works on every command and subcommand, found by walking the command tree. */
class HelpTest {

    static Stream<List<String>> everyCommand() {
        List<List<String>> out = new ArrayList<>();
        walk(new CommandLine(new Progressive()), List.of(), out);
        return out.stream();
    }

    private static void walk(CommandLine command, List<String> path, List<List<String>> out) {
        out.add(path);
        command.getSubcommands().forEach((name, sub) -> {
            List<String> deeper = new ArrayList<>(path);
            deeper.add(name);
            walk(sub, deeper, out);
        });
    }

    @Test
    void theTreeHoldsTheNestedSubcommands() {
        assertThat(everyCommand()).contains(List.of("validate"), List.of("demo"), List.of("snapshot", "create"));
    }

    @ParameterizedTest(name = "progressive {0} --help")
    @MethodSource("everyCommand")
    void helpPrintsUsageAndExits0(List<String> path) {
        List<String> args = new ArrayList<>(path);
        args.add("--help");

        CliRun run = CliRun.of(args.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Usage: " + String.join(" ", concat("progressive", path)) + " ")
                .contains("-h, --help").endsWith(System.lineSeparator());
        assertThat(run.err()).doesNotContain("WARN").isEmpty();
    }

    @Test
    void theTopLevelHelpEndsWithTheExitCodesAndANewline() {
        CliRun run = CliRun.of("--help");

        assertThat(run.out()).contains("Exit codes:").endsWith("aborted by request" + System.lineSeparator());
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }
}
