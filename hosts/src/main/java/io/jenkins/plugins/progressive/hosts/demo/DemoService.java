package io.jenkins.plugins.progressive.hosts.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A tiny versioned web service for demos and tests: {@code /} answers {@code version=V} (or 500 for a
 * configured share of requests), {@code /health} answers {@code {"status":"ok"}}, {@code /metrics} exposes
 * Prometheus counters and a latency histogram labelled with the version.
 *
 * <p>On SIGTERM it stops accepting connections and lets requests in flight finish, so a balancer that
 * retries refused connections loses nothing.
 */
public final class DemoService implements AutoCloseable {

    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

    private final HttpServer server;
    private final ExecutorService executor;
    private final String version;
    private final double errorRate;
    private final long latencyMillis;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLongArray bucketCounts = new AtomicLongArray(BUCKETS.length);
    private final DoubleAdder latencySum = new DoubleAdder();

    private DemoService(HttpServer server, String version, double errorRate, long latencyMillis) {
        this.server = server;
        this.version = version;
        this.errorRate = errorRate;
        this.latencyMillis = latencyMillis;
        this.executor = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "demo-" + version);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health", this::health);
        server.createContext("/metrics", this::metrics);
        server.createContext("/", this::root);
        server.start();
    }

    /**
     * Starts a service on 127.0.0.1.
     *
     * @param port 0 for any free port
     * @param errorRate share of {@code /} requests answered with 500, 0..1
     * @throws BindException naming the port when it is already in use
     */
    public static DemoService start(int port, String version, double errorRate, long latencyMillis)
            throws IOException {
        if (errorRate < 0 || errorRate > 1) {
            throw new IllegalArgumentException("--error-rate must be between 0 and 1, got " + errorRate);
        }
        if (latencyMillis < 0) {
            throw new IllegalArgumentException("--latency-ms must be >= 0, got " + latencyMillis);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        } catch (BindException e) {
            BindException clear = new BindException("port " + port + " is already in use on 127.0.0.1");
            clear.initCause(e);
            throw clear;
        }
        return new DemoService(server, version, errorRate, latencyMillis);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String version() {
        return version;
    }

    /** Requests served on {@code /} so far. */
    public long requests() {
        return requests.get();
    }

    /** Requests on {@code /} being answered now. */
    public long inFlight() {
        return inFlight.get();
    }

    private void root(HttpExchange exchange) throws IOException {
        inFlight.incrementAndGet();
        try {
            serve(exchange);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        try {
            if (latencyMillis > 0) {
                Thread.sleep(latencyMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long n = requests.incrementAndGet();
        // Deterministic share: the n-th request fails when it keeps the error count at floor(n * rate).
        boolean fail = (long) Math.floor(n * errorRate) > (long) Math.floor((n - 1) * errorRate);
        if (fail) {
            errors.incrementAndGet();
        } else {
            ok.incrementAndGet();
        }
        observe((System.nanoTime() - started) / 1e9);
        send(exchange, fail ? 500 : 200, "text/plain", fail ? "error version=" + version + "\n" : "version=" + version + "\n");
    }

    private void observe(double seconds) {
        latencySum.add(seconds);
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                bucketCounts.incrementAndGet(i);
            }
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        send(exchange, 200, "application/json", "{\"status\":\"ok\"}");
    }

    private void metrics(HttpExchange exchange) throws IOException {
        String v = version.replace("\\", "\\\\").replace("\"", "\\\"");
        StringBuilder out = new StringBuilder();
        out.append("# HELP requests_total Requests served on /.\n# TYPE requests_total counter\n");
        out.append("requests_total{version=\"").append(v).append("\",code=\"200\"} ").append(ok.get()).append('\n');
        out.append("requests_total{version=\"").append(v).append("\",code=\"500\"} ").append(errors.get()).append('\n');
        out.append("# HELP errors_total Requests answered with a 5xx.\n# TYPE errors_total counter\n");
        out.append("errors_total{version=\"").append(v).append("\"} ").append(errors.get()).append('\n');
        out.append("# HELP request_duration_seconds Latency of requests on /.\n");
        out.append("# TYPE request_duration_seconds histogram\n");
        for (int i = 0; i < BUCKETS.length; i++) {
            out.append("request_duration_seconds_bucket{version=\"").append(v).append("\",le=\"")
                    .append(String.format(Locale.ROOT, "%s", BUCKETS[i])).append("\"} ")
                    .append(bucketCounts.get(i)).append('\n');
        }
        long count = ok.get() + errors.get();
        out.append("request_duration_seconds_bucket{version=\"").append(v).append("\",le=\"+Inf\"} ").append(count)
                .append('\n');
        out.append("request_duration_seconds_sum{version=\"").append(v).append("\"} ")
                .append(String.format(Locale.ROOT, "%.6f", latencySum.sum())).append('\n');
        out.append("request_duration_seconds_count{version=\"").append(v).append("\"} ").append(count).append('\n');
        send(exchange, 200, "text/plain; version=0.0.4", out.toString());
    }

    private static void send(HttpExchange exchange, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Lets the requests in flight finish (up to a second), then closes the port and every connection. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        server.stop(0);
        shutdownExecutor();
    }

    /** On SIGTERM: closes the port at once, then waits up to two seconds for requests in flight. */
    private void terminate() {
        server.stop(2);
        shutdownExecutor();
    }

    private void shutdownExecutor() {
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) {
        Integer port = null;
        String version = null;
        double errorRate = 0;
        long latency = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + arg);
                }
                String value = args[++i];
                switch (arg) {
                    case "--port" -> port = parseInt(arg, value);
                    case "--version" -> version = value;
                    case "--error-rate" -> errorRate = parseDouble(arg, value);
                    case "--latency-ms" -> latency = parseInt(arg, value);
                    default -> throw new IllegalArgumentException("unknown option " + arg
                            + " (allowed: --port, --version, --error-rate, --latency-ms)");
                }
            }
            if (port == null || version == null) {
                throw new IllegalArgumentException("--port and --version are required");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be 0..65535, got " + port);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            System.err.println("usage: DemoService --port P --version V [--error-rate 0.2] [--latency-ms N]");
            System.exit(2);
            return;
        }
        try {
            DemoService service = start(port, version, errorRate, latency);
            Runtime.getRuntime().addShutdownHook(new Thread(service::terminate, "demo-shutdown"));
            System.out.println("demo version=" + version + " listening on 127.0.0.1:" + service.port());
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("demo: " + e.getMessage());
            System.exit(2);
        }
    }

    private static int parseInt(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, got '" + value + "'");
        }
    }

    private static double parseDouble(String option, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, got '" + value + "'");
        }
    }
}
