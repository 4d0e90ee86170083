package io.jenkins.plugins.progressive.metrics;

import io.jenkins.plugins.progressive.analysis.MetricProvider;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.metrics.prometheus.PrometheusProvider;
import io.jenkins.plugins.progressive.metrics.web.WebProvider;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The metric providers behind one entry: sends each template to the provider of its kind (Prometheus, web).
 * Thread-safe and meant to be shared: one HTTP client, and no thread is held while a server answers.
 *
 * <pre>{@code
 * MetricProvider metrics = new MetricProviders(Credentials.fromEnvironment(System.getenv()));
 * metrics.measure(template, Map.of("canary.version", "1.4.2", "stable.version", "1.4.1"))
 * }</pre>
 */
public final class MetricProviders implements MetricProvider {

    private final PrometheusProvider prometheus;
    private final WebProvider web;

    /** Trusts the JDK's CA certificates. */
    public MetricProviders(Credentials credentials) {
        this(credentials, Optional.empty());
    }

    /**
     * @param caCertificate a PEM file with extra CA certificates to trust besides the JDK's (a private CA)
     * @throws IllegalArgumentException when the file cannot be read or holds no certificate
     */
    public MetricProviders(Credentials credentials, Optional<Path> caCertificate) {
        Objects.requireNonNull(credentials, "credentials");
        HttpClient client = Http.newClient(caCertificate);
        this.prometheus = new PrometheusProvider(client, credentials);
        this.web = new WebProvider(client, credentials);
    }

    @Override
    public CompletionStage<MetricValue> measure(AnalysisTemplate template, Map<String, String> vars) {
        AnalysisTemplate.MetricQuery query = template.query();
        if (query instanceof AnalysisTemplate.Prometheus) {
            return prometheus.measure(template, vars);
        }
        if (query instanceof AnalysisTemplate.Web) {
            return web.measure(template, vars);
        }
        return CompletableFuture.failedFuture(new MetricException("analysis." + template.name()
                + ": no metric provider for " + (query == null ? "a template without a query"
                        : query.getClass().getSimpleName()) + " (supported: prometheus, web)"));
    }

    /**
     * Validates before a rollout that the template's server can be used: for Prometheus, that it answers with
     * its build information (reachable, credentials accepted). Web endpoints are not called, since a request
     * may have effects. Blocks for at most the template's timeout.
     *
     * @return what was checked, e.g. {@code Prometheus 2.42.0 at http://127.0.0.1:9090}
     * @throws MetricException with the same clear messages a measurement gives
     */
    public String check(AnalysisTemplate template) {
        return check(template, Map.of());
    }

    /** {@link #check(AnalysisTemplate)} for an address that uses template variables. */
    public String check(AnalysisTemplate template, Map<String, String> vars) {
        if (template.query() instanceof AnalysisTemplate.Prometheus p) {
            return prometheus.check(p, vars);
        }
        if (template.query() instanceof AnalysisTemplate.Web) {
            return "web endpoint of analysis." + template.name() + " (not called before the rollout)";
        }
        throw new MetricException("analysis." + template.name() + ": no metric provider for this template");
    }
}
