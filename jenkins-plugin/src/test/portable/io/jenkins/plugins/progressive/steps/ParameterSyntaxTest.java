package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The compact forms that form validation and the steps share. */
class ParameterSyntaxTest {

    @Property
    void everyWholePercentIsAWeight(@ForAll @IntRange(min = 0, max = 100) int weight) {
        assertThat(ParameterSyntax.checkWeight(Integer.toString(weight))).isEmpty();
    }

    @Property
    void nothingOutside0To100IsAWeight(@ForAll int weight) {
        if (weight < 0 || weight > 100) {
            assertThat(ParameterSyntax.checkWeight(Integer.toString(weight))).get().asString()
                    .contains("out of range: use 0 to 100");
        }
    }

    @Test
    void durationsAreTheSpecsDurations() {
        for (String ok : List.of("500ms", "30s", "2m", "1h", "")) {
            assertThat(ParameterSyntax.checkDuration(ok)).as(ok).isEmpty();
        }
        for (String bad : List.of("2 m", "1d", "-1s", "m", "1.5s", "PT1M")) {
            assertThat(ParameterSyntax.checkDuration(bad)).as(bad).get().asString()
                    .isEqualTo("'" + bad.trim() + "' is not a duration: use " + ParameterSyntax.DURATION_FORMS);
        }
    }

    @Test
    void aPromQlQueryMustNotBeBlank() {
        assertThat(ParameterSyntax.checkQuery("  ")).contains("A PromQL query is required");
        assertThat(ParameterSyntax.checkQuery(null)).contains("A PromQL query is required");
        assertThat(ParameterSyntax.checkQuery("up")).isEmpty();
    }

    @Test
    void compactCanaryStepsKeepGoingAfterAProblem() {
        List<String> problems = new ArrayList<>();
        var steps = ParameterSyntax.canarySteps("weight:10,,analysis:a+b,pause:manual",
                "steps", (path, message) -> problems.add(path + ": " + message));
        assertThat(problems).containsExactly("steps[1]: '' is not a weight: use a whole number of percent from 0 to "
                + "100");
        assertThat(steps.toString()).isEqualTo("[{\"setWeight\":10},{\"analysis\":[\"a\",\"b\"]},{\"pause\":\"manual\"}]");
    }

    @Test
    void batchesArePercentagesOrCounts() {
        List<String> problems = new ArrayList<>();
        var batches = ParameterSyntax.batches("1, 50%, 0%, half", "batches", (p, m) -> problems.add(p + ": " + m));
        assertThat(batches.toString()).isEqualTo("[1,\"50%\",\"0%\"]");
        assertThat(problems).containsExactly("batches[2]: batch 0% is out of range: use 1% to 100%",
                "batches[3]: 'half' is not a batch: use a percentage (25%) or an instance count (3)");
    }
}
