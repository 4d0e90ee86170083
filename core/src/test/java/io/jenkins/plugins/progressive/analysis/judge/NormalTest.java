package io.jenkins.plugins.progressive.analysis.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Reference values: any standard normal table; full digits from scipy 1.17.1 scipy.stats.norm. */
class NormalTest {

    @Test
    void cdf() {
        assertThat(Normal.cdf(0)).isEqualTo(0.5);
        assertThat(Normal.cdf(1.96)).isCloseTo(0.9750021048517795, within(1e-15));
        assertThat(Normal.cdf(-1.96)).isCloseTo(1 - 0.9750021048517795, within(1e-15));
        assertThat(Normal.cdf(-5)).isCloseTo(2.866515718791933e-07, within(1e-20));
        assertThat(Normal.upper(8)).isCloseTo(6.22096057427174e-16, within(1e-28));
    }

    @Test
    void quantile() {
        assertThat(Normal.quantile(0.975)).isCloseTo(1.959963984540054, within(1e-13));
        assertThat(Normal.quantile(0.99)).isCloseTo(2.3263478740408408, within(1e-13));
        assertThat(Normal.quantile(0.01)).isCloseTo(-2.3263478740408408, within(1e-13));
        assertThat(Normal.quantile(1e-10)).isCloseTo(-6.361340902404056, within(1e-11));
        assertThat(Normal.quantile(0.5)).isCloseTo(0, within(1e-15));
        for (double p = 0.001; p < 1; p += 0.0137) {
            assertThat(Normal.cdf(Normal.quantile(p))).isCloseTo(p, within(1e-14));
        }
    }
}
