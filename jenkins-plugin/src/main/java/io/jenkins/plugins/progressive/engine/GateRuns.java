package io.jenkins.plugins.progressive.engine;

import hudson.AbortException;
import io.jenkins.plugins.progressive.analysis.AnalysisRun;
import io.jenkins.plugins.progressive.analysis.Measurement;
import io.jenkins.plugins.progressive.analysis.Measurements;
import io.jenkins.plugins.progressive.analysis.MetricProvider;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.rollout.NamedMeasurement;
import io.jenkins.plugins.progressive.rollout.RolloutEngine;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * {@code promotionGate}: analysis templates run alone, one measurement per template and interval, the same verdict
 * rules as a rollout's gates. Nothing on the target changes. A gate is short and lives in memory: a controller restart
 * ends it with an error, and running the step again starts it afresh.
 */
final class GateRuns {

    private static final AtomicLong SEQUENCE = new AtomicLong();
    /** A gate's key: this prefix, the lock key of the rollout it measures, a colon and a sequence number. */
    private static final String KEY_PREFIX = "gate:";

    private final Function<String, MetricProvider> metrics;
    private final InstantSource clock;
    private final RolloutEngine.Judge judge;
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();

    GateRuns(Function<String, MetricProvider> metrics, InstantSource clock, RolloutEngine.Judge judge) {
        this.metrics = metrics;
        this.clock = clock;
        this.judge = judge;
    }

    private static final class Gate {
        final String lockKey;
        final Map<String, AnalysisTemplate> templates;
        final Map<String, String> vars;
        final Map<String, AnalysisRun> runs = new LinkedHashMap<>();
        final Map<String, CompletableFuture<MetricValue>> inflight = new LinkedHashMap<>();
        final Map<String, Instant> askedAt = new LinkedHashMap<>();
        final List<NamedMeasurement> measured = new ArrayList<>();

        Gate(String lockKey, Map<String, AnalysisTemplate> templates, Map<String, String> vars) {
            this.lockKey = lockKey;
            this.templates = templates;
            this.vars = vars;
        }
    }

    boolean has(String key) {
        return key.startsWith(KEY_PREFIX);
    }

    /** The lock key of the rollout that the gate {@code key} measures. */
    static String lockKey(String key) {
        return key.substring(KEY_PREFIX.length(), key.lastIndexOf(':'));
    }

    String start(RolloutDriver.Work.Gate work, Map<String, String> options) throws AbortException {
        String names = options.getOrDefault("templates", "").trim();
        Map<String, AnalysisTemplate> chosen = new LinkedHashMap<>();
        if (names.isEmpty()) {
            chosen.putAll(work.templates());
        } else {
            for (String name : Arrays.stream(names.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
                AnalysisTemplate t = work.templates().get(name);
                if (t == null) {
                    throw new AbortException("promotionGate: templates: '" + name + "' is not a defined analysis"
                            + " template; allowed: " + String.join(", ", work.templates().keySet()));
                }
                chosen.put(name, t);
            }
        }
        if (chosen.isEmpty()) {
            throw new AbortException("promotionGate: analysis: no template to run; define at least one");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("name", work.name());
        vars.put("canary.version", work.version());
        vars.put("stable.version", "");
        if (work.subject().target() instanceof Target.Kubernetes k) {
            vars.put("namespace", k.namespace());
        }
        Gate gate = new Gate(work.lockKey(), chosen, vars);
        Instant now = clock.instant();
        chosen.keySet().forEach(t -> gate.runs.put(t, AnalysisRun.start(t, now)));
        String key = KEY_PREFIX + work.lockKey() + ":" + SEQUENCE.incrementAndGet();
        gates.put(key, gate);
        return key;
    }

    RolloutDriver.Tick advance(String key) throws AbortException {
        Gate gate = gates.get(key);
        if (gate == null) {
            throw new AbortException("the gate " + key + " was interrupted by a controller restart; run it again");
        }
        synchronized (gate) {
            Instant now = clock.instant();
            Instant wake = null;
            for (Map.Entry<String, AnalysisRun> e : gate.runs.entrySet()) {
                String name = e.getKey();
                AnalysisRun run = e.getValue();
                AnalysisTemplate t = gate.templates.get(name);
                CompletableFuture<MetricValue> pending = gate.inflight.get(name);
                if (pending != null && pending.isDone()) {
                    Measurement m;
                    try {
                        m = judge.judge(t, pending.join(), gate.askedAt.get(name));
                    } catch (RuntimeException ex) {
                        Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
                        m = Measurements.error(gate.askedAt.get(name), String.valueOf(cause.getMessage()));
                    }
                    run = run.record(t, m);
                    gate.runs.put(name, run);
                    gate.measured.add(new NamedMeasurement(name, "promotionGate", m));
                    gate.inflight.remove(name);
                    pending = null;
                }
                if (run.verdict().decided()) {
                    continue;
                }
                Instant due = run.nextMeasurementAt(t);
                if (pending == null && !due.isAfter(now)) {
                    gate.askedAt.put(name, now);
                    gate.inflight.put(name, metrics.apply(gate.lockKey).measure(t, gate.vars).toCompletableFuture());
                    due = now.plus(Duration.ofMillis(200));
                } else if (pending != null) {
                    due = now.plus(Duration.ofMillis(200));
                }
                wake = wake == null || due.isBefore(wake) ? due : wake;
            }
            if (wake == null) {
                gates.remove(key);
                return new RolloutDriver.Tick.Done(outcome(gate));
            }
            Duration after = Duration.between(now, wake);
            return new RolloutDriver.Tick.Wait(after.isNegative() ? Duration.ZERO : after,
                    "gate: " + gate.measured.size() + " measurement(s)");
        }
    }

    /** The worst run verdict decides: FAILED, then ERROR, then INCONCLUSIVE. */
    private static RolloutDriver.Outcome outcome(Gate gate) {
        Verdict worst = Verdict.SUCCESSFUL;
        for (AnalysisRun run : gate.runs.values()) {
            worst = rank(run.verdict()) > rank(worst) ? run.verdict() : worst;
        }
        boolean passed = worst == Verdict.SUCCESSFUL;
        return new RolloutDriver.Outcome(passed ? "SUCCEEDED" : "FAILED", worst.name(), "",
                EngineDriver.measurements(gate.measured), passed,
                passed ? "" : "the gate's verdict is " + worst.name());
    }

    private static int rank(Verdict v) {
        return switch (v) {
            case FAILED -> 3;
            case ERROR -> 2;
            case INCONCLUSIVE -> 1;
            default -> 0;
        };
    }
}
