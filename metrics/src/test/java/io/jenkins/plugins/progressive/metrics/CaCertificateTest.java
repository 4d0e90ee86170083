package io.jenkins.plugins.progressive.metrics;

import static io.jenkins.plugins.progressive.metrics.Templates.template;
import static io.jenkins.plugins.progressive.metrics.Templates.web;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a certificate no public CA signed: trusted only through the provider's caCertificate option. */
class CaCertificateTest {

    @TempDir
    static Path dir;
    private static HttpsServer server;
    private static AnalysisTemplate health;

    @BeforeAll
    static void startHttpsServer() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir);
        KeyStore keys = certificate.keys();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);

        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/health", exchange -> {
            byte[] body = "{\"status\": \"ok\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        health = template("smoke", web("https://127.0.0.1:" + server.getAddress().getPort() + "/health",
                "$.status"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void anExtraCaCertificateIsTrusted() {
        MetricProviders metrics = new MetricProviders(Credentials.none(), Optional.of(dir.resolve("ca.pem")));
        assertThat(value(metrics, health)).isEqualTo("ok");
    }

    @Test
    void withoutItTheTlsFailureSaysWhatToSet() {
        MetricProviders metrics = new MetricProviders(Credentials.none());
        assertThatThrownBy(() -> value(metrics, health))
                .isInstanceOf(MetricException.class)
                .hasMessageContaining("is not reachable: TLS failed")
                .hasMessageEndingWith("for a private CA set the provider's caCertificate");
    }

    @Test
    void anUnusableCaFileIsRefusedAtConstruction() throws Exception {
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        assertThatThrownBy(() -> new MetricProviders(Credentials.none(), Optional.of(notPem)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("caCertificate " + notPem);
        assertThatThrownBy(() -> new MetricProviders(Credentials.none(), Optional.of(dir.resolve("missing.pem"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("caCertificate " + dir.resolve("missing.pem") + " cannot be read");
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
}
