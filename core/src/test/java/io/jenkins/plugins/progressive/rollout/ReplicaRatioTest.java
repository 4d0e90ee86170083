package io.jenkins.plugins.progressive.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ReplicaRatioTest {

    /**
     * PRODUCT.md's rule for every replicas 1..100 × weight 0..100 (10,100 pairs): all instances are used, the
     * counts come closest to the requested weight, and neither side is 0 while 1 ≤ weight ≤ 99 and replicas > 1.
     */
    @Test
    void everySplitOfUpToAHundredInstancesFollowsTheRule() {
        List<String> broken = new ArrayList<>();
        int pairs = 0;
        for (int total = 1; total <= 100; total++) {
            for (int weight = 0; weight <= 100; weight++) {
                pairs++;
                ReplicaRatio.Split s = ReplicaRatio.split(total, weight);
                String at = total + " instances at " + weight + "%: " + s;
                if (s.stable() < 0 || s.canary() < 0 || s.stable() + s.canary() != total) {
                    broken.add(at + " does not use exactly the instances there are");
                }
                boolean shared = weight >= 1 && weight <= 99 && total > 1;
                if (shared && (s.stable() == 0 || s.canary() == 0)) {
                    broken.add(at + " leaves one side empty");
                }
                if (total == 1 && weight >= 1 && weight <= 99) {
                    // "Neither side 0" cannot hold for one instance. ReplicaRatio keeps it stable until the
                    // canary is promoted, so an unproven canary never takes all the traffic.
                    if (s.canary() != 0) {
                        broken.add(at + " moves the only instance to the canary before promotion");
                    }
                    continue;
                }
                double error = Math.abs(100.0 * s.canary() / total - weight);
                for (int c = shared ? 1 : 0; c <= (shared ? total - 1 : total); c++) {
                    if (Math.abs(100.0 * c / total - weight) < error - 1e-9) {
                        broken.add(at + ", but " + c + " canary instances come closer");
                    }
                }
            }
        }
        assertThat(pairs).isEqualTo(10_100);
        assertThat(broken).isEmpty();
    }

    @Property
    void instancesAreAllUsedAndNeitherSideIsEmptyWhileBothShouldServe(@ForAll @IntRange(min = 1, max = 500) int total,
            @ForAll @IntRange(min = 0, max = 100) int weight) {
        ReplicaRatio.Split s = ReplicaRatio.split(total, weight);

        assertThat(s.stable() + s.canary()).isEqualTo(total);
        if (weight >= 1 && weight <= 99 && total > 1) {
            assertThat(s.stable()).isPositive();
            assertThat(s.canary()).isPositive();
        }
        if (weight == 0) {
            assertThat(s.canary()).isZero();
        }
        if (weight == 100) {
            assertThat(s.stable()).isZero();
        }
    }

    @Property
    void noOtherSplitIsCloserToTheRequestedWeight(@ForAll @IntRange(min = 2, max = 500) int total,
            @ForAll @IntRange(min = 1, max = 99) int weight) {
        ReplicaRatio.Split s = ReplicaRatio.split(total, weight);
        double got = Math.abs(100.0 * s.canary() / total - weight);

        for (int c = 1; c < total; c++) {
            assertThat(got).isLessThanOrEqualTo(Math.abs(100.0 * c / total - weight) + 1e-9);
        }
    }
}
