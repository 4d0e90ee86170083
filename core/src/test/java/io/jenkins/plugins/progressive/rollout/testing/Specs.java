package io.jenkins.plugins.progressive.rollout.testing;

import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.OnFailure;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.Strategy;
import io.jenkins.plugins.progressive.spec.Strategy.CanaryStep;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Specs for engine tests, built directly (the spec reader validates real files). */
public final class Specs {

    private Specs() {
    }

    public static CanaryStep weight(int w) {
        return new CanaryStep.SetWeight(w);
    }

    public static CanaryStep pause(Duration d) {
        return new CanaryStep.Pause(Optional.of(d));
    }

    public static CanaryStep manualPause() {
        return new CanaryStep.Pause(Optional.empty());
    }

    public static CanaryStep analysis(String... templates) {
        return new CanaryStep.Analysis(List.of(templates));
    }

    public static Strategy canary(CanaryStep... steps) {
        return new Strategy.Canary(List.of(steps));
    }

    public static Strategy blueGreen(List<String> pre, List<String> post, boolean autoPromotion, Duration scaleDownDelay) {
        return new Strategy.BlueGreen(Optional.of("preview"), pre, post, autoPromotion, scaleDownDelay);
    }

    public static Strategy rolling(List<Integer> percents, Duration pause, List<String> analysis, int maxUnavailable) {
        return new Strategy.Rolling(percents.stream().map(p -> new Strategy.Batch(p, true)).toList(), pause, analysis,
                maxUnavailable);
    }

    /** A template without conditions: every value is a success. */
    public static AnalysisTemplate template(String name) {
        return template(name, null, null, 1, Duration.ofSeconds(30));
    }

    public static AnalysisTemplate template(String name, String success, String failure, int count, Duration interval) {
        return new AnalysisTemplate(name, new AnalysisTemplate.Web("http://127.0.0.1:1/" + name, "GET", Map.of(),
                Optional.empty(), "$", Optional.empty()), Optional.ofNullable(success), Optional.ofNullable(failure),
                interval, count, Duration.ZERO, 0, 0, 4, Optional.empty());
    }

    /** A builder over the spec record, defaults: name "shop", version "2.0", endpoints target, replica traffic. */
    public static Builder spec(Strategy strategy) {
        return new Builder(strategy);
    }

    public static final class Builder {
        private String name = "shop";
        private String version = "2.0";
        private String target = "10.0.0.5:8080";
        private Traffic traffic = new Traffic.Haproxy("tcp:127.0.0.1:1", "shop");
        private final Strategy strategy;
        private final Map<String, AnalysisTemplate> analysis = new LinkedHashMap<>();
        private List<String> background = List.of();
        private OnFailure onFailure = OnFailure.ROLLBACK;
        private boolean snapshot;

        Builder(Strategy strategy) {
            this.strategy = strategy;
        }

        public Builder name(String n) {
            name = n;
            return this;
        }

        public Builder version(String v) {
            version = v;
            return this;
        }

        public Builder target(String t) {
            target = t;
            return this;
        }

        public Builder replicaRatio() {
            traffic = new Traffic.Replicas();
            return this;
        }

        public Builder template(AnalysisTemplate t) {
            analysis.put(t.name(), t);
            return this;
        }

        public Builder templates(String... names) {
            for (String n : names) {
                analysis.put(n, Specs.template(n));
            }
            return this;
        }

        public Builder background(String... names) {
            background = List.of(names);
            for (String n : names) {
                analysis.putIfAbsent(n, Specs.template(n));
            }
            return this;
        }

        public Builder onFailure(OnFailure f) {
            onFailure = f;
            return this;
        }

        public Builder snapshot() {
            snapshot = true;
            return this;
        }

        public RolloutSpec build() {
            for (String n : strategy.analysisNames()) {
                analysis.putIfAbsent(n, Specs.template(n));
            }
            SnapshotSpec snap = snapshot ? new SnapshotSpec(true, SnapshotSpec.DEFAULT_STORE, List.of(), List.of(),
                    Optional.empty(), List.of(), Optional.empty(), List.of(), List.of()) : SnapshotSpec.DISABLED;
            // Valid specs, as SpecReader would give them: endpoints need a router, so the replica ratio runs
            // on local processes. The in-memory platform never contacts these addresses.
            Target where = traffic instanceof Traffic.Replicas
                    ? new Target.Local(List.of("shop-server", "--port", "{port}", "--id", target), 1,
                            new Target.Readiness("/health", java.time.Duration.ofSeconds(30)), Optional.empty())
                    : new Target.Endpoints(List.of(target), List.of("10.0.0.9:8080"));
            return new RolloutSpec(name, version, where, traffic, strategy, analysis, background, onFailure, snap);
        }
    }
}
