package io.jenkins.plugins.progressive.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class ReplicaRatioTest {

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
