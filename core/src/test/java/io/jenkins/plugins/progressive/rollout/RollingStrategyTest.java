package io.jenkins.plugins.progressive.rollout;

import static io.jenkins.plugins.progressive.rollout.testing.Specs.rolling;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.progressive.rollout.testing.Harness;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollingStrategyTest {

    @Test
    void batchesSurgeFirstThenTakeOldInstancesDownWithRoutesFollowing() {
        Harness h = new Harness(4, "1.0", true);
        String key = h.start(spec(rolling(List.of(25, 50, 100), Duration.ofMinutes(1), List.of("smoke"), 0)).build());
        Instant t0 = h.now();

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(h.platform.calls()).containsExactly(
                "scale CANARY 2.0 x1", "routes 75/25", "scale STABLE 1.0 x3", "routes 75/25",
                "scale CANARY 2.0 x2", "routes 50/50", "scale STABLE 1.0 x2", "routes 50/50",
                "scale CANARY 2.0 x4",
                "routes 0/100", "scale STABLE 2.0 x4", "routes 100/0", "scale CANARY 2.0 x0");
        assertThat(r.measurements()).hasSize(3);
        assertThat(Duration.between(t0, h.now())).isGreaterThanOrEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void maxUnavailableLetsOldInstancesGoBeforeNewOnesAreReady() {
        Harness h = new Harness(4, "1.0", false);
        String key = h.start(spec(rolling(List.of(50, 100), Duration.ZERO, List.of(), 1)).replicaRatio().build());

        h.step(key);

        // the new instances are asked for first, then one old instance goes before they are ready
        assertThat(h.platform.calls()).containsExactly("scale CANARY 2.0 x2", "scale STABLE 1.0 x3");
        assertThat(h.runToEnd(key).status()).isEqualTo(Phase.SUCCEEDED);
        assertThat(h.platform.version(Role.STABLE)).contains("2.0");
    }

    @Test
    void abortMidwayPutsEveryOldInstanceBack() {
        Harness h = new Harness(4, "1.0", true);
        String key = h.start(spec(rolling(List.of(50, 100), Duration.ofMinutes(10), List.of(), 0)).build());
        h.runUntil(key, s -> s.routes().canary() == 50 && h.platform.replicas(Role.STABLE) == 2);

        h.engine.abort(key, "enough");
        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.ABORTED);
        // traffic first, then old capacity back, and only then the new instances go; last, the router is
        // told which instances serve now
        assertThat(h.platform.calls()).endsWith("routes 100/0", "scale STABLE 1.0 x4", "scale CANARY 2.0 x0",
                "routes 100/0");
        assertThat(h.platform.replicas(Role.STABLE)).isEqualTo(4);
    }
}
