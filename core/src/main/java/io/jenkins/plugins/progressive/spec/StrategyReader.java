package io.jenkins.plugins.progressive.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The {@code strategy} section: canary, blueGreen or rolling. */
final class StrategyReader {

    static final List<String> KINDS = List.of("canary", "blueGreen", "rolling");
    static final List<String> STEP_KINDS = List.of("setWeight", "pause", "analysis");
    static final Duration DEFAULT_SCALE_DOWN_DELAY = Duration.ofSeconds(30);
    static final String WEIGHT = "an integer 0..100";
    static final String PAUSE = "'manual' or " + Durations.ALLOWED;

    private StrategyReader() {
    }

    /** The strategy, or null after recording why not. {@code templates} are the names analysis defines. */
    static Strategy read(At strategy, Set<String> templates) {
        if (!strategy.required("a mapping with exactly one of " + String.join(", ", KINDS))
                || !strategy.mapping(KINDS)) {
            return null;
        }
        return strategy.readOne(KINDS, (kind, at) -> switch (kind) {
            case "canary" -> canary(at, templates);
            case "blueGreen" -> blueGreen(at, templates);
            default -> rolling(at, templates);
        });
    }

    private static Strategy canary(At at, Set<String> templates) {
        if (!at.required("a mapping with steps") || !at.mapping(List.of("steps"))) {
            return null;
        }
        At stepsAt = at.field("steps");
        if (!stepsAt.required("a list of steps, each one of setWeight, pause, analysis")) {
            return null;
        }
        List<At> items = stepsAt.items("a list of steps, each one of setWeight, pause, analysis");
        if (stepsAt.node.isArray() && items.isEmpty()) {
            stepsAt.problem("is empty; allowed: a list of at least one step (setWeight, pause, analysis)");
            return null;
        }
        List<Strategy.CanaryStep> steps = new ArrayList<>();
        boolean ok = !items.isEmpty();
        for (At step : items) {
            Strategy.CanaryStep s = step(step, templates);
            ok &= s != null;
            steps.add(s);
        }
        return ok ? new Strategy.Canary(steps) : null;
    }

    private static Strategy.CanaryStep step(At step, Set<String> templates) {
        if (!step.present()) {
            step.problem("is empty; allowed: exactly one of setWeight, pause, analysis");
            return null;
        }
        if (!step.mapping(STEP_KINDS)) {
            return null;
        }
        return step.readOne(STEP_KINDS, (kind, at) -> step(kind, at, templates));
    }

    private static Strategy.CanaryStep step(String kind, At at, Set<String> templates) {
        switch (kind) {
            case "setWeight": {
                Integer w = at.required(WEIGHT) ? at.integer(0, 100, WEIGHT) : null;
                return w == null ? null : new Strategy.CanaryStep.SetWeight(w);
            }
            case "pause": {
                if (!at.required(PAUSE)) {
                    return null;
                }
                if (at.node.isTextual() && at.node.textValue().equals("manual")) {
                    return new Strategy.CanaryStep.Pause(Optional.empty());
                }
                String s = at.string(PAUSE);
                if (s == null) {
                    return null;
                }
                try {
                    return new Strategy.CanaryStep.Pause(Optional.of(Durations.parse(s)));
                } catch (IllegalArgumentException e) {
                    at.problem("'" + s + "' is not a duration; allowed: " + PAUSE);
                    return null;
                }
            }
            default: {
                List<String> names = at.required("a list of analysis template names")
                        ? templateNames(at, templates, true) : null;
                return names == null ? null : new Strategy.CanaryStep.Analysis(names);
            }
        }
    }

    private static Strategy blueGreen(At at, Set<String> templates) {
        List<String> fields = List.of("previewService", "prePromotionAnalysis", "postPromotionAnalysis",
                "autoPromotion", "scaleDownDelay");
        if (!at.required("a mapping with " + String.join(", ", fields)) || !at.mapping(fields)) {
            return null;
        }
        int before = at.problems.size();
        Optional<String> preview = at.field("previewService").optionalString(Names.DNS_SUBDOMAIN,
                Names::isDnsSubdomain);
        List<String> pre = templateNames(at.field("prePromotionAnalysis"), templates, false);
        List<String> post = templateNames(at.field("postPromotionAnalysis"), templates, false);
        Boolean auto = at.field("autoPromotion").bool();
        Duration delay = at.field("scaleDownDelay").duration(true, DEFAULT_SCALE_DOWN_DELAY);
        if (at.problems.size() > before) {
            return null;
        }
        return new Strategy.BlueGreen(preview, pre == null ? List.of() : pre, post == null ? List.of() : post,
                auto == null || auto, delay);
    }

