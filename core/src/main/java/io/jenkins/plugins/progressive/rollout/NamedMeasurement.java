package io.jenkins.plugins.progressive.rollout;

import io.jenkins.plugins.progressive.analysis.Measurement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A measurement with the template and the gate it was taken for.
 *
 * @param gate {@code step-<n>}, {@code pre}, {@code post} or {@code background}
 */
public record NamedMeasurement(String template, String gate, Measurement measurement) {

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("template", template);
        m.put("gate", gate);
        m.put("at", measurement.at().toString());
        m.put("verdict", measurement.verdict().name());
        m.put("value", measurement.value());
        m.put("message", measurement.message());
        return m;
    }
}
