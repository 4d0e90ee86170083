package io.jenkins.plugins.progressive.spec;

import static io.jenkins.plugins.progressive.spec.SpecAssertions.BASE;
import static io.jenkins.plugins.progressive.spec.SpecAssertions.assertProblem;
import static io.jenkins.plugins.progressive.spec.SpecAssertions.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --set key=value}: applied before validation, so a bad value is reported at its path. */
class OverridesTest {

    static RolloutSpec withOverrides(Map<String, String> overrides) throws InvalidSpecException {
        return SpecReader.parse(BASE, SpecReader.Format.YAML, overrides);
    }

    @Test
    void setsScalarsByDottedPathAndIndex() throws Exception {
        Map<String, String> set = new LinkedHashMap<>();
        set.put("version", "1.5.0");
        set.put("strategy.canary.steps[0].setWeight", "25");
        set.put("analysis.error-rate.count", "3");
        set.put("onFailure", "pause");
        RolloutSpec spec = withOverrides(set);
        assertThat(spec.version()).isEqualTo("1.5.0");
        assertThat(((Strategy.Canary) spec.strategy()).steps().get(0)).isEqualTo(new Strategy.CanaryStep.SetWeight(25));
        assertThat(spec.analysis().get("error-rate").count()).isEqualTo(3);
        assertThat(spec.onFailure()).isEqualTo(OnFailure.PAUSE);
    }

    @Test
    void createsMissingMappings() throws Exception {
        RolloutSpec spec = withOverrides(Map.of("snapshot.store", "file:/tmp/snaps", "target.local.instances", "3"));
        assertThat(spec.snapshot().enabled()).isTrue();
        assertThat(spec.snapshot().store()).isEqualTo("file:/tmp/snaps");
        assertThat(((Target.Local) spec.target()).instances()).isEqualTo(3);
    }

    @Test
    void theValueIsAYamlScalar() throws Exception {
        assertThat(withOverrides(Map.of("version", "2")).version()).isEqualTo("2");
        assertThat(withOverrides(Map.of("version", "\"2.0\"")).version()).isEqualTo("2.0");
        String condition = "result == \"ok\" && len(result) > 0";
        assertThat(withOverrides(Map.of("analysis.error-rate.successCondition", condition))
                .analysis().get("error-rate").successCondition()).contains(condition);
        String query = "sum(rate(x{v=\"{{canary.version}}\"}[1m]))";
        AnalysisTemplate.Prometheus p = (AnalysisTemplate.Prometheus) withOverrides(
                Map.of("analysis.error-rate.prometheus.query", query)).analysis().get("error-rate").query();
        assertThat(p.query()).contains(query);
    }

    @Test
    void badValuesAreReportedAtTheSamePathAsInAFile() {
        List<SpecProblem> p = problems(BASE, Map.of("strategy.canary.steps[0].setWeight", "150",
                "analysis.error-rate.count", "0", "stratgy.canary", "x"));
        assertProblem(p, "strategy.canary.steps[0].setWeight", "150 is out of range; allowed: an integer 0..100");
        assertProblem(p, "analysis.error-rate.count", "0 is out of range");
        assertProblem(p, "stratgy", "unknown field 'stratgy'", "(did you mean 'strategy'?)");
    }

    @Test
    void aMissingListIndexIsAProblem() {
        List<SpecProblem> p = problems(BASE, Map.of("strategy.canary.steps[7].setWeight", "10"));
        assertProblem(p, "strategy.canary.steps[7].setWeight",
                "cannot set 'strategy.canary.steps[7].setWeight': 'strategy.canary.steps' has 3 items; allowed: indexes 0..2");
        assertThat(p).hasSize(1);
    }

    @Test
    void aPathThroughAScalarIsAProblem() {
        List<SpecProblem> p = problems(BASE, Map.of("version.major", "2", "name[0]", "x"));
        assertProblem(p, "version.major", "cannot set 'version.major': 'version' is '1.4.2', not a mapping");
        assertProblem(p, "name[0]", "'name' is 'shop', not a list");
    }

    @Test
    void anIndexIntoAMissingListIsAProblem() {
        assertProblem(problems(BASE, Map.of("backgroundAnalysis[0]", "error-rate")), "backgroundAnalysis[0]",
                "'backgroundAnalysis' has no list");
    }

    @Test
    void aMalformedKeyIsAProblem() {
        assertProblem(problems(BASE, Map.of("strategy..canary", "x")), "strategy..canary", "not a field path");
    }

    @Test
    void overridesApplyToJsonToo() throws Exception {
        String json = "{\"name\":\"shop\",\"version\":\"1\",\"target\":{\"local\":{\"command\":[\"app\"]}},"
                + "\"strategy\":{\"canary\":{\"steps\":[{\"setWeight\":5}]}}}";
        RolloutSpec spec = SpecReader.parse(json, SpecReader.Format.JSON, Map.of("strategy.canary.steps[0].setWeight", "40"));
        assertThat(((Strategy.Canary) spec.strategy()).steps()).containsExactly(new Strategy.CanaryStep.SetWeight(40));
    }
}
