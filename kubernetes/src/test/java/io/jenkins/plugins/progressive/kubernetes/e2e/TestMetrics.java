package io.jenkins.plugins.progressive.kubernetes.e2e;

import io.jenkins.plugins.progressive.analysis.MetricProvider;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Answers each template with the value the test set for it (0.0 until set): the metrics side is not under test. */
final class TestMetrics implements MetricProvider {

    private final Map<String, Double> values = new ConcurrentHashMap<>();
    private final AtomicInteger asked = new AtomicInteger();

    TestMetrics set(String template, double value) {
        values.put(template, value);
        return this;
    }

    int asked() {
        return asked.get();
    }

    @Override
    public CompletionStage<MetricValue> measure(AnalysisTemplate template, Map<String, String> vars) {
        asked.incrementAndGet();
        return CompletableFuture.completedFuture(MetricValue.of(values.getOrDefault(template.name(), 0.0)));
    }
}
