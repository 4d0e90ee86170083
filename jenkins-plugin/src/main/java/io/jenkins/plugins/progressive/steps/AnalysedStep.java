package io.jenkins.plugins.progressive.steps;

import io.jenkins.plugins.progressive.configuration.PrometheusServer;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kohsuke.stapler.DataBoundSetter;

/** A step that can define analysis templates inline, measured on a configured Prometheus server by default. */
public abstract class AnalysedStep extends TargetedStep {

    private String prometheus = "";
    private List<InlineAnalysisTemplate> analysis = new ArrayList<>();

    public List<InlineAnalysisTemplate> getAnalysis() {
        return List.copyOf(analysis);
    }

    /** In Pipeline: {@code analysis: [[name: 'error-rate', query: '…', successCondition: 'result < 0.01']]}. */
    @DataBoundSetter
    public void setAnalysis(List<InlineAnalysisTemplate> analysis) {
        this.analysis = analysis == null ? new ArrayList<>() : new ArrayList<>(analysis);
    }

    @Override
    void bind(Binding b) {
        super.bind(b);
        PrometheusServer defaultServer = prometheus.isEmpty() ? null : server(b, prometheus, "prometheus");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < analysis.size(); i++) {
            InlineAnalysisTemplate template = analysis.get(i);
            String path = "analysis[" + i + "]";
            if (seen.contains(template.getName())) {
                b.problem(path + ".name", "'" + template.getName() + "' is defined twice");
            }
            seen.add(template.getName());
            PrometheusServer server = template.getPrometheus().isEmpty() ? defaultServer
                    : server(b, template.getPrometheus(), path + ".prometheus");
            template.bind(b, path, server, specPath() != null || !prometheus.isEmpty());
        }
    }

    /** The named server, or null after reporting that it does not exist. */
    static PrometheusServer server(Binding b, String name, String path) {
        Optional<PrometheusServer> server = b.servers.prometheus(name);
        if (server.isEmpty()) {
            b.problem(path, "no Prometheus server named '" + name + "' is configured in Manage Jenkins » System » "
                    + "Progressive Delivery" + known(b.servers.getPrometheusServers().stream()
                            .map(PrometheusServer::getName).toList()));
            return null;
        }
        return server.get();
    }

    public String getPrometheus() {
        return prometheus;
    }

    @DataBoundSetter
    public void setPrometheus(String prometheus) {
        this.prometheus = Texts.trim(prometheus);
    }
}
