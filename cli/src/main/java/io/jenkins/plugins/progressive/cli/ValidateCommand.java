package io.jenkins.plugins.progressive.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.SpecProblem;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a spec file (and --set overrides) without touching anything.")
final class ValidateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SPEC", description = "The spec file (.yaml, .yml or .json).")
    Path file;

    @Mixin
    Overrides overrides;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json")
    OutputFormat output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() throws Exception {
        List<SpecProblem> problems;
        try {
            SpecReader.read(file, overrides.asMap());
            problems = List.of();
        } catch (InvalidSpecException e) {
            problems = e.problems();
        }
        PrintWriter out = command.commandLine().getOut();
        if (output == OutputFormat.json) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode doc = json.createObjectNode();
            doc.put("file", file.toString());
            doc.put("valid", problems.isEmpty());
            ArrayNode list = doc.putArray("problems");
            problems.forEach(p -> list.addObject().put("path", p.path()).put("message", p.message()));
            out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else if (problems.isEmpty()) {
            out.println("valid");
        } else {
            PrintWriter err = command.commandLine().getErr();
            err.println(file + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
            problems.forEach(p -> err.println("  " + p));
        }
        return problems.isEmpty() ? ExitCode.SUCCEEDED.code() : ExitCode.INVALID.code();
    }
}
