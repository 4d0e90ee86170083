package io.jenkins.plugins.progressive.metrics;

import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Analysis templates as the spec parser would build them, with PRODUCT.md's defaults. */
public final class Templates {

    private Templates() {
    }

    public static AnalysisTemplate template(String name, AnalysisTemplate.MetricQuery query) {
        return new AnalysisTemplate(name, query, Optional.empty(), Optional.empty(), Duration.ofSeconds(30), 1,
                Duration.ZERO, 0, 0, 4, Optional.empty());
    }

    public static AnalysisTemplate judged(String name, AnalysisTemplate.MetricQuery query) {
        return new AnalysisTemplate(name, query, Optional.empty(), Optional.empty(), Duration.ofSeconds(30), 1,
                Duration.ZERO, 0, 0, 4, Optional.of(new AnalysisTemplate.Judge(AnalysisTemplate.Direction.INCREASE,
                        AnalysisTemplate.Judge.DEFAULT_CONFIDENCE, AnalysisTemplate.Judge.DEFAULT_TOLERANCE)));
    }

    public static AnalysisTemplate.Prometheus prometheus(String address, String query) {
        return new AnalysisTemplate.Prometheus(address, Optional.of(query), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static AnalysisTemplate.Web web(String url, String jsonPath) {
        return new AnalysisTemplate.Web(url, "GET", Map.of(), Optional.empty(), jsonPath, Optional.empty());
    }
}
