package io.jenkins.plugins.progressive.cli;

import io.jenkins.plugins.progressive.analysis.AnalysisRun;
import io.jenkins.plugins.progressive.analysis.Measurement;
import io.jenkins.plugins.progressive.analysis.Measurements;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.metrics.Credentials;
import io.jenkins.plugins.progressive.metrics.MetricProviders;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "gate", mixinStandardHelpOptions = true,
        description = "Run analysis templates alone (no rollout) and print the measurements and"
        + " the verdict: exit 0 when every template passes, 3 when one fails, 2 for invalid input.")
final class GateCommand implements Callable<Integer> {

    private static final Duration MEASUREMENT_TIMEOUT = Duration.ofSeconds(30);

    @Parameters(paramLabel = "SPEC", description = "The spec file holding the templates.")
    Path file;

    @Option(names = "--template", required = true, arity = "1..*", paramLabel = "NAME",
            description = "Templates of the spec's analysis section to run.")
    List<String> templates;

    @Option(names = "--stable-version", description = "Value of {{stable.version}} in queries.")
    String stableVersion = "";

    @Mixin
    Overrides overrides;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json")
    OutputFormat output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        RolloutSpec spec;
        try {
            spec = SpecReader.read(file, overrides.asMap());
        } catch (InvalidSpecException e) {
            return RunCommand.invalid(err, file + ": ", e);
        }
        List<AnalysisTemplate> chosen = new ArrayList<>();
        for (String name : templates) {
            AnalysisTemplate t = spec.analysis().get(name);
            if (t == null) {
                err.println("--template " + name + ": no such template in " + file + " (analysis: "
                        + String.join(", ", spec.analysis().keySet()) + ")");
                return ExitCode.INVALID.code();
            }
            chosen.add(t);
        }
        MetricProviders metrics = new MetricProviders(Credentials.fromEnvironment(System.getenv()));
        for (AnalysisTemplate t : chosen) {
            if (t.query() instanceof AnalysisTemplate.Prometheus) {
                try {
                    metrics.check(t);
                } catch (RuntimeException e) {
                    err.println(Platforms.unusable(t, e).getMessage());
                    return ExitCode.INVALID.code();
                }
            }
        }
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("canary.version", spec.version());
        vars.put("stable.version", stableVersion);
        vars.put("name", spec.name());
        boolean json = output == OutputFormat.json;
        PrintWriter log = json ? err : out;
        Instant start = Instant.now();
        List<AnalysisRun> runs = new ArrayList<>();
        chosen.forEach(t -> runs.add(AnalysisRun.start(t.name(), start)));
        // Measure whichever run is due first until every run has a verdict.
        while (runs.stream().anyMatch(r -> !r.verdict().decided())) {
            int next = -1;
            Instant due = null;
            for (int i = 0; i < runs.size(); i++) {
                if (runs.get(i).verdict().decided()) {
                    continue;
                }
                Instant at = runs.get(i).nextMeasurementAt(chosen.get(i));
                if (due == null || at.isBefore(due)) {
                    due = at;
                    next = i;
                }
            }
            long wait = Duration.between(Instant.now(), due).toMillis();
            if (wait > 0) {
                Thread.sleep(wait); // the CLI waits for the next measurement; nothing else to do meanwhile
            }
            AnalysisTemplate t = chosen.get(next);
            Measurement m = measure(metrics, t, vars);
            runs.set(next, runs.get(next).record(t, m));
            log.println(m.at() + "  " + t.name() + ": " + m.verdict() + " value=" + m.value()
                    + (m.message() == null || m.message().isEmpty() ? "" : " (" + m.message() + ")"));
            log.flush();
        }
        boolean passed = runs.stream().allMatch(r -> r.verdict() == Verdict.SUCCESSFUL);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("verdict", passed ? Verdict.SUCCESSFUL.name() : worst(runs).name());
            List<Map<String, Object>> list = new ArrayList<>();
            for (AnalysisRun r : runs) {
                for (Measurement m : r.measurements()) {
                    Map<String, Object> mm = new LinkedHashMap<>();
                    mm.put("template", r.template());
                    mm.put("at", m.at().toString());
                    mm.put("verdict", m.verdict().name());
                    mm.put("value", m.value());
                    mm.put("message", m.message());
                    list.add(mm);
                }
            }
            doc.put("measurements", list);
            doc.put("exitCode", passed ? 0 : 3);
            out.println(RunCommand.JSON.writeValueAsString(doc));
        } else {
            for (AnalysisRun r : runs) {
                out.println(r.template() + ": " + r.verdict());
            }
            out.println(passed ? "gate passed" : "gate failed");
        }
        out.flush();
        return passed ? ExitCode.SUCCEEDED.code() : ExitCode.ROLLED_BACK.code();
    }

    private static Verdict worst(List<AnalysisRun> runs) {
        for (Verdict v : List.of(Verdict.FAILED, Verdict.ERROR, Verdict.INCONCLUSIVE)) {
            if (runs.stream().anyMatch(r -> r.verdict() == v)) {
                return v;
            }
        }
        return Verdict.SUCCESSFUL;
    }

    private static Measurement measure(MetricProviders metrics, AnalysisTemplate t, Map<String, String> vars)
            throws InterruptedException {
        Instant at = Instant.now();
        try {
            MetricValue v = metrics.measure(t, vars).toCompletableFuture()
                    .get(MEASUREMENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return Measurements.judge(t, v, at);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            return Measurements.error(at, c.getMessage());
        } catch (TimeoutException e) {
            return Measurements.error(at, "no answer within " + MEASUREMENT_TIMEOUT.toSeconds() + "s");
        }
    }
}
