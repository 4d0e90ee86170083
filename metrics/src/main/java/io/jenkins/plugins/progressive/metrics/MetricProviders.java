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
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metric providers behind one entry: sends each template to the provider of its kind (Prometheus, web).
 * Thread-safe and meant to be shared: one HTTP client per CA certificate file (a template's
 * {@code caCertificate}), and no thread is held while a server answers.
 *
 * <pre>{@code
 * MetricProvider metrics = new MetricProviders(Credentials.fromEnvironment(System.getenv()));
 * metrics.measure(template, Map.of("canary.version", "1.4.2", "stable.version", "1.4.1"))
 * }</pre>
 */
public final class MetricProviders implements MetricProvider {

    private final Credentials credentials;
    private final Optional<Path> caCertificate;
    /** One HTTP client per CA file: a template's own {@code caCertificate}, else the one given here. */
    private final Map<Optional<Path>, Providers> byCaCertificate = new ConcurrentHashMap<>();

    private record Providers(PrometheusProvider prometheus, WebProvider web) {
    }

    /** Trusts the JDK's CA certificates. */
    public MetricProviders(Credentials credentials) {
        this(credentials, Optional.empty());
    }

    /**
     * @param caCertificate a PEM file with extra CA certificates to trust besides the JDK's (a private CA)
     * @throws IllegalArgumentException when the file cannot be read or holds no certificate
     */
    public MetricProviders(Credentials credentials, Optional<Path> caCertificate) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.caCertificate = caCertificate;
        providers(caCertificate);
    }

    private Providers providers(Optional<Path> ca) {
        return byCaCertificate.computeIfAbsent(ca, pem -> {
            HttpClient client = Http.newClient(pem);
            return new Providers(new PrometheusProvider(client, credentials), new WebProvider(client, credentials));
        });
    }

    /**
     * The providers for {@code template}'s CA certificate.
     *
     * @throws MetricException naming the field when its file cannot be read or holds no certificate
     */
    private Providers providers(AnalysisTemplate template) {
        AnalysisTemplate.MetricQuery q = template.query();
        Optional<String> own = q instanceof AnalysisTemplate.Prometheus p ? p.caCertificate()
                : q instanceof AnalysisTemplate.Web w ? w.caCertificate() : Optional.empty();
        try {
            return providers(own.map(Path::of).or(() -> caCertificate));
        } catch (IllegalArgumentException e) {
            throw new MetricException("analysis." + template.name() + "."
                    + (q instanceof AnalysisTemplate.Web ? "web" : "prometheus") + ".caCertificate: " + e.getMessage());
        }
    }

    @Override
    public CompletionStage<MetricValue> measure(AnalysisTemplate template, Map<String, String> vars) {
        AnalysisTemplate.MetricQuery query = template.query();
        if (query instanceof AnalysisTemplate.Prometheus || query instanceof AnalysisTemplate.Web) {
            Providers providers;
            try {
                providers = providers(template);
            } catch (MetricException e) {
                return CompletableFuture.failedFuture(e);
            }
            return query instanceof AnalysisTemplate.Prometheus ? providers.prometheus().measure(template, vars)
                    : providers.web().measure(template, vars);
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
            return providers(template).prometheus().check(p, vars);
        }
        if (template.query() instanceof AnalysisTemplate.Web) {
            return "web endpoint of analysis." + template.name() + " (not called before the rollout)";
        }
        throw new MetricException("analysis." + template.name() + ": no metric provider for this template");
    }
}
