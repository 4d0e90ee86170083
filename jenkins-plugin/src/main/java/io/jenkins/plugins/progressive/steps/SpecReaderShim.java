package io.jenkins.plugins.progressive.steps;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.OnFailure;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.SpecProblem;
import io.jenkins.plugins.progressive.spec.Strategy;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TEMPORARY stand-in for {@code io.jenkins.plugins.progressive.spec.SpecReader.fromTree(JsonNode)}, which another
 * branch is writing. It reads just the fields the steps produce, checks only what the plugin's tests need, and is
 * deleted (with its single call in {@link SpecBinding}) as soon as the real reader is on main.
 */
final class SpecReaderShim {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private SpecReaderShim() {
    }

    static RolloutSpec fromTree(JsonNode tree) throws InvalidSpecException {
        List<SpecProblem> problems = new ArrayList<>();
        String name = required(tree, "name", "name", problems);
        // gates, snapshots and restores run no strategy and need no version (see the report on this branch)
        String version = tree.has("strategy") ? required(tree, "version", "version", problems)
                : tree.path("version").asText("");
        Target target = target(tree.path("target"), tree.has("strategy"), problems);
        Traffic traffic = traffic(tree.path("traffic"));
        Strategy strategy = strategy(tree.path("strategy"), problems);
        Map<String, AnalysisTemplate> analysis = new LinkedHashMap<>();
        tree.path("analysis").fields().forEachRemaining(e -> analysis.put(e.getKey(),
                template(e.getKey(), e.getValue(), "analysis." + e.getKey(), problems)));
        if (strategy != null) {
            for (String used : strategy.analysisNames()) {
                if (!analysis.containsKey(used)) {
                    problems.add(new SpecProblem("strategy", "analysis template '" + used + "' is not defined"));
                }
            }
        }
        List<String> background = strings(tree.path("backgroundAnalysis"));
        OnFailure onFailure = OnFailure.ROLLBACK;
        if (tree.hasNonNull("onFailure")) {
            try {
                onFailure = OnFailure.valueOf(tree.get("onFailure").asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(new SpecProblem("onFailure", "'" + tree.get("onFailure").asText()
                        + "' is not one of rollback, pause, fail"));
            }
        }
        JsonNode s = tree.path("snapshot");
        SnapshotSpec snapshot = s.isObject()
                ? new SnapshotSpec(s.path("enabled").asBoolean(true),
                        s.path("store").asText(SnapshotSpec.DEFAULT_STORE), strings(s.path("include").path("namespaces")),
                        strings(s.path("include").path("kinds")),
                        Optional.ofNullable(s.path("include").path("labelSelector").textValue()),
                        strings(s.path("exclude").path("kinds")), Optional.empty(), List.of(), List.of())
                : SnapshotSpec.DISABLED;
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        return new RolloutSpec(name, version, target, traffic, strategy, analysis, background, onFailure, snapshot);
    }

    private static String required(JsonNode node, String field, String path, List<SpecProblem> problems) {
        String value = node.path(field).asText("");
        if (value.isBlank()) {
            problems.add(new SpecProblem(path, "is required"));
        }
        return value;
    }

    private static Target target(JsonNode t, boolean deploys, List<SpecProblem> problems) {
        if (t.has("kubernetes")) {
            JsonNode k = t.get("kubernetes");
            return new Target.Kubernetes(required(k, "namespace", "target.kubernetes.namespace", problems),
                    required(k, "deployment", "target.kubernetes.deployment", problems),
                    k.path("container").asText(k.path("deployment").asText()),
                    deploys ? required(k, "image", "target.kubernetes.image", problems) : k.path("image").asText(""));
        }
        if (t.has("local")) {
            JsonNode l = t.get("local");
            return new Target.Local(strings(l.path("command")), l.path("instances").asInt(1),
                    new Target.Readiness("/", Duration.ofSeconds(30)), Optional.empty());
        }
        if (t.has("endpoints")) {
            return new Target.Endpoints(strings(t.get("endpoints").path("stable")),
                    strings(t.get("endpoints").path("canary")));
        }
        problems.add(new SpecProblem("target", "is required: one of kubernetes, local, endpoints"));
        return null;
    }

    private static Traffic traffic(JsonNode t) {
        if (t.has("haproxy")) {
            return new Traffic.Haproxy(t.get("haproxy").path("runtimeApi").asText(), t.get("haproxy").path("backend").asText());
        }
        if (t.has("nginx")) {
            JsonNode n = t.get("nginx");
            return new Traffic.Nginx(n.path("upstreamFile").asText(), n.path("upstream").asText(),
                    strings(n.path("reloadCommand")));
        }
        if (t.has("nginxIngress")) {
            return new Traffic.NginxIngress(t.get("nginxIngress").path("ingress").asText());
        }
        if (t.has("gatewayApi")) {
            return new Traffic.GatewayApi(t.get("gatewayApi").path("httpRoute").asText());
        }
        if (t.has("istio")) {
            return new Traffic.Istio(t.get("istio").path("virtualService").asText(), t.get("istio").path("route").asText());
        }
        return new Traffic.Replicas();
    }

    private static Strategy strategy(JsonNode s, List<SpecProblem> problems) {
        if (s.has("canary")) {
            List<Strategy.CanaryStep> steps = new ArrayList<>();
            for (JsonNode step : s.get("canary").path("steps")) {
                if (step.has("setWeight")) {
                    steps.add(new Strategy.CanaryStep.SetWeight(step.get("setWeight").asInt()));
                } else if (step.has("pause")) {
                    String p = step.get("pause").asText();
                    steps.add(new Strategy.CanaryStep.Pause(p.equals("manual") ? Optional.empty()
                            : Optional.of(duration(p, "strategy.canary.steps", problems))));
                } else if (step.has("analysis")) {
                    steps.add(new Strategy.CanaryStep.Analysis(strings(step.get("analysis"))));
                }
            }
            if (steps.isEmpty()) {
                problems.add(new SpecProblem("strategy.canary.steps", "needs at least one step"));
            }
            return new Strategy.Canary(steps);
        }
        if (s.has("blueGreen")) {
            JsonNode b = s.get("blueGreen");
            return new Strategy.BlueGreen(Optional.ofNullable(b.path("previewService").textValue()),
                    strings(b.path("prePromotionAnalysis")), strings(b.path("postPromotionAnalysis")),
                    b.path("autoPromotion").asBoolean(true),
                    duration(b.path("scaleDownDelay").asText("30s"), "strategy.blueGreen.scaleDownDelay", problems));
        }
        if (s.has("rolling")) {
            JsonNode r = s.get("rolling");
            List<Strategy.Batch> batches = new ArrayList<>();
            for (JsonNode b : r.path("batches")) {
                String text = b.asText();
                batches.add(new Strategy.Batch(Integer.parseInt(text.replace("%", "")), text.endsWith("%")));
            }
            return new Strategy.Rolling(batches, duration(r.path("pauseBetweenBatches").asText("0s"),
                    "strategy.rolling.pauseBetweenBatches", problems), strings(r.path("analysis")),
                    r.path("maxUnavailable").asInt(0));
        }
        return null;
    }

    private static AnalysisTemplate template(String name, JsonNode t, String path, List<SpecProblem> problems) {
        AnalysisTemplate.MetricQuery query;
        if (t.has("web")) {
            JsonNode w = t.get("web");
            query = new AnalysisTemplate.Web(w.path("url").asText(), "GET", Map.of(), Optional.empty(),
                    w.path("jsonPath").asText("$"), Optional.empty());
        } else {
            JsonNode p = t.path("prometheus");
            if (p.path("address").asText("").isBlank()) {
                problems.add(new SpecProblem(path + ".prometheus.address", "is required"));
            }
            query = new AnalysisTemplate.Prometheus(p.path("address").asText(), text(p, "query"),
                    text(p, "canaryQuery"), text(p, "baselineQuery"), Optional.empty(), Optional.empty(),
                    Optional.empty(), text(p, "credentials"));
        }
        Optional<AnalysisTemplate.Judge> judge = t.has("judge")
                ? Optional.of(new AnalysisTemplate.Judge(AnalysisTemplate.Direction.valueOf(
                        t.path("direction").asText("increase").toUpperCase(Locale.ROOT)),
                        t.path("confidence").asDouble(AnalysisTemplate.Judge.DEFAULT_CONFIDENCE),
                        t.path("tolerance").asDouble(AnalysisTemplate.Judge.DEFAULT_TOLERANCE)))
                : Optional.empty();
        return new AnalysisTemplate(name, query, text(t, "successCondition"), text(t, "failureCondition"),
                duration(t.path("interval").asText("30s"), path + ".interval", problems), t.path("count").asInt(1),
                duration(t.path("initialDelay").asText("0s"), path + ".initialDelay", problems),
                t.path("failureLimit").asInt(0), t.path("inconclusiveLimit").asInt(0),
                t.path("consecutiveErrorLimit").asInt(4), judge);
    }

    private static Optional<String> text(JsonNode node, String field) {
        return Optional.ofNullable(node.path(field).textValue());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Duration duration(String text, String path, List<SpecProblem> problems) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            problems.add(new SpecProblem(path, "'" + text + "' is not a duration"));
            return Duration.ZERO;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
