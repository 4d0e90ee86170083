package io.jenkins.plugins.progressive.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jenkins.plugins.progressive.rollout.Routes;
import org.junit.jupiter.api.Test;

class ServerWeightsTest {

    @Test
    void everySplitIsWithinHalfAPointForAnyInstanceCounts() {
        for (int stableServers = 1; stableServers <= 6; stableServers++) {
            for (int canaryServers = 1; canaryServers <= 6; canaryServers++) {
                for (int weight = 0; weight <= 100; weight++) {
                    ServerWeights w = ServerWeights.compute(Routes.canary(weight), stableServers, canaryServers);
                    int stable = w.stable().stream().mapToInt(Integer::intValue).sum();
                    int canary = w.canary().stream().mapToInt(Integer::intValue).sum();

                    assertThat(w.stable()).hasSize(stableServers).allMatch(x -> x >= 0 && x <= 256);
                    assertThat(w.canary()).hasSize(canaryServers).allMatch(x -> x >= 0 && x <= 256);
                    assertThat(100.0 * canary / (stable + canary)).isCloseTo(weight, within(0.5));
                    assertThat(ServerWeights.routesOf(stable, canary)).isEqualTo(Routes.canary(weight));
                    if (weight > 0 && weight < 100) {
                        assertThat(w.stable()).anyMatch(x -> x >= 1);
                        assertThat(w.canary()).anyMatch(x -> x >= 1);
                    }
                }
            }
        }
    }

    @Test
    void everyInstanceStaysInRotationWhenTheShareAllowsIt() {
        ServerWeights w = ServerWeights.compute(Routes.canary(25), 3, 2);

        assertThat(w.stable()).containsOnly(w.stable().get(0)).allMatch(x -> x >= 1);
        assertThat(w.canary()).containsOnly(w.canary().get(0)).allMatch(x -> x >= 1);
    }

    @Test
    void fivePercentOverTwoStableAndOneCanaryServersIsExactAndEven() {
        ServerWeights w = ServerWeights.compute(Routes.canary(5), 2, 1);

        assertThat(w.stable().get(0)).isEqualTo(w.stable().get(1));
        assertThat(100.0 * w.canary().get(0) / (w.stable().get(0) * 2 + w.canary().get(0))).isEqualTo(5.0);
    }
}
