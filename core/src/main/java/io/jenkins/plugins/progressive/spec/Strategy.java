package io.jenkins.plugins.progressive.spec;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** How the release moves forward: exactly one strategy per spec. */
public sealed interface Strategy {

    /** Every analysis template name this strategy refers to (for validation and planning). */
    List<String> analysisNames();

    /** Shift a growing share of traffic to the new version, gated step by step. */
    record Canary(List<CanaryStep> steps) implements Strategy {
        public Canary {
            steps = List.copyOf(steps);
        }

        @Override
        public List<String> analysisNames() {
            return steps.stream()
                    .filter(CanaryStep.Analysis.class::isInstance)
                    .flatMap(s -> ((CanaryStep.Analysis) s).templates().stream())
                    .distinct()
                    .toList();
        }
    }

    /** One step of a canary. */
    sealed interface CanaryStep {
        /** Route {@code weight} percent of requests to the canary (0..100). */
        record SetWeight(int weight) implements CanaryStep {
        }

        /** Wait {@code duration}, or for a person when it is empty ({@code pause: manual}). */
        record Pause(Optional<Duration> duration) implements CanaryStep {
            public boolean manual() {
                return duration.isEmpty();
            }
        }

        /** A gate: every template must pass before the next step. */
        record Analysis(List<String> templates) implements CanaryStep {
            public Analysis {
                templates = List.copyOf(templates);
            }
        }
    }

    /**
     * Two environments: the new version is deployed beside the old one, tested through the preview,
     * then takes all traffic at once.
     *
     * @param previewService where the new version can be reached before the switch (platform-specific name)
     * @param autoPromotion switch as soon as pre-promotion analysis passed; otherwise wait for a person
     * @param scaleDownDelay how long the old version stays up after the switch, ready for an instant flip back
     */
    record BlueGreen(Optional<String> previewService, List<String> prePromotionAnalysis,
            List<String> postPromotionAnalysis, boolean autoPromotion, Duration scaleDownDelay) implements Strategy {
        public BlueGreen {
            prePromotionAnalysis = List.copyOf(prePromotionAnalysis);
            postPromotionAnalysis = List.copyOf(postPromotionAnalysis);
        }

        @Override
        public List<String> analysisNames() {
            return java.util.stream.Stream.concat(prePromotionAnalysis.stream(), postPromotionAnalysis.stream())
                    .distinct()
                    .toList();
        }
    }

    /**
     * Replace instances in batches; old and new serve side by side.
     *
     * @param batches cumulative share of instances on the new version after each batch, ascending, the last 100%
     * @param maxUnavailable how many instances may be below ready during a batch (0: surge first)
     */
    record Rolling(List<Batch> batches, Duration pauseBetweenBatches, List<String> analysis, int maxUnavailable)
            implements Strategy {
        public Rolling {
            batches = List.copyOf(batches);
            analysis = List.copyOf(analysis);
        }

        @Override
        public List<String> analysisNames() {
            return analysis;
        }
    }

    /** A batch size: a percentage ({@code "25%"}) or an absolute instance count ({@code 3}). */
    record Batch(int value, boolean percent) {
        /** Instances on the new version after this batch, out of {@code total}; at least 1. */
        public int instancesOf(int total) {
            int n = percent ? (int) Math.ceil(total * value / 100.0) : value;
            return Math.max(1, Math.min(total, n));
        }

        @Override
        public String toString() {
            return percent ? value + "%" : Integer.toString(value);
        }
    }
}
