package io.jenkins.plugins.progressive.cli.report;

import static io.jenkins.plugins.progressive.rollout.testing.Specs.analysis;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.canary;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.pause;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.weight;

import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import io.jenkins.plugins.progressive.rollout.testing.Harness;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryPlatform;
import io.jenkins.plugins.progressive.rollout.testing.Specs;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Rollout states made by running the real engine on core's in-memory platform. */
final class Rollouts {

    final Harness harness;
    final RolloutSpec spec;
    final String key;

    private Rollouts(RolloutSpec spec) {
        this(new Harness(4, "1.4.1", true), spec);
    }

    private Rollouts(Harness harness, RolloutSpec spec) {
        this.harness = harness;
        this.spec = spec;
        this.key = harness.start(spec);
    }

    /** error-rate: success below 0.01, failure from 0.05, three successes decide, two inconclusive allowed. */
    static AnalysisTemplate errorRate() {
        return new AnalysisTemplate("error-rate", new AnalysisTemplate.Web("http://127.0.0.1:1/errors", "GET",
                Map.of(), Optional.empty(), "$", Optional.empty()), Optional.of("result < 0.01"),
                Optional.of("result >= 0.05"), Duration.ofSeconds(30), 3, Duration.ZERO, 0, 2, 4, Optional.empty());
    }

    static AnalysisTemplate latency() {
        return Specs.template("latency-p99", "result < 250", null, 2, Duration.ofSeconds(20));
    }

    private static Specs.Builder canarySpec(String version) {
        return Specs.spec(canary(weight(25), analysis("error-rate", "latency-p99"), weight(50), pause(Duration.ofMinutes(1)),
                analysis("error-rate"), weight(75)))
                .version(version)
                .template(errorRate())
                .template(latency());
    }

    /** 25% → gate → 50% → 1m → gate → 75% → promoted: every measurement passes, one error on the way. */
    static Rollouts succeeding() {
        Rollouts r = new Rollouts(canarySpec("1.4.2").build());
        int[] latency = {0};
        int[] errors = {0};
        r.harness.platform.metrics((template, at, version) -> {
            if (template.equals("latency-p99")) {
                return MetricValue.of(180.0 + 7 * (latency[0]++ % 5));
            }
            if (++errors[0] == 2) {
                throw new MetricException("prometheus: connection refused");
            }
            return MetricValue.of(0.002 + 0.001 * (errors[0] % 4));
        });
        r.harness.runToEnd(r.key);
        return r;
    }

    /** 25% → gate: the error rate climbs through inconclusive to failed, and the canary is rolled back. */
    static Rollouts rolledBack() {
        Rollouts r = new Rollouts(canarySpec("1.4.2").build());
        int[] n = {0};
        double[] errorRates = {0.004, 0.02, 0.08};
        r.harness.platform.metrics((template, at, version) -> template.equals("latency-p99")
                ? MetricValue.of(210.0)
                : MetricValue.of(errorRates[Math.min(n[0]++, errorRates.length - 1)]));
        r.harness.runToEnd(r.key);
        return r;
    }

    /** 25%, then a manual pause: waiting for a person. */
    static Rollouts pausedByHand() {
        Rollouts r = new Rollouts(Specs.spec(canary(weight(25), Specs.manualPause(), weight(50))).build());
        r.harness.runUntilPaused(r.key);
        return r;
    }

    /** Paused by hand after 25%, then aborted by a person. */
    static Rollouts aborted() {
        Rollouts r = pausedByHand();
        r.harness.engine.abort(r.key, "latency looks wrong on the dashboard");
        r.harness.runToEnd(r.key);
        return r;
    }

    /** The rollout fails, and the router refuses every attempt to move the traffic back. */
    static Rollouts needsPerson() {
        Rollouts r = new Rollouts(canarySpec("1.4.2").build());
        InMemoryPlatform p = r.harness.platform;
        // The router breaks at the moment the failing measurement is taken.
        p.metrics((template, at, version) -> {
            p.throwOn("setRoutes", 1_000);
            return MetricValue.of(template.equals("latency-p99") ? 900.0 : 0.5);
        });
        r.harness.runToEnd(r.key);
        return r;
    }

    /** A blue-green switch with pre- and post-promotion analysis. */
    static Rollouts blueGreen() {
        Rollouts r = new Rollouts(Specs.spec(Specs.blueGreen(java.util.List.of("latency-p99"), java.util.List.of("error-rate"),
                true, Duration.ofSeconds(30))).template(errorRate()).template(latency()).build());
        r.harness.platform.metrics((template, at, version) -> MetricValue.of(template.equals("latency-p99") ? 120.0 : 0.001));
        r.harness.runToEnd(r.key);
        return r;
    }

    /** A first release: nothing was stable, so it goes straight to 100%. */
    static Rollouts firstRelease() {
        Rollouts r = new Rollouts(new Harness(2, null, true), canarySpec("1.0.0").build());
        r.harness.runToEnd(r.key);
        return r;
    }

    /** A rollout whose version and metric messages carry markup. */
    static Rollouts hostile(String markup) {
        Rollouts r = new Rollouts(canarySpec(markup).name("shop" + markup).build());
        r.harness.platform.metrics((template, at, version) -> {
            throw new MetricException(markup);
        });
        r.harness.runToEnd(r.key);
        return r;
    }

    /** Started, stopped at the first gate with one measurement taken. */
    static Rollouts live() {
        Rollouts r = new Rollouts(canarySpec("1.4.2").build());
        r.harness.platform.metrics((template, at, version) -> MetricValue.of(template.equals("latency-p99") ? 200.0 : 0.003));
        r.harness.runUntil(r.key, s -> s.measurements().size() >= 2);
        return r;
    }

    RolloutState state() {
        return harness.state(key);
    }

    Phase phase() {
        return state().phase();
    }
}
