package io.jenkins.plugins.progressive.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --set path=value}, shared by every command that reads a spec. */
final class Overrides {

    @Option(names = "--set", paramLabel = "PATH=VALUE",
            description = "Override a spec field, e.g. --set version=1.5.0 or --set strategy.canary.steps[0].setWeight=10."
                    + " Validated like the file.")
    List<String> pairs = List.of();

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    /**
     * The overrides in order. A pair without '=' is invalid input of the option itself (exit 2 before anything is
     * read): taken as a path with no value it would surface as a misleading "is required" or "unknown field".
     */
    Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new ParameterException(command.commandLine(),
                        "--set " + pair + ": expected PATH=VALUE, e.g. --set version=1.5.0");
            }
            map.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return map;
    }
}
