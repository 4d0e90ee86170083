package io.jenkins.plugins.progressive.analysis.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class HodgesLehmannTest {

    @Test
    void medianOfPairwiseDifferencesByHand() {
        // differences of {1, 2, 3} - {0, 10}: 1, 2, 3, -9, -8, -7 -> sorted -9 -8 -7 1 2 3 -> median (-7 + 1) / 2
        assertThat(HodgesLehmann.estimate(new double[] {1, 2, 3}, new double[] {0, 10})).isEqualTo(-3.0);
        assertThat(HodgesLehmann.estimate(new double[] {5}, new double[] {2})).isEqualTo(3.0);
        assertThat(HodgesLehmann.estimate(new double[] {-1, -1}, new double[] {-1})).isEqualTo(0.0);
    }

    @Property(tries = 100)
    void everyOrderStatisticMatchesTheSortedDifferences(@ForAll("sample") double[] x, @ForAll("sample") double[] y) {
        double[] all = new double[x.length * y.length];
        int k = 0;
        for (double a : x) {
            for (double b : y) {
                all[k++] = a - b;
            }
        }
        Arrays.sort(all);
        HodgesLehmann hl = HodgesLehmann.of(x, y);
        for (int i = 0; i < all.length; i++) {
            assertThat(hl.kth(i + 1)).isEqualTo(all[i] + 0.0);
        }
        double median = all.length % 2 == 1 ? all[all.length / 2]
                : (all[all.length / 2 - 1] + all[all.length / 2]) / 2;
        assertThat(HodgesLehmann.estimate(x, y)).isEqualTo(median + 0.0);
    }

    @Provide
    Arbitrary<double[]> sample() {
        // small integers give many ties; wide doubles test the bisection over the whole range
        Arbitrary<Double> tied = Arbitraries.integers().between(-5, 5).map(Integer::doubleValue);
        Arbitrary<Double> wide = Arbitraries.doubles().between(-1e12, 1e12);
        return Arbitraries.oneOf(tied, wide).array(double[].class).ofMinSize(1).ofMaxSize(25);
    }
}
