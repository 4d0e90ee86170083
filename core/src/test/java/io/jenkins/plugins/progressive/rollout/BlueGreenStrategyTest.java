package io.jenkins.plugins.progressive.rollout;

import static io.jenkins.plugins.progressive.rollout.testing.Specs.blueGreen;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.rollout.testing.Harness;
import io.jenkins.plugins.progressive.rollout.testing.Specs;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlueGreenStrategyTest {

    private final Harness h = new Harness(3, "1.0", true);

    @Test
    void previewAtFullSizeThenAllTrafficAtOnceThenStableTakesTheNewVersion() {
        RolloutSpec spec = spec(blueGreen(List.of("smoke"), List.of("error-rate"), true, Duration.ofSeconds(30)))
                .build();
        String key = h.start(spec);
        Instant t0 = h.now();

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(h.platform.calls()).containsExactly("scale CANARY 2.0 x3", "routes 0/100", "scale STABLE 2.0 x3",
                "routes 100/0", "scale CANARY 2.0 x0");
        assertThat(r.measurements()).extracting(NamedMeasurement::gate).containsExactly("pre", "post");
        // the old version stayed up at least the scale-down delay after the switch
        assertThat(Duration.between(t0, h.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
        assertThat(h.platform.version(Role.STABLE)).contains("2.0");
    }

    @Test
    void withoutAutoPromotionItWaitsForPromote() {
        String key = h.start(spec(blueGreen(List.of(), List.of(), false, Duration.ZERO)).build());

        h.runUntilPaused(key);

        assertThat(h.platform.calls()).containsExactly("scale CANARY 2.0 x3");
        assertThat(h.platform.routes()).isEqualTo(Routes.ALL_STABLE);
        h.engine.promote(key, false);
        assertThat(h.runToEnd(key).status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(h.platform.calls()).contains("routes 0/100");
    }

    @Test
    void aFailingPostPromotionAnalysisFlipsBackToTheOldVersionAtOnce() {
        RolloutSpec spec = spec(blueGreen(List.of(), List.of("error-rate"), true, Duration.ofMinutes(5)))
                .template(Specs.template("error-rate", "result < 0.01", null, 1, Duration.ofSeconds(30))).build();
        h.platform.metrics((t, at, v) -> MetricValue.of(0.5));
        String key = h.start(spec);

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(h.platform.calls()).containsExactly("scale CANARY 2.0 x3", "routes 0/100", "routes 100/0",
                "scale CANARY 2.0 x0");
        assertThat(h.platform.version(Role.STABLE)).contains("1.0");
        assertThat(h.platform.serving(Role.STABLE)).isEqualTo(3);
        assertThat(r.routes()).isEqualTo(Routes.ALL_STABLE);
    }

    @Test
    void abortBeforeTheSwitchOnlyRemovesThePreview() {
        String key = h.start(spec(blueGreen(List.of(), List.of(), false, Duration.ZERO)).build());
        h.runUntilPaused(key);

        h.engine.abort(key, "changed my mind");
        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ABORTED);
        assertThat(h.platform.replicas(Role.CANARY)).isZero();
        assertThat(h.platform.version(Role.STABLE)).contains("1.0");
    }

    @Test
    void abortAfterTheSwitchFlipsBackBeforeAnythingIsScaledDown() {
        String key = h.start(spec(blueGreen(List.of(), List.of(), true, Duration.ofMinutes(10))).build());
        h.runUntil(key, s -> Routes.ALL_CANARY.equals(s.routes()));

        h.engine.abort(key, "customers complain");
        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ABORTED);
        assertThat(h.platform.calls()).containsExactly("scale CANARY 2.0 x3", "routes 0/100", "routes 100/0",
                "scale CANARY 2.0 x0");
        assertThat(r.routes()).isEqualTo(Routes.ALL_STABLE);
    }
}
