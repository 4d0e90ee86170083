package io.jenkins.plugins.progressive.metrics;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A tiny Prometheus exporter for tests: serves {@code /metrics} in the text exposition format, with counters
 * and gauges the test sets (NaN and ±Inf included). {@link PrometheusServer} scrapes it.
 *
 * <pre>{@code
 * try (TestExporter exporter = TestExporter.start()) {
 *     exporter.counter("http_requests_total", Map.of("version", "1.0"), 100);
 *     exporter.gauge("queue_depth", Map.of(), Double.NaN);
 * }
 * }</pre>
 */
public final class TestExporter implements AutoCloseable {

    private record Family(String type, Map<Map<String, String>, Double> series) {
    }

    private final HttpServer server;
    private final Map<String, Family> families = new LinkedHashMap<>();
    private final AtomicInteger scrapes = new AtomicInteger();
    private final AtomicReference<Instant> firstScrape = new AtomicReference<>();

    private TestExporter(HttpServer server) {
        this.server = server;
    }

    public static TestExporter start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            TestExporter exporter = new TestExporter(server);
            server.createContext("/metrics", exchange -> {
                exporter.firstScrape.compareAndSet(null, Instant.now());
                exporter.scrapes.incrementAndGet();
                byte[] body = exporter.exposition().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return exporter;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 127.0.0.1:port}, for a scrape config's targets. */
    public String target() {
        return server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    public TestExporter counter(String name, Map<String, String> labels, double value) {
        return set(name, "counter", labels, value);
    }

    public TestExporter gauge(String name, Map<String, String> labels, double value) {
        return set(name, "gauge", labels, value);
    }

    public synchronized TestExporter set(String name, String type, Map<String, String> labels, double value) {
        families.computeIfAbsent(name, n -> new Family(type, new LinkedHashMap<>()))
                .series().put(new TreeMap<>(labels), value);
        return this;
    }

    /** How often Prometheus has scraped so far. */
    public int scrapes() {
        return scrapes.get();
    }

    /** When Prometheus first scraped; series exist in Prometheus from then on. */
    public Optional<Instant> firstScrape() {
        return Optional.ofNullable(firstScrape.get());
    }

    synchronized String exposition() {
        StringBuilder out = new StringBuilder();
        families.forEach((name, family) -> {
            out.append("# TYPE ").append(name).append(' ').append(family.type()).append('\n');
            family.series().forEach((labels, value) -> {
                out.append(name);
                if (!labels.isEmpty()) {
                    out.append('{');
                    String sep = "";
                    for (Map.Entry<String, String> label : labels.entrySet()) {
                        out.append(sep).append(label.getKey()).append("=\"").append(escape(label.getValue()))
                                .append('"');
                        sep = ",";
                    }
                    out.append('}');
                }
                out.append(' ').append(format(value)).append('\n');
            });
        });
        return out.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(value);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
