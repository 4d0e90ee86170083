package io.jenkins.plugins.progressive.spec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The canonical tree of a spec, in the shape a user writes: every default spelled out, absent optionals left
 * out, user-named maps sorted. {@code SpecReader.fromTree(SpecWriter.toTree(s))} equals {@code s}.
 */
public final class SpecWriter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SpecWriter() {
    }

    public static ObjectNode toTree(RolloutSpec spec) {
        ObjectNode root = NODES.objectNode();
        root.put("name", spec.name());
        root.put("version", spec.version());
        root.set("target", target(spec.target()));
        root.set("traffic", traffic(spec.traffic()));
        root.set("strategy", strategy(spec.strategy()));
        if (!spec.analysis().isEmpty()) {
            ObjectNode analysis = root.putObject("analysis");
            new TreeMap<>(spec.analysis()).forEach((name, t) -> analysis.set(name, template(t)));
        }
        strings(root, "backgroundAnalysis", spec.backgroundAnalysis());
        root.put("onFailure", spec.onFailure().specName());
        if (!spec.snapshot().equals(SnapshotSpec.DISABLED)) {
            root.set("snapshot", snapshot(spec.snapshot()));
        }
        return root;
    }

    private static ObjectNode target(Target target) {
        ObjectNode out = NODES.objectNode();
        if (target instanceof Target.Kubernetes k) {
            ObjectNode n = out.putObject("kubernetes");
            n.put("namespace", k.namespace());
            n.put("deployment", k.deployment());
            n.put("container", k.container());
            n.put("image", k.image());
        } else if (target instanceof Target.Local l) {
            ObjectNode n = out.putObject("local");
            strings(n, "command", l.command());
            n.put("instances", l.instances());
            ObjectNode r = n.putObject("readiness");
            r.put("http", l.readiness().http());
            r.put("timeout", Durations.format(l.readiness().timeout()));
            l.prometheusFileSd().ifPresent(f -> n.putObject("discovery").put("prometheusFileSd", f));
        } else if (target instanceof Target.Endpoints e) {
            ObjectNode n = out.putObject("endpoints");
            strings(n, "stable", e.stable());
            strings(n, "canary", e.canary());
        }
        return out;
    }

    private static ObjectNode traffic(Traffic traffic) {
        ObjectNode out = NODES.objectNode();
        if (traffic instanceof Traffic.Replicas) {
            out.putObject("replicas");
        } else if (traffic instanceof Traffic.Haproxy h) {
            out.putObject("haproxy").put("runtimeApi", h.runtimeApi()).put("backend", h.backend());
        } else if (traffic instanceof Traffic.Nginx n) {
            ObjectNode o = out.putObject("nginx").put("upstreamFile", n.upstreamFile()).put("upstream", n.upstream());
            strings(o, "reloadCommand", n.reloadCommand());
        } else if (traffic instanceof Traffic.NginxIngress i) {
            out.putObject("nginxIngress").put("ingress", i.ingress());
        } else if (traffic instanceof Traffic.GatewayApi g) {
            out.putObject("gatewayApi").put("httpRoute", g.httpRoute());
        } else if (traffic instanceof Traffic.Istio i) {
            out.putObject("istio").put("virtualService", i.virtualService()).put("route", i.route());
        }
        return out;
    }

    private static ObjectNode strategy(Strategy strategy) {
        ObjectNode out = NODES.objectNode();
        if (strategy instanceof Strategy.Canary c) {
            ArrayNode steps = out.putObject("canary").putArray("steps");
            for (Strategy.CanaryStep step : c.steps()) {
                ObjectNode s = steps.addObject();
                if (step instanceof Strategy.CanaryStep.SetWeight w) {
                    s.put("setWeight", w.weight());
                } else if (step instanceof Strategy.CanaryStep.Pause p) {
                    s.put("pause", p.duration().map(Durations::format).orElse("manual"));
                } else if (step instanceof Strategy.CanaryStep.Analysis a) {
                    strings(s, "analysis", a.templates());
                }
            }
        } else if (strategy instanceof Strategy.BlueGreen b) {
            ObjectNode n = out.putObject("blueGreen");
            b.previewService().ifPresent(p -> n.put("previewService", p));
            strings(n, "prePromotionAnalysis", b.prePromotionAnalysis());
            strings(n, "postPromotionAnalysis", b.postPromotionAnalysis());
            n.put("autoPromotion", b.autoPromotion());
            n.put("scaleDownDelay", Durations.format(b.scaleDownDelay()));
        } else if (strategy instanceof Strategy.Rolling r) {
            ObjectNode n = out.putObject("rolling");
            ArrayNode batches = n.putArray("batches");
            for (Strategy.Batch b : r.batches()) {
                if (b.percent()) {
                    batches.add(b.value() + "%");
                } else {
                    batches.add(b.value());
                }
            }
            n.put("pauseBetweenBatches", Durations.format(r.pauseBetweenBatches()));
            strings(n, "analysis", r.analysis());
            n.put("maxUnavailable", r.maxUnavailable());
        }
        return out;
    }

    private static ObjectNode template(AnalysisTemplate t) {
        ObjectNode out = NODES.objectNode();
        if (t.query() instanceof AnalysisTemplate.Prometheus p) {
            ObjectNode n = out.putObject("prometheus");
            n.put("address", p.address());
            put(n, "query", p.query());
            put(n, "canaryQuery", p.canaryQuery());
            put(n, "baselineQuery", p.baselineQuery());
            put(n, "range", p.range().map(Durations::format));
            put(n, "step", p.step().map(Durations::format));
            put(n, "timeout", p.timeout().map(Durations::format));
            put(n, "credentials", p.credentials());
            put(n, "caCertificate", p.caCertificate());
        } else if (t.query() instanceof AnalysisTemplate.Web w) {
            ObjectNode n = out.putObject("web");
            n.put("url", w.url());
            n.put("method", w.method());
            if (!w.headers().isEmpty()) {
                ObjectNode h = n.putObject("headers");
                new TreeMap<>(w.headers()).forEach(h::put);
            }
            put(n, "body", w.body());
            n.put("jsonPath", w.jsonPath());
            put(n, "timeout", w.timeout().map(Durations::format));
            put(n, "caCertificate", w.caCertificate());
        }
        put(out, "successCondition", t.successCondition());
        put(out, "failureCondition", t.failureCondition());
        out.put("interval", Durations.format(t.interval()));
        out.put("count", t.count());
        out.put("initialDelay", Durations.format(t.initialDelay()));
        out.put("failureLimit", t.failureLimit());
        out.put("inconclusiveLimit", t.inconclusiveLimit());
        out.put("consecutiveErrorLimit", t.consecutiveErrorLimit());
        t.judge().ifPresent(j -> {
            out.put("judge", "mannWhitney");
            out.put("direction", j.direction().name().toLowerCase(Locale.ROOT));
            out.put("confidence", j.confidence());
            out.put("tolerance", j.tolerance());
        });
        return out;
    }

    private static ObjectNode snapshot(SnapshotSpec s) {
        ObjectNode out = NODES.objectNode();
        out.put("enabled", s.enabled());
        out.put("store", s.store());
        if (!s.includeNamespaces().isEmpty() || !s.includeKinds().isEmpty() || s.labelSelector().isPresent()) {
            ObjectNode include = out.putObject("include");
            strings(include, "namespaces", s.includeNamespaces());
            strings(include, "kinds", s.includeKinds());
            put(include, "labelSelector", s.labelSelector());
        }
        if (!s.excludeKinds().isEmpty()) {
            strings(out.putObject("exclude"), "kinds", s.excludeKinds());
        }
        if (s.excludeSecrets()) {
            out.put("excludeSecrets", true);
        }
        s.encryptionKey().ifPresent(k -> {
            ObjectNode key = out.putObject("encryptionKey");
            if (k instanceof SnapshotSpec.KeySource.Env e) {
                key.put("env", e.variable());
            } else if (k instanceof SnapshotSpec.KeySource.File f) {
                key.put("file", f.path());
            }
        });
        if (!s.preHooks().isEmpty() || !s.postHooks().isEmpty() || !s.restoreHooks().isEmpty()) {
            ObjectNode hooks = out.putObject("hooks");
            hooks(hooks, "pre", s.preHooks());
            hooks(hooks, "post", s.postHooks());
            hooks(hooks, "restore", s.restoreHooks());
        }
        return out;
    }

    private static void hooks(ObjectNode parent, String field, List<SnapshotSpec.Hook> hooks) {
        if (hooks.isEmpty()) {
            return;
        }
        ArrayNode list = parent.putArray(field);
        for (SnapshotSpec.Hook hook : hooks) {
            ObjectNode h = list.addObject();
            if (hook instanceof SnapshotSpec.Hook.Local l) {
                strings(h, "local", l.command());
            } else if (hook instanceof SnapshotSpec.Hook.Exec e) {
                ObjectNode exec = h.putObject("exec");
                exec.put("pod", e.pod());
                put(exec, "container", e.container());
                strings(exec, "command", e.command());
            }
        }
    }

    private static void strings(ObjectNode parent, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode a = parent.putArray(field);
            values.forEach(a::add);
        }
    }

    private static void put(ObjectNode parent, String field, Optional<String> value) {
        value.ifPresent(v -> parent.put(field, v));
    }
}
