package io.jenkins.plugins.progressive.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The promotionGate step runs templates alone: no version or strategy needed, templates checked as usual. */
class AnalysisFromTreeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode tree(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void templatesWithoutVersionOrStrategy() throws Exception {
        Map<String, AnalysisTemplate> templates = SpecReader.analysisFromTree(tree("""
                {"name": "shop", "target": {"kubernetes": {"namespace": "prod", "deployment": "shop", "image": "registry/shop"}},
                 "analysis": {
                   "smoke": {"web": {"url": "http://127.0.0.1:8081/health", "jsonPath": "$.status"},
                             "successCondition": "result == \\"ok\\""},
                   "error-rate": {"prometheus": {"address": "http://127.0.0.1:9090", "query": "sum(up)"},
                                  "interval": "10s", "count": 3}}}
                """));
        assertThat(templates).containsOnlyKeys("smoke", "error-rate");
        assertThat(templates.keySet()).containsExactly("smoke", "error-rate");
        assertThat(templates.get("error-rate").interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(templates.get("error-rate").count()).isEqualTo(3);
    }

    @Test
    void badTemplatesAreNamedByPath() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> SpecReader.analysisFromTree(
                tree("""
                        {"name": "shop", "target": {"endpoints": {"stable": ["127.0.0.1:8080"]}},
                         "analysis": {"smoke": {"web": {"url": "http://127.0.0.1:8081/"}, "interval": "soon"}}}
                        """)));
        assertThat(e.problems()).extracting(SpecProblem::path).contains("analysis.smoke.interval");
    }

    @Test
    void nameAndTargetAreStillRequired() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> SpecReader.analysisFromTree(tree("{\"analysis\": {}}")));
        assertThat(e.problems()).extracting(SpecProblem::path).contains("name", "target");
    }
}
