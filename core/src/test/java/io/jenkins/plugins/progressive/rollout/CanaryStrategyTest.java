package io.jenkins.plugins.progressive.rollout;

import static io.jenkins.plugins.progressive.rollout.testing.Specs.analysis;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.canary;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.manualPause;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.pause;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.spec;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.weight;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.rollout.testing.Harness;
import io.jenkins.plugins.progressive.rollout.testing.Specs;
import io.jenkins.plugins.progressive.spec.OnFailure;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CanaryStrategyTest {

    private final Harness h = new Harness(4, "1.0", true);

    @Test
    void stepsRunInOrderAndPromotionMovesStableToTheNewVersion() {
        RolloutSpec spec = spec(canary(weight(25), pause(Duration.ofMinutes(2)), analysis("error-rate"), weight(50)))
                .build();
        String key = h.start(spec);
        Instant t0 = h.now();

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(r.exitCode()).isZero();
        assertThat(r.routes()).isEqualTo(Routes.ALL_STABLE);
        assertThat(h.platform.calls()).containsExactly(
                "scale CANARY 2.0 x1", "routes 75/25",
                "scale CANARY 2.0 x2", "routes 50/50",
                "scale STABLE 2.0 x4", "routes 100/0", "scale CANARY 2.0 x0");
        assertThat(h.platform.version(Role.STABLE)).contains("2.0");
        assertThat(h.platform.replicas(Role.STABLE)).isEqualTo(4);
        assertThat(h.platform.replicas(Role.CANARY)).isZero();
        assertThat(r.measurements()).hasSize(1);
        assertThat(r.measurements().get(0).measurement().verdict()).isEqualTo(Verdict.SUCCESSFUL);
        // the pause held for two minutes of (virtual) time
        assertThat(Duration.between(t0, h.now())).isGreaterThanOrEqualTo(Duration.ofMinutes(2));
        assertThat(h.platform.closed()).isTrue();
    }
}
