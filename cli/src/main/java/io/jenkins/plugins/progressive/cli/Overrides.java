package io.jenkins.plugins.progressive.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --set path=value}, shared by every command that reads a spec. */
final class Overrides {

    @Option(names = "--set", paramLabel = "PATH=VALUE",
            description = "Override a spec field, e.g. --set version=1.5.0 or --set strategy.canary.steps[0].setWeight=10."
                    + " Validated like the file.")
    List<String> pairs = List.of();

    /** The overrides in order; a pair without '=' is reported by the spec reader as a problem at that path. */
    Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            map.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? null : pair.substring(eq + 1));
        }
        return map;
    }
}
