package io.jenkins.plugins.progressive.cli;

import io.jenkins.plugins.progressive.rollout.NamedMeasurement;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a rollout: phase, step, weights and its last measurements.")
final class StatusCommand implements Callable<Integer> {

    private static final int LAST = 5;

    @Mixin
    RolloutRef ref;

    @Mixin
    StateDirOption state;

    @Mixin
    ClusterOptions cluster;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json")
    OutputFormat output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() throws IOException {
        RolloutState s;
        String key;
        try (RolloutRef.Found found = ref.find(state, cluster)) {
            key = found.key();
            s = ControlCommands.statusOf(found.store(), key);
        } catch (RolloutRef.Unknown e) {
            command.commandLine().getErr().println(e.getMessage());
            return ExitCode.INVALID.code();
        }
        PrintWriter out = command.commandLine().getOut();
        List<NamedMeasurement> all = s.measurements();
        List<NamedMeasurement> last = all.subList(Math.max(0, all.size() - LAST), all.size());
        if (output == OutputFormat.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("rollout", key);
            doc.put("version", s.version());
            doc.put("previousStableVersion", s.previousStableVersion());
            doc.put("phase", s.phase().name());
            doc.put("step", s.step());
            doc.put("routes", s.routes() == null ? null
                    : Map.of("stable", s.routes().stable(), "canary", s.routes().canary()));
            doc.put("pauseReason", s.pauseReason());
            doc.put("failureReason", s.failureReason());
            doc.put("measurements", last.stream().map(StatusCommand::toMap).toList());
            doc.put("result", s.result() == null ? null : s.result().toMap());
            out.println(RunCommand.JSON.writeValueAsString(doc));
        } else {
            out.println("rollout  " + key);
            out.println("version  " + s.version() + (s.previousStableVersion() == null ? " (first release)"
                    : " (stable " + s.previousStableVersion() + ")"));
            out.println("phase    " + s.phase() + (s.pauseReason() == null ? "" : ": " + s.pauseReason()));
            out.println("step     " + s.step());
            out.println("routes   " + (s.routes() == null ? "unknown" : s.routes()));
            if (s.failureReason() != null) {
                out.println("reason   " + s.failureReason());
            }
            if (s.result() != null) {
                out.println("result   " + s.result().message() + " (exit code " + s.result().exitCode() + ")");
            }
            for (NamedMeasurement m : last) {
                out.println("  " + m.measurement().at() + "  " + m.template() + " (" + m.gate() + ") "
                        + m.measurement().verdict() + " value=" + m.measurement().value());
            }
        }
        return ExitCode.SUCCEEDED.code();
    }

    private static Map<String, Object> toMap(NamedMeasurement m) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("template", m.template());
        map.put("gate", m.gate());
        map.put("at", m.measurement().at().toString());
        map.put("verdict", m.measurement().verdict().name());
        map.put("value", m.measurement().value());
        return map;
    }
}
