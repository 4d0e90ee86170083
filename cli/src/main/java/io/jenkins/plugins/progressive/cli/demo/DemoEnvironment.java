package io.jenkins.plugins.progressive.cli.demo;

import io.jenkins.plugins.progressive.hosts.haproxy.HaproxyRouter;
import io.jenkins.plugins.progressive.hosts.local.LocalProcesses;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code progressive demo} runs on loopback, all real: HAProxy (runtime API socket, an empty backend
 * {@code demo} that the rollout fills, its built-in Prometheus exporter), Prometheus scraping the demo
 * instances through the file_sd file the local target writes (every second), and a load generator through
 * HAProxy. The instances themselves ({@link DemoInstance}) are started by the rollout engine.
 * Tests reuse it as their real HAProxy and Prometheus.
 */
public final class DemoEnvironment implements AutoCloseable {

    /** The Debian packages the demo needs. */
    public static final String PACKAGES = "apt-get install haproxy prometheus";
    public static final String BACKEND = "demo";

    private final Path dir;
    private final int port;
    private final int statsPort;
    private final Path socket;
    private final Path fileSd;
    private Process haproxy;
    private Process prometheus;
    private int prometheusPort;
    private LoadGenerator load;

    private DemoEnvironment(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.statsPort = Programs.freePort();
        this.socket = dir.resolve("haproxy-admin.sock");
        this.fileSd = dir.resolve("targets.json");
    }

    /** A program the demo needs is not installed. */
    public static final class MissingProgram extends Exception {
        private static final long serialVersionUID = 1L;

        MissingProgram(String message) {
            super(message, null, false, false);
        }
    }

    /** Where the demo looks for its programs: $PATH and the sbin directories. */
    public static List<Path> searchPath() {
        return Programs.searchPath();
    }

    /** Fails naming the Debian packages when haproxy or prometheus is not installed. */
    public static void requirePrograms() throws MissingProgram {
        requirePrograms(searchPath());
    }

    /** Fails naming the Debian packages when haproxy or prometheus is not in {@code searchPath}. */
    public static void requirePrograms(List<Path> searchPath) throws MissingProgram {
        List<String> missing = new ArrayList<>();
        for (String p : List.of("haproxy", "prometheus")) {
            if (Programs.find(p, searchPath).isEmpty()) {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            throw new MissingProgram(String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are")
                    + " not installed; the demo runs the real programs: " + PACKAGES);
        }
    }

    /**
     * Starts HAProxy and Prometheus in {@code dir}.
     *
     * @param port the demo's front port, 0 for a free one
     */
    public static DemoEnvironment start(Path dir, int port) throws MissingProgram, IOException {
        requirePrograms();
        Files.createDirectories(dir);
        DemoEnvironment env = new DemoEnvironment(dir, port == 0 ? Programs.freePort() : port);
        try {
            env.startHaproxy();
            Files.writeString(env.fileSd, "[]");
            env.startPrometheus();
            return env;
        } catch (IOException | RuntimeException e) {
            env.close();
            throw e;
        }
    }

    private void startHaproxy() throws IOException {
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, """
                global
                  stats socket %s level admin
                defaults
                  mode http
                  timeout connect 2s
                  timeout client 30s
                  timeout server 30s
                  retries 3
                  option redispatch 1
                frontend demo
                  bind 127.0.0.1:%d
                  default_backend %s
                frontend stats
                  bind 127.0.0.1:%d
                  http-request use-service prometheus-exporter if { path /metrics }
                backend %s
                  balance roundrobin
                """.formatted(socket, port, BACKEND, statsPort, BACKEND));
        Path log = dir.resolve("haproxy.log");
        haproxy = Programs.start(List.of(Programs.find("haproxy").orElseThrow().toString(), "-f", cfg.toString(),
                "-db"), log);
        Programs.awaitReady("haproxy", haproxy, log, 10_000, () -> Files.exists(socket) && Programs.accepting(port)
                && Programs.accepting(statsPort));
    }

    private void startPrometheus() throws IOException {
        prometheusPort = Programs.freePort();
        Path cfg = dir.resolve("prometheus.yml");
        Files.writeString(cfg, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: demo
                    honor_labels: true
                    scrape_timeout: 1s
                    file_sd_configs:
                      - files: ["%s"]
                        refresh_interval: 1s
                  - job_name: haproxy
                    scrape_timeout: 1s
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(fileSd, statsPort));
        Path log = dir.resolve("prometheus.log");
        prometheus = Programs.start(List.of(Programs.find("prometheus").orElseThrow().toString(),
                "--config.file=" + cfg, "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort, "--log.level=warn"), log);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Programs.awaitReady("prometheus", prometheus, log, 30_000, () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(prometheusAddress() + "/-/ready"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    public Path directory() {
        return dir;
    }

    /** HAProxy's front door, where the load goes. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    public int port() {
        return port;
    }

    public String runtimeApi() {
        return "unix:" + socket;
    }

    public String prometheusAddress() {
        return "http://127.0.0.1:" + prometheusPort;
    }

    public Path fileSd() {
        return fileSd;
    }

    /** What HAProxy's backend serves now, read through the runtime API. */
    public Routes routes() {
        return router().getRoutes();
    }

    /** HAProxy's weight for each managed server ({@code stable-1}, {@code canary-1}…), read through the runtime API. */
    public Map<String, Integer> weights() {
        return router().weights();
    }

    private HaproxyRouter router() {
        return new HaproxyRouter(new Traffic.Haproxy(runtimeApi(), BACKEND), r -> List.of());
    }

    /** Starts steady load through HAProxy (two clients, about 100 requests a second). */
    public LoadGenerator startLoad() {
        if (load == null) {
            load = LoadGenerator.start(uri());
        }
        return load;
    }

    /** Stops Prometheus (tests: a metrics server that goes away mid-rollout). */
    public void stopPrometheus() {
        Programs.stop(prometheus);
    }

    /**
     * The java command line that starts one demo instance of any version; {@code failingVersion} fails 30%.
     * The JVM options and the class path go into an argument file: the command stays short, so the local
     * target can recognise its processes after a restart (it compares the recorded command with the one the JDK
     * reads back from {@code /proc/PID/cmdline}, which came back cut short for a long class path).
     */
    public List<String> instanceCommand(Optional<String> failingVersion) throws IOException {
        Path args = dir.resolve("demo-instance.args");
        String classPath = System.getProperty("java.class.path");
        Files.writeString(args, String.join("\n", "-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-cp", quoteArg(classPath), DemoInstance.class.getName()) + "\n");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "@" + args,
                "--port", "{port}", "--version", "{version}"));
        failingVersion.ifPresent(v -> command.addAll(List.of("--failing-version", v, "--error-rate", "0.3")));
        return command;
    }

