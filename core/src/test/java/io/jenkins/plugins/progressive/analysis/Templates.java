package io.jenkins.plugins.progressive.analysis;

import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.time.Duration;
import java.util.Optional;

/** Templates for analysis tests, with PRODUCT.md's defaults unless a test says otherwise. */
final class Templates {

    private Templates() {
    }

    static final AnalysisTemplate.Prometheus QUERY = new AnalysisTemplate.Prometheus("http://127.0.0.1:9090",
            Optional.of("sum(rate(errors_total[1m]))"), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty());

    static AnalysisTemplate conditions(String success, String failure) {
        return new AnalysisTemplate("error-rate", QUERY, Optional.ofNullable(success), Optional.ofNullable(failure),
                Duration.ofSeconds(30), 1, Duration.ZERO, 0, 0, 4, Optional.empty());
    }

    static AnalysisTemplate limits(int count, int failureLimit, int inconclusiveLimit, int consecutiveErrorLimit) {
        return new AnalysisTemplate("error-rate", QUERY, Optional.of("result < 0.01"), Optional.empty(),
                Duration.ofSeconds(30), count, Duration.ofSeconds(10), failureLimit, inconclusiveLimit,
                consecutiveErrorLimit, Optional.empty());
    }

    static AnalysisTemplate judge(AnalysisTemplate.Direction direction) {
        return new AnalysisTemplate("latency", QUERY, Optional.empty(), Optional.empty(), Duration.ofSeconds(30), 1,
                Duration.ZERO, 0, 0, 4, Optional.of(new AnalysisTemplate.Judge(direction,
                        AnalysisTemplate.Judge.DEFAULT_CONFIDENCE, AnalysisTemplate.Judge.DEFAULT_TOLERANCE)));
    }
}
