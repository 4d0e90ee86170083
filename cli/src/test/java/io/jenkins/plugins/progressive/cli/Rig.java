package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.progressive.cli.demo.DemoEnvironment;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import io.jenkins.plugins.progressive.spec.Target;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real parts of one CLI test: HAProxy and Prometheus on loopback (the demo's environment), a state
 * directory, and version 1.0.0 of the demo service already released behind HAProxy.
 */
final class Rig implements AutoCloseable {

    /** One document: text after it (a second document, stray output) fails the parse. */
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    final DemoEnvironment env;
    final Path dir;
    final Path stateDir;
    private final List<Path> specs = new ArrayList<>();

    private Rig(Path dir) throws Exception {
        this.dir = dir;
        this.stateDir = dir.resolve("state");
        try {
            this.env = DemoEnvironment.start(dir.resolve("env"), 0);
        } catch (DemoEnvironment.MissingProgram e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** Starts HAProxy and Prometheus; the backend is empty. */
    static Rig start(Path dir) throws Exception {
        return new Rig(dir);
    }

    /** Starts HAProxy and Prometheus and releases 1.0.0 (a first release: straight to 100%). */
    static Rig withStable(Path dir, Optional<String> failingVersion) throws Exception {
        Rig rig = new Rig(dir);
        try {
            Path stable = rig.write("stable.yaml", rig.env.spec("1.0.0", "canary", failingVersion));
            CliRun first = rig.run(stable);
            assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
            assertThat(rig.env.routes().stable()).isEqualTo(100);
            return rig;
        } catch (Exception | AssertionError e) {
            rig.close();
            throw e;
        }
    }

    Path write(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        specs.add(file);
        return file;
    }

    CliRun run(Path spec, String... more) {
        List<String> args = new ArrayList<>(List.of("run", spec.toString(), "--state-dir", stateDir.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** Ports of the instances whose log names start with {@code prefix} (their first line names the port). */
    List<Integer> instancePorts(String prefix) throws IOException {
        Path logs = stateDir.resolve("instances").resolve("demo").resolve("logs");
        List<Integer> ports = new ArrayList<>();
        try (var files = Files.list(logs)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)
                    && f.toString().endsWith(".out")).toList()) {
                Matcher m = LISTENING.matcher(Files.readString(f));
                if (m.find()) {
                    ports.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        return ports;
    }

    static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The bodies of {@code n} requests through HAProxy, one after the other. */
    List<String> answers(int n) throws IOException, InterruptedException {
        return answers(env.uri(), n);
    }

    /** The bodies of {@code n} requests to {@code uri}, one after the other. */
    static List<String> answers(java.net.URI uri, int n) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            bodies.add(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                    .body().trim());
        }
        return bodies;
    }

    static JsonNode json(CliRun run) throws IOException {
        return JSON.readTree(run.out());
    }

    /** Kills whatever demo instances the rollouts left running, then HAProxy and Prometheus. */
    @Override
    public void close() {
        for (Path spec : specs) {
            try {
                RolloutSpec s = SpecReader.read(spec, Map.of());
                if (s.target() instanceof Target.Local local) {
                    DemoEnvironment.stopInstances(local, new Platforms(stateDir).instancesDir(s));
                }
            } catch (Exception ignored) {
                // an invalid spec started nothing
            }
        }
        env.close();
    }
}