    private static String quoteArg(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * A spec for this environment: the demo instances behind HAProxy, an error-rate template on Prometheus.
     *
     * @param strategy canary, bluegreen or rolling
     */
    public String spec(String version, String strategy, Optional<String> failingVersion) throws IOException {
        String strategyYaml = switch (strategy) {
            case "canary" -> """
                      canary:
                        steps:
                          - setWeight: 20
                          - analysis: [error-rate]
                          - setWeight: 50
                          - analysis: [error-rate]
                          - setWeight: 100
                    """;
            case "bluegreen" -> """
                      blueGreen: {postPromotionAnalysis: [error-rate], autoPromotion: true, scaleDownDelay: 5s}
                    """;
            case "rolling" -> """
                      rolling: {batches: ["50%", "100%"], pauseBetweenBatches: 1s, analysis: [error-rate]}
                    """;
            default -> throw new IllegalArgumentException("strategy must be canary, bluegreen or rolling, got "
                    + strategy);
        };
        return spec(version, strategyYaml, "rolling".equals(strategy) ? 2 : 1, failingVersion);
    }

    /**
     * A spec with the given {@code strategy:} body (indented by two spaces) and the same error-rate template.
     */
    public String spec(String version, String strategyYaml, int instances, Optional<String> failingVersion)
            throws IOException {
        return spec(version, strategyYaml, instances, failingVersion, "haproxy: {runtimeApi: " + quote(runtimeApi())
                + ", backend: " + BACKEND + "}");
    }

    /** The same with another {@code traffic:} body (one line, e.g. {@code nginx: {...}}). */
    public String spec(String version, String strategyYaml, int instances, Optional<String> failingVersion,
            String trafficYaml) throws IOException {
        StringBuilder command = new StringBuilder("[");
        List<String> argv = instanceCommand(failingVersion);
        for (int i = 0; i < argv.size(); i++) {
            command.append(i == 0 ? "" : ", ").append(quote(argv.get(i)));
        }
        command.append(']');
        return """
                name: demo
                version: %s
                target:
                  local:
                    command: %s
                    instances: %d
                    readiness: {http: /health, timeout: 20s}
                    discovery: {prometheusFileSd: %s}
                traffic:
                  %s
                strategy:
                %s
                %s
                onFailure: rollback
                """.formatted(quote(version), command, instances, quote(fileSd.toString()), trafficYaml,
                strategyYaml.stripTrailing(), errorRateAnalysis().stripTrailing());
    }

    /**
     * The {@code analysis:} block of the demo's specs: template {@code error-rate}, the canary version's share of
     * failed requests over 5 s in this Prometheus (below 1% passes, from 5% fails; 2 measurements 2 s apart).
     */
    public String errorRateAnalysis() {
        return """
                analysis:
                  error-rate:
                    prometheus:
                      address: %s
                      query: 'sum(rate(errors_total{version="{{canary.version}}"}[5s])) / sum(rate(requests_total{version="{{canary.version}}"}[5s]))'
                    successCondition: "result < 0.01"
                    failureCondition: "result >= 0.05"
                    initialDelay: 3s
                    interval: 2s
                    count: 2
                    failureLimit: 0
                    consecutiveErrorLimit: 4
                """.formatted(quote(prometheusAddress()));
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Stops the demo instances a local target recorded in {@code instancesDir} (both roles). */
    public static void stopInstances(Target.Local target, Path instancesDir) {
        if (!Files.isDirectory(instancesDir)) {
            return;
        }
        LocalProcesses processes = new LocalProcesses(target, instancesDir, Duration.ofSeconds(2));
        List<ProcessHandle> running = processes.instances().stream().filter(LocalProcesses.Info::alive)
                .flatMap(i -> ProcessHandle.of(i.pid()).stream()).toList();
        for (Role role : Role.values()) {
            processes.scale(role, "stopped", 0);
        }
        long deadline = System.currentTimeMillis() + 5_000;
        while (running.stream().anyMatch(ProcessHandle::isAlive) && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        running.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void close() {
        if (load != null) {
            load.close();
        }
        Programs.stop(prometheus);
        Programs.stop(haproxy);
    }

}
