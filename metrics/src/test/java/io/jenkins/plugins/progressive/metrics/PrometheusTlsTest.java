package io.jenkins.plugins.progressive.metrics;

import static io.jenkins.plugins.progressive.metrics.Templates.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus serving HTTPS with a certificate of its own CA and basic auth ({@code --web.config.file}):
 * the template's {@code caCertificate} makes it trusted, its credentials pass the real bcrypt check.
 */
class PrometheusTlsTest {

    private static final String USER = "progressive";
    private static final String PASSWORD = "gate-keeper";
    /** bcrypt (cost 10) of {@link #PASSWORD}, as Prometheus' web config wants it. */
    private static final String PASSWORD_HASH = "$2a$10$3QQkbXqpKuYS34sXWY/42uQrBEnswc5sv62mNSh8KwG08uBPXkyMK";

    @TempDir
    static Path dir;
    private static Path ca;
    private static PrometheusServer prometheus;

    @BeforeAll
    static void startPrometheusOverTls() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir);
        ca = certificate.certificate();
        Path key = certificate.key();

        String webConfig = """
                tls_server_config:
                  cert_file: %s
                  key_file: %s
                basic_auth_users:
                  %s: %s
                """.formatted(ca, key, USER, PASSWORD_HASH);
        prometheus = PrometheusServer.start(new PrometheusServer.Web(webConfig, trusting(ca),
                Optional.of("Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                        .getBytes(StandardCharsets.UTF_8)))));
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    void theTemplatesCaCertificateAndBasicAuthReachRealPrometheus() {
        MetricProviders metrics = new MetricProviders(Credentials.of(Map.of("prom",
                new Credentials.UsernamePassword(USER, PASSWORD))));
        AnalysisTemplate t = template("tls", prometheus("prom", Optional.of(ca.toString())));

        assertThat(prometheus.address()).startsWith("https://");
        assertThat(metrics.check(t)).startsWith("Prometheus 2.");
        assertThat(value(metrics, t)).isEqualTo(42.0);
    }

    @Test
    void withoutTheCaCertificateTheTlsFailureSaysWhatToSet() {
        MetricProviders metrics = new MetricProviders(Credentials.of(Map.of("prom",
                new Credentials.UsernamePassword(USER, PASSWORD))));

        assertThatThrownBy(() -> value(metrics, template("tls", prometheus("prom", Optional.empty()))))
                .isInstanceOf(MetricException.class)
                .hasMessageContaining("TLS failed")
                .hasMessageEndingWith("for a private CA set the provider's caCertificate");
    }

    @Test
    void aWrongPasswordIsRefusedByPrometheusAndNeverShown() {
        MetricProviders metrics = new MetricProviders(Credentials.of(Map.of("prom",
                new Credentials.UsernamePassword(USER, "not-" + PASSWORD))));

        assertThatThrownBy(() -> value(metrics, template("tls", prometheus("prom", Optional.of(ca.toString())))))
                .isInstanceOf(MetricException.class)
                .hasMessageContaining("401")
                .hasMessageNotContaining("not-" + PASSWORD);
    }

    @Test
    void anUnreadableCaCertificateNamesTheField() {
        MetricProviders metrics = new MetricProviders(Credentials.none());

        assertThatThrownBy(() -> metrics.check(template("tls", prometheus("prom",
                Optional.of(dir.resolve("missing.pem").toString())))))
                .isInstanceOf(MetricException.class)
                .hasMessageStartingWith("analysis.tls.prometheus.caCertificate: caCertificate "
                        + dir.resolve("missing.pem") + " cannot be read");
    }

    private static AnalysisTemplate.Prometheus prometheus(String credentials, Optional<String> caCertificate) {
        return new AnalysisTemplate.Prometheus(prometheus.address(), Optional.of("vector(42)"), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(credentials),
                caCertificate);
    }

    private static Object value(MetricProviders metrics, AnalysisTemplate template) {
        try {
            return ((MetricValue.Result) metrics.measure(template, Map.of()).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)).value();
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
