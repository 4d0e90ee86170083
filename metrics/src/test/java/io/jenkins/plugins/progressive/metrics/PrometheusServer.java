package io.jenkins.plugins.progressive.metrics;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus (Debian package {@code prometheus}) for tests: started on 127.0.0.1 on a free port with a
 * temporary config and storage, scraping the given targets every {@code scrapeInterval}, killed on
 * {@link #close()}. A missing binary fails the test with a message naming the package.
 *
 * <pre>{@code
 * try (TestExporter exporter = TestExporter.start();
 *      PrometheusServer prometheus = PrometheusServer.start(Duration.ofSeconds(1), exporter.target())) {
 *     prometheus.awaitSeries("http_requests_total");
 *     String address = prometheus.address();
 * }
 * }</pre>
 * Other modules reuse it through the metrics module's test-jar ({@code progressive-metrics}, type
 * {@code test-jar}, scope test). The binary is {@code /usr/bin/prometheus} unless the system property
 * {@code prometheus.binary} names another.
 */
public final class PrometheusServer implements AutoCloseable {

    public static final String DEBIAN_PACKAGE = "prometheus";
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path dir;
    private final int port;
    private final Web web;
    private final HttpClient http;

    /**
     * Prometheus' {@code --web.config.file}: HTTPS (the client trusts its certificate) and the authorization
     * header its own probes and set-up queries send when the file asks for basic auth.
     */
    public record Web(String configYaml, javax.net.ssl.SSLContext trust, Optional<String> authorization) {
    }

    private PrometheusServer(Process process, Path dir, int port, Web web) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.web = web;
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2));
        if (web != null) {
            builder.sslContext(web.trust());
        }
        this.http = builder.build();
    }

    /**
     * Starts Prometheus scraping {@code targets} ({@code host:port}, path {@code /metrics}) and waits until it
     * is ready to answer queries.
     */
    public static PrometheusServer start(Duration scrapeInterval, String... targets) {
        return start(Path.of(System.getProperty("prometheus.binary", "/usr/bin/prometheus")), scrapeInterval, targets);
    }

    /** Starts Prometheus with a web configuration (TLS, basic auth), scraping nothing. */
    public static PrometheusServer start(Web web) {
        return start(Path.of(System.getProperty("prometheus.binary", "/usr/bin/prometheus")), web,
                Duration.ofSeconds(1));
    }

    static PrometheusServer start(Path binary, Duration scrapeInterval, String... targets) {
        return start(binary, null, scrapeInterval, targets);
    }

    private static PrometheusServer start(Path binary, Web web, Duration scrapeInterval, String... targets) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("Prometheus is not installed (" + binary + " is missing): install the"
                    + " Debian package '" + DEBIAN_PACKAGE + "' (apt-get install -y " + DEBIAN_PACKAGE + ")");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("prometheus-test");
            Files.writeString(dir.resolve("prometheus.yml"), config(scrapeInterval, targets));
            if (web != null) {
                Files.writeString(dir.resolve("web.yml"), web.configYaml());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Process process = launch(binary, dir, port, web != null);
            PrometheusServer server = new PrometheusServer(process, dir, port, web);
            try {
                server.awaitReady();
                return server;
            } catch (RuntimeException e) {
                // Another process may have taken the port between our probe and Prometheus' bind: retry.
                server.stop();
                last = new IllegalStateException("Prometheus did not start on port " + port + ": " + e.getMessage()
                        + "\n--- prometheus.log ---\n" + server.logTail(), e);
            }
        }
        deleteRecursively(dir);
        throw last;
    }

    /** {@code http://127.0.0.1:port}: the value for a template's {@code prometheus.address}. */
    public String address() {
        return (web == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(address() + path));
        if (web != null) {
            web.authorization().ifPresent(a -> builder.header("Authorization", a));
        }
        return builder;
    }

    public int port() {
        return port;
    }

    /** The {@code data.result} of an instant query, straight from the API (for test set-up, not for asserting the provider). */
    public JsonNode query(String promql) {
        try {
            HttpRequest request = request("/api/v1/query")
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body()).path("data").path("result");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits (at most 20 s) until {@code promql} returns at least one series. */
    public void awaitSeries(String promql) {
        await("series for " + promql).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> query(promql).size() > 0);
    }

    @Override
    public void close() {
        stop();
        deleteRecursively(dir);
    }

    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        await("Prometheus ready on port " + port).atMost(STARTUP).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("Prometheus exited with code " + process.exitValue());
                    }
                    try {
                        HttpResponse<Void> response = http.send(request("/-/ready").timeout(Duration.ofSeconds(1))
                                .build(),
                                HttpResponse.BodyHandlers.discarding());
                        return response.statusCode() == 200;
                    } catch (IOException notYet) {
                        return false;
                    }
                });
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("prometheus.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static Process launch(Path binary, Path dir, int port, boolean web) {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data-" + port),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn"));
        if (web) {
            command.add("--web.config.file=" + dir.resolve("web.yml"));
        }
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary, e);
        }
    }

    private static String config(Duration scrapeInterval, String... targets) {
        StringBuilder yaml = new StringBuilder();
        String interval = scrapeInterval.toMillis() + "ms";
        yaml.append("global:\n  scrape_interval: ").append(interval).append("\n  evaluation_interval: ")
                .append(interval).append("\nscrape_configs:\n  - job_name: test\n    scrape_timeout: ")
                .append(interval).append("\n    static_configs:\n      - targets: [");
        for (int i = 0; i < targets.length; i++) {
            yaml.append(i == 0 ? "" : ", ").append('"').append(targets[i]).append('"');
        }
        return yaml.append("]\n").toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp dir left behind is harmless.
        }
    }
}
