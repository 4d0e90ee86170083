package io.jenkins.plugins.progressive.steps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import hudson.AbortException;
import io.jenkins.plugins.progressive.configuration.Servers;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecProblem;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * From step parameters to validated work ({@link RolloutDriver.Work}): parameters become a tree with the spec's
 * field names, laid over the spec file when there is one, and the core's spec reader validates the result through
 * the entry for what the step runs. This is the only class of the steps that calls the spec reader (the engine
 * driver reads back the specs it stored).
 */
final class SpecBinding {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final List<String> STRATEGIES = List.of("canary", "blueGreen", "rolling");

    private SpecBinding() {
    }

    /**
     * Binds a step's parameters. Without a spec file the whole spec is validated here, before anything runs.
     *
     * @throws AbortException listing every problem with its parameter or field path
     */
    static Plan plan(TargetedStep step, Servers servers) throws AbortException {
        Binding binding = new Binding(servers);
        step.bind(binding);
        String specPath = step.specPath();
        if (!binding.problems().isEmpty()) {
            throw invalid(step.functionName(), binding.problems());
        }
        Plan plan = new Plan(step.functionName(), step.operation(), specPath, binding.tree().toString(),
                step.strategy(), binding.cluster(), binding.options());
        if (specPath == null) {
            work(plan, null);
        }
        return plan;
    }

    /** The tree a plan stands for: the spec file's (YAML or JSON) with the step's parameters laid over it. */
    static ObjectNode tree(Plan plan, String specText) throws AbortException {
        ObjectNode overrides = parseJson(plan.tree);
        if (specText == null) {
            return overrides;
        }
        JsonNode base;
        try {
            base = YAML.readTree(specText);
        } catch (JsonProcessingException e) {
            throw invalid(plan.functionName, List.of(new SpecProblem("spec", "'" + plan.specPath
                    + "' is not valid YAML or JSON: " + e.getOriginalMessage()
                    + Optional.ofNullable(e.getLocation()).map(l -> " (line " + l.getLineNr() + ")").orElse(""))));
        }
        if (!(base instanceof ObjectNode baseObject)) {
            throw invalid(plan.functionName, List.of(new SpecProblem("spec", "'" + plan.specPath
                    + "' must hold a mapping with name, version, target, strategy…")));
        }
        return merge(baseObject, overrides);
    }

    /** The validated spec of a rollout step, or every problem. {@code specText} is the spec file's, null inline. */
    static RolloutSpec resolve(Plan plan, String specText) throws AbortException {
        if (work(plan, specText) instanceof RolloutDriver.Work.Rollout rollout) {
            return rollout.spec();
        }
        throw new IllegalStateException(plan.functionName + " runs no strategy");
    }

    /**
     * What the plan runs, read through the spec reader's entry for its operation, or every problem. Steps that run
     * no strategy (snapshots, restores, gates) need no version or strategy; what is present is still checked.
     */
    static RolloutDriver.Work work(Plan plan, String specText) throws AbortException {
        ObjectNode tree = tree(plan, specText);
        List<SpecProblem> problems = new ArrayList<>();
        if (plan.strategy != null && !tree.path("strategy").has(plan.strategy)) {
            problems.add(new SpecProblem("strategy." + plan.strategy, plan.functionName + " needs strategy."
                    + plan.strategy + ": give its parameters (" + parametersOf(plan.strategy)
                    + ") or a spec file that has it"));
        }
        if (plan.strategy != null && tree.get("strategy") instanceof ObjectNode strategy) {
            for (String other : STRATEGIES) {
                if (!other.equals(plan.strategy) && strategy.has(other)) {
                    problems.add(new SpecProblem("strategy." + other, plan.functionName + " runs strategy."
                            + plan.strategy + "; this spec uses strategy." + other + " (use " + stepOf(other)
                            + ")"));
                }
            }
        }
        try {
            RolloutDriver.Work work = switch (plan.operation) {
                case ROLLOUT -> new RolloutDriver.Work.Rollout(SpecReader.fromTree(tree));
                case SNAPSHOT, RESTORE -> new RolloutDriver.Work.Snapshot(SpecReader.snapshotSubjectFromTree(tree));
                case GATE -> new RolloutDriver.Work.Gate(SpecReader.snapshotSubjectFromTree(tree),
                        tree.path("version").asText(""), SpecReader.analysisFromTree(tree));
            };
            if (problems.isEmpty()) {
                return work;
            }
        } catch (InvalidSpecException e) {
            problems.addAll(e.problems());
        }
        throw invalid(plan.functionName, problems);
    }

    /** Objects merge field by field; anything else in {@code overrides} replaces what {@code base} has. */
    static ObjectNode merge(ObjectNode base, ObjectNode overrides) {
        ObjectNode merged = base.deepCopy();
        Iterator<Map.Entry<String, JsonNode>> fields = overrides.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode current = merged.get(field.getKey());
            if (current instanceof ObjectNode currentObject && field.getValue() instanceof ObjectNode override) {
                merged.set(field.getKey(), merge(currentObject, override));
            } else {
                merged.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        return merged;
    }

    static AbortException invalid(String functionName, List<SpecProblem> problems) {
        List<SpecProblem> distinct = List.copyOf(new LinkedHashSet<>(problems));
        StringBuilder text = new StringBuilder(functionName).append(": ")
                .append(distinct.size() == 1 ? "1 problem" : distinct.size() + " problems")
                .append(", nothing was changed:");
        for (SpecProblem p : distinct) {
            text.append("\n  - ").append(p);
        }
        return new AbortException(text.toString());
    }

    private static ObjectNode parseJson(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a plan holds the JSON it was made with", e);
        }
    }

    private static String parametersOf(String strategy) {
        return switch (strategy) {
            case "canary" -> "steps";
            case "blueGreen" -> "previewService, prePromotionAnalysis, …";
            default -> "batches, …";
        };
    }

    private static String stepOf(String strategy) {
        return switch (strategy) {
            case "canary" -> "canaryDeploy";
            case "blueGreen" -> "blueGreenSwitch";
            default -> "rollingUpdate";
        };
    }
}