    private static Strategy rolling(At at, Set<String> templates) {
        List<String> fields = List.of("batches", "pauseBetweenBatches", "analysis", "maxUnavailable");
        if (!at.required("a mapping with " + String.join(", ", fields)) || !at.mapping(fields)) {
            return null;
        }
        int before = at.problems.size();
        List<Strategy.Batch> batches = batches(at.field("batches"));
        Duration pause = at.field("pauseBetweenBatches").duration(true, Duration.ZERO);
        List<String> analysis = templateNames(at.field("analysis"), templates, false);
        int maxUnavailable = at.field("maxUnavailable").integer(0, 10_000, "an integer 0..10000", 0);
        if (at.problems.size() > before || batches == null) {
            return null;
        }
        return new Strategy.Rolling(batches, pause, analysis == null ? List.of() : analysis, maxUnavailable);
    }

    static final String BATCH = "a percentage like \"25%\" (1..100) or a positive integer (instances)";
    static final String BATCHES = "a list of batches, strictly ascending, ending with \"100%\"; each " + BATCH;

    private static List<Strategy.Batch> batches(At at) {
        if (!at.required(BATCHES)) {
            return null;
        }
        List<At> items = at.items(BATCHES);
        if (items.isEmpty()) {
            if (at.node.isArray()) {
                at.problem("is empty; allowed: " + BATCHES);
            }
            return null;
        }
        List<Strategy.Batch> out = new ArrayList<>();
        boolean ok = true;
        for (At item : items) {
            Strategy.Batch b = batch(item);
            if (b == null) {
                ok = false;
                continue;
            }
            Strategy.Batch prev = out.isEmpty() ? null : out.get(out.size() - 1);
            if (prev != null && prev.percent() == b.percent() && b.value() <= prev.value()) {
                item.problem("'" + b + "' does not grow from the batch before it ('" + prev + "'); allowed: "
                        + BATCHES);
                ok = false;
            } else if (prev != null && prev.percent() && !b.percent()) {
                item.problem("'" + b + "' is an instance count after a percentage ('" + prev + "'); allowed: "
                        + "all batches as percentages, or instance counts followed by \"100%\"");
                ok = false;
            }
            out.add(b);
        }
        Strategy.Batch last = out.isEmpty() ? null : out.get(out.size() - 1);
        if (ok && !(last.percent() && last.value() == 100)) {
            at.item(items.size() - 1).problem("'" + last + "' is the last batch; allowed: the last batch is \"100%\"");
            ok = false;
        }
        return ok ? out : null;
    }

    private static Strategy.Batch batch(At at) {
        if (!at.present()) {
            at.problem("is empty; allowed: " + BATCH);
            return null;
        }
        if (at.node.isTextual()) {
            String s = at.node.textValue().trim();
            if (s.matches("\\d{1,3}%")) {
                int v = Integer.parseInt(s.substring(0, s.length() - 1));
                if (v < 1 || v > 100) {
                    at.problem("'" + s + "' is out of range; allowed: " + BATCH);
                    return null;
                }
                return new Strategy.Batch(v, true);
            }
            at.problem("'" + s + "' is not a batch; allowed: " + BATCH);
            return null;
        }
        Integer n = at.integer(1, 100_000, BATCH);
        return n == null ? null : new Strategy.Batch(n, false);
    }

    /** A list of analysis template names, each of which the spec's {@code analysis} section defines. */
    static List<String> templateNames(At at, Set<String> templates, boolean nonEmpty) {
        String item = templates.isEmpty() ? "a template name defined under analysis (none is defined)"
                : "a template name defined under analysis: " + String.join(", ", templates);
        List<String> names = at.strings(item, Names::nonBlank, nonEmpty);
        if (names == null) {
            return null;
        }
        boolean ok = true;
        for (int i = 0; i < names.size(); i++) {
            if (!templates.contains(names.get(i))) {
                at.item(i).problem("'" + names.get(i) + "' is not a defined analysis template; allowed: "
                        + (templates.isEmpty() ? "names defined under analysis (none is defined)"
                                : String.join(", ", templates))
                        + Problems.didYouMean(names.get(i), templates));
                ok = false;
            }
        }
        return ok ? names : null;
    }
}
