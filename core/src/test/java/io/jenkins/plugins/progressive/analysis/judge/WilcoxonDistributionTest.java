package io.jenkins.plugins.progressive.analysis.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WilcoxonDistributionTest {

    @Test
    void twoAgainstTwoByHand() {
        // The 6 ways to place 2 x's among 4 ranks give U = 0, 1, 2, 2, 3, 4.
        WilcoxonDistribution d = WilcoxonDistribution.of(2, 2);
        assertThat(d.cdf(0)).isCloseTo(1 / 6.0, within(1e-15));
        assertThat(d.cdf(1)).isCloseTo(2 / 6.0, within(1e-15));
        assertThat(d.cdf(2)).isCloseTo(4 / 6.0, within(1e-15));
        assertThat(d.cdf(4)).isEqualTo(1.0);
        assertThat(d.upper(3)).isCloseTo(2 / 6.0, within(1e-15));
        assertThat(d.quantile(0.5)).isEqualTo(2);
    }

    @Test
    void extremesHaveProbabilityOneOverBinomial() {
        // Only one arrangement puts all x below all y: P(U = 0) = 1 / C(m + n, m).
        assertThat(WilcoxonDistribution.of(10, 5).cdf(0)).isCloseTo(1 / 3003.0, within(1e-15));
        double c4949 = 2.5477612258980857e28; // C(98, 49)
        assertThat(WilcoxonDistribution.of(49, 49).cdf(0) * c4949).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void symmetricAndTheSameWithTheRolesSwapped() {
        WilcoxonDistribution a = WilcoxonDistribution.of(7, 12);
        WilcoxonDistribution b = WilcoxonDistribution.of(12, 7);
        for (int u = 0; u <= 84; u++) {
            assertThat(a.cdf(u)).isCloseTo(b.cdf(u), within(1e-15));
            assertThat(a.cdf(u)).isCloseTo(a.upper(84 - u), within(1e-14));
        }
    }
}
