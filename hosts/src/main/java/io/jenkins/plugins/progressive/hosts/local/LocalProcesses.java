package io.jenkins.plugins.progressive.hosts.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.rollout.Workload;
import io.jenkins.plugins.progressive.spec.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a local target's instances as processes on this host, {@code instances} per version, each on a
 * free loopback port. Nothing here waits: {@link #scale} starts and stops processes, {@link #status} probes
 * readiness over HTTP.
 *
 * <p>Everything needed to find the processes again (pid, port, role, version, argv) is kept in a state
 * file in the state directory, so a new {@code LocalProcesses} on the same directory — the CLI resumed
 * after it was killed — adopts the instances that still run the recorded command. Each instance's output
 * goes to files in that directory, which outlive the CLI.
 */
public final class LocalProcesses implements Workload {

    private static final String STATE_FILE = "instances.json";
    private static final int STDERR_LINES = 10;
    private static final ScheduledExecutorService KILLER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "local-processes-killer");
        t.setDaemon(true);
        return t;
    });

    private final Target.Local target;
    private final Path stateDir;
    private final Duration stopGrace;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Map<Role, State.Desired> desired = new EnumMap<>(Role.class);
    private final List<Instance> instances = new ArrayList<>();
    /** Instances sent SIGTERM that may still be finishing their requests; a role at 0 waits for them. */
    private final List<Instance> stopping = new ArrayList<>();

    /**
     * Adopts the instances recorded in {@code stateDir} that still run.
     *
     * @param stopGrace how long an instance may take to exit after SIGTERM before it gets SIGKILL
     */
    public LocalProcesses(Target.Local target, Path stateDir, Duration stopGrace) {
        if (target.command().isEmpty()) {
            throw new IllegalArgumentException("target.local.command must not be empty");
        }
        if (target.instances() < 1) {
            throw new IllegalArgumentException("target.local.instances must be at least 1, got " + target.instances());
        }
        this.target = target;
        this.stateDir = stateDir;
        this.stopGrace = stopGrace;
        try {
            Files.createDirectories(stateDir.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create state directory " + stateDir + ": " + e.getMessage(), e);
        }
        load();
    }

    public LocalProcesses(Target.Local target, Path stateDir) {
        this(target, stateDir, Duration.ofSeconds(10));
    }

    /** One started process of a role. */
    public record Info(Role role, String version, int index, long pid, int port, boolean alive, boolean ready) {
        public String address() {
            return "127.0.0.1:" + port;
        }
    }

    /** Every instance this workload knows, running or not. */
    public synchronized List<Info> instances() {
        return instances.stream().map(i -> new Info(i.role, i.version, i.index, i.pid, i.port, i.alive(), i.ready))
                .toList();
    }

    /** {@code host:port} of the role's running instances that have passed readiness, for a traffic router. */
    public synchronized List<String> addresses(Role role) {
        List<String> result = new ArrayList<>();
        for (Instance instance : instances) {
            if (instance.role == role && instance.alive()) {
                if (!instance.ready) {
                    instance.ready = probe(instance);
                }
                if (instance.ready) {
                    result.add("127.0.0.1:" + instance.port);
                }
            }
        }
        return result;
    }

    @Override
    public synchronized RoleStatus status(Role role) {
        State.Desired wanted = desired.get(role);
        stopping.removeIf(i -> !i.alive());
        if (wanted == null || wanted.replicas() == 0) {
            long left = java.util.stream.Stream.concat(instances.stream(), stopping.stream())
                    .filter(i -> i.role == role && i.alive()).count();
            return new RoleStatus(Optional.empty(), 0, 0, (int) left, Optional.empty());
        }
        int updated = 0;
        int ready = 0;
        String failure = null;
        boolean changed = false;
        for (Instance instance : instances) {
            if (instance.role != role || !instance.version.equals(wanted.version())) {
                continue;
            }
            if (!instance.alive()) {
                if (failure == null) {
                    failure = instance.describeExit();
                }
                continue;
            }
            updated++;
            boolean wasReady = instance.ready;
            instance.ready = probe(instance);
            changed |= wasReady != instance.ready;
            if (instance.ready) {
                ready++;
                instance.everReady = true;
            } else if (!instance.everReady && failure == null
                    && System.currentTimeMillis() - instance.startedAt > target.readiness().timeout().toMillis()) {
                failure = instance.name() + " (pid " + instance.pid + ", port " + instance.port + ") is not ready after "
                        + target.readiness().timeout().toSeconds() + "s: GET " + target.readiness().http()
                        + " did not answer 2xx" + instance.lastStderr();
            }
        }
        if (changed) {
            save();
        }
        return new RoleStatus(Optional.of(wanted.version()), wanted.replicas(), updated, ready,
                Optional.ofNullable(failure));
    }

    @Override
    public synchronized void scale(Role role, String version, int replicas) {
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must be >= 0, got " + replicas);
        }
        desired.put(role, new State.Desired(version, replicas));
        for (Instance instance : List.copyOf(instances)) {
            if (instance.role == role && (!instance.version.equals(version) || replicas == 0)) {
                stop(instance);
            }
        }
        List<Instance> current = new ArrayList<>(instances.stream().filter(i -> i.role == role).toList());
        // Extras go first when dead, then the highest index.
        current.sort(Comparator.comparing((Instance i) -> i.alive()).reversed().thenComparingInt(i -> i.index));
        while (current.size() > replicas) {
            stop(current.remove(current.size() - 1));
        }
        for (int n = current.size(); n < replicas; n++) {
            instances.add(start(role, version, nextIndex(role), freePort()));
        }
        save();
    }

    /**
     * Starts an instance a snapshot recorded again, on its recorded port, unless it still runs: what a
     * restore does for a process that is gone. The role's desired state becomes the version with at least
     * as many instances as now run it.
     *
     * @return why it was not started (it runs, or another process holds its place); empty when started
     */
    public synchronized Optional<String> restart(Role role, String version, int index, int port) {
        for (Instance instance : List.copyOf(instances)) {
            if (instance.role != role || instance.index != index) {
                continue;
            }
            if (instance.alive()) {
                return Optional.of(instance.version.equals(version) && instance.port == port
                        ? instance.name() + " runs (pid " + instance.pid + ", port " + port + ")"
                        : instance.name() + " (port " + instance.port + ") runs in its place; not replaced");
            }
            instances.remove(instance);
        }
        Instance started = start(role, version, index, port);
        instances.add(started);
        if (started.startError != null) {
            save();
            return Optional.of(started.startError);
        }
        long running = instances.stream().filter(i -> i.role == role && i.version.equals(version) && i.alive()).count();
        State.Desired wanted = desired.get(role);
        if (wanted == null || !wanted.version().equals(version) || wanted.replicas() < running) {
            desired.put(role, new State.Desired(version, (int) running));
        }
        save();
        return Optional.empty();
    }

    @Override
    public int size() {
        return target.instances();
    }

    private int nextIndex(Role role) {
        int index = 1;
        while (true) {
            int candidate = index;
            if (instances.stream().noneMatch(i -> i.role == role && i.index == candidate)) {
                return index;
            }
            index++;
        }
    }

    private Instance start(Role role, String version, int index, int port) {
        List<String> argv = target.command().stream()
                .map(arg -> arg.replace("{port}", Integer.toString(port)).replace("{version}", version)).toList();
        Instance instance = new Instance(role, version, index, -1, port, argv, System.currentTimeMillis());
        Path out = instance.logFile(".out");
        Path err = instance.logFile(".err");
        try {
            Process process = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            instance.process = process;
            instance.pid = process.pid();
            instance.handle = process.toHandle();
        } catch (IOException e) {
            instance.startError = "cannot start " + instance.name() + ": " + e.getMessage();
        }
        return instance;
    }

    private void stop(Instance instance) {
        instances.remove(instance);
        if (instance.alive()) {
            stopping.add(instance);
            ProcessHandle handle = instance.handle;
            handle.destroy();
            KILLER.schedule(() -> {
                if (handle.isAlive()) {
                    handle.destroyForcibly();
                }
            }, stopGrace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private boolean probe(Instance instance) {
        String path = target.readiness().http();
        URI uri = URI.create("http://127.0.0.1:" + instance.port + (path.startsWith("/") ? path : "/" + path));
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).GET()
                    .build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    private void load() {
        Path file = stateDir.resolve(STATE_FILE);
        if (!Files.exists(file)) {
            return;
        }
        State state;
        try {
            state = json.readValue(file.toFile(), State.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read state file " + file + ": " + e.getMessage(), e);
        }
        if (state.desired() != null) {
            desired.putAll(state.desired());
        }
        for (State.Recorded r : state.instances()) {
            Instance instance = new Instance(r.role(), r.version(), r.index(), r.pid(), r.port(), r.command(),
                    r.startedAt());
            instance.ready = r.ready();
            instance.everReady = r.ready();
            instance.handle = ProcessHandle.of(r.pid()).filter(h -> runs(h, r.command())).orElse(null);
            if (instance.handle == null) {
                instance.startError = instance.name() + " (pid " + r.pid() + ", port " + r.port()
                        + ") is no longer running (exit code unknown)";
            }
            instances.add(instance);
        }
        writeFileSd();
    }

    /** True when the live process is the one recorded, not another that got the same pid. */
    private static boolean runs(ProcessHandle handle, List<String> command) {
        if (!handle.isAlive()) {
            return false;
        }
        ProcessHandle.Info info = handle.info();
        Optional<String[]> arguments = info.arguments();
        Optional<String> executable = info.command();
        if (arguments.isEmpty() || executable.isEmpty()) {
            return false;
        }
        String program = Path.of(command.get(0)).getFileName().toString();
        return Path.of(executable.get()).getFileName().toString().equals(program)
                && Arrays.asList(arguments.get()).equals(command.subList(1, command.size()));
    }

    private void save() {
        List<State.Recorded> recorded = instances.stream().filter(i -> i.pid > 0)
                .map(i -> new State.Recorded(i.role, i.version, i.index, i.pid, i.port, i.argv, i.startedAt, i.ready))
                .toList();
        try {
            writeAtomically(stateDir.resolve(STATE_FILE),
                    json.writeValueAsString(new State(new EnumMap<>(desired), recorded)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write state file in " + stateDir + ": " + e.getMessage(), e);
        }
        writeFileSd();
    }

    /** Prometheus file_sd: one target group per role and version, labelled {@code version} and {@code role}. */
    private void writeFileSd() {
        if (target.prometheusFileSd().isEmpty()) {
            return;
        }
        Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
        for (Instance instance : instances) {
            if (!instance.alive()) {
                continue;
            }
            String role = instance.role.name().toLowerCase(Locale.ROOT);
            Map<String, Object> group = groups.computeIfAbsent(role + "/" + instance.version, k -> {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("targets", new ArrayList<String>());
                g.put("labels", Map.of("version", instance.version, "role", role));
                return g;
            });
            @SuppressWarnings("unchecked")
            List<String> targets = (List<String>) group.get("targets");
            targets.add("127.0.0.1:" + instance.port);
        }
        Path file = Path.of(target.prometheusFileSd().get());
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            writeAtomically(file, json.writeValueAsString(List.copyOf(groups.values())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path temp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
        try {
            Files.writeString(temp, content);
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A process this workload started or adopted. */
    private final class Instance {
        final Role role;
        final String version;
        final int index;
        final int port;
        final List<String> argv;
        final long startedAt;
        long pid;
        Process process;
        ProcessHandle handle;
        String startError;
        boolean ready;
        boolean everReady;

        Instance(Role role, String version, int index, long pid, int port, List<String> argv, long startedAt) {
            this.role = role;
            this.version = version;
            this.index = index;
            this.pid = pid;
            this.port = port;
            this.argv = argv;
            this.startedAt = startedAt;
        }

        String name() {
            return role.name().toLowerCase(Locale.ROOT) + "-" + index + " (version " + version + ")";
        }

        boolean alive() {
            return handle != null && handle.isAlive();
        }

        Path logFile(String suffix) {
            return stateDir.resolve("logs").resolve(role.name().toLowerCase(Locale.ROOT) + "-" + index + "-" + version
                    .replaceAll("[^A-Za-z0-9._-]", "_") + suffix);
        }

        String describeExit() {
            if (startError != null) {
                return startError;
            }
            String code = process != null ? "exit code " + process.exitValue() : "exit code unknown";
            return name() + " (pid " + pid + ", port " + port + ") exited with " + code
                    + (everReady ? "" : " before it was ready") + lastStderr();
        }

        String lastStderr() {
            try {
                Path err = logFile(".err");
                if (!Files.exists(err)) {
                    return "";
                }
                List<String> lines = Files.readAllLines(err);
                List<String> tail = lines.subList(Math.max(0, lines.size() - STDERR_LINES), lines.size());
                return tail.isEmpty() ? "" : "; last stderr lines:\n" + String.join("\n", tail);
            } catch (IOException | UncheckedIOException e) {
                return "";
            }
        }
    }
}
