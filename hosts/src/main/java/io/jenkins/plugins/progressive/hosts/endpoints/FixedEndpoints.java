package io.jenkins.plugins.progressive.hosts.endpoints;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.rollout.Workload;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Instances that already run elsewhere; only traffic is managed. The spec names two sets of endpoints:
 * {@code stable} runs the version that serves now, {@code canary} runs the new {@code version}. Nothing is
 * started or stopped: {@link #scale} puts a role on the set that runs the version asked for (all its
 * endpoints, whatever the count), and 0 takes the role out of routing. So promotion, which asks the stable
 * role for the new version, moves it onto the canary endpoints (the roles swap), and a rollback, which asks
 * for the previous version, moves it back.
 *
 * <p>Which set each role is on and which version each endpoint runs are kept in a memory file (the state
 * directory), so the next run knows the version the stable endpoints serve: a rollout onto endpoints that
 * serve is then never taken for a first release. Before any rollout has run on them, the stable
 * endpoints' version is {@value #UNKNOWN}.
 */
public final class FixedEndpoints implements Workload {

    /** The stable endpoints' version before progressive has recorded one. */
    public static final String UNKNOWN = "unknown";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Target.Endpoints target;
    private final Optional<String> version;
    private final Optional<String> healthPath;
    private final Optional<Path> memoryFile;
    private final Map<String, String> versions = new LinkedHashMap<>();
    private final Map<Role, Assigned> roles = new EnumMap<>(Role.class);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** A role on one set of endpoints, asked for {@code replicas} instances of {@code version}. */
    record Assigned(List<String> endpoints, String version, int replicas) {
    }

    /** What the memory file holds. */
    record Memory(Map<String, String> versions, Map<Role, Assigned> roles) {
    }

    /**
     * @param version the version the canary endpoints run (the spec's {@code version})
     * @param healthPath an HTTP path each endpoint must answer 2xx on to count as ready; empty: always ready
     * @param memoryFile where roles and versions are remembered between runs; empty: only in memory
     */
    public FixedEndpoints(Target.Endpoints target, String version, Optional<String> healthPath,
            Optional<Path> memoryFile) {
        this(target, Optional.of(version), healthPath, memoryFile);
    }

    /**
     * Endpoints whose roles and versions are remembered in {@code stateDir/endpoints/}, in a file named after the
     * rollout and ALL listed endpoints, so the next release, which swaps the two lists, finds the same record.
     */
    public static FixedEndpoints remembered(Target.Endpoints target, String name, String version, Path stateDir) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(target.stable());
        all.addAll(target.canary());
        String id = Integer.toHexString(String.join(",", all).hashCode());
        Path memory = stateDir.resolve("endpoints").resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + id + ".json");
        return new FixedEndpoints(target, version, Optional.empty(), Optional.of(memory));
    }

    /** Without a version or memory: each role stays on its own endpoints (the stable version is unknown). */
    public FixedEndpoints(Target.Endpoints target, Optional<String> healthPath) {
        this(target, Optional.empty(), healthPath, Optional.empty());
    }

    private FixedEndpoints(Target.Endpoints target, Optional<String> version, Optional<String> healthPath,
            Optional<Path> memoryFile) {
        if (target.stable().isEmpty()) {
            throw new IllegalArgumentException("target.endpoints.stable must list at least one host:port");
        }
        for (Role role : Role.values()) {
            List<String> list = declared(target, role);
            for (int i = 0; i < list.size(); i++) {
                if (!list.get(i).matches("[^\\s:/]+:\\d{1,5}")) {
                    throw new IllegalArgumentException("target.endpoints." + name(role) + "[" + i
                            + "] must be host:port, got '" + list.get(i) + "'");
                }
            }
        }
        this.target = target;
        this.version = version;
        this.healthPath = healthPath;
        this.memoryFile = memoryFile;
        Memory remembered = load();
        versions.putAll(remembered.versions());
        remembered.roles().forEach((role, a) -> {
            if (isDeclaredSet(a.endpoints())) {
                roles.put(role, a);
            }
        });
        if (!roles.containsKey(Role.STABLE)) {
            roles.put(Role.STABLE, new Assigned(target.stable(), versionOf(target.stable()), target.stable().size()));
        }
    }

    /**
     * Refuses a spec that contradicts what the last rollout left: its canary endpoints serve as stable with
     * another version than the spec's. Changes nothing.
     */
    public void check() throws InvalidSpecException {
        Assigned stable = roles.get(Role.STABLE);
        if (version.isPresent() && !target.canary().isEmpty() && stable.endpoints().equals(target.canary())
                && !stable.version().equals(version.get())) {
            throw new InvalidSpecException("target.endpoints.canary", "the endpoints " + target.canary()
                    + " serve as stable with version " + stable.version() + " since the last rollout; list them under"
                    + " target.endpoints.stable and the endpoints that run " + version.get() + " under canary");
        }
    }

    /** The role's endpoints while it is in routing, else nothing. */
    public synchronized List<String> addresses(Role role) {
        Assigned a = roles.get(role);
        return a == null || a.replicas() == 0 ? List.of() : a.endpoints();
    }

    @Override
    public synchronized RoleStatus status(Role role) {
        Assigned a = roles.get(role);
        if (a == null || a.replicas() == 0) {
            return RoleStatus.NONE;
        }
        Optional<String> v = Optional.of(a.version());
        if (a.endpoints().isEmpty()) {
            return new RoleStatus(v, a.replicas(), 0, 0, Optional.of("target.endpoints." + name(role)
                    + " is empty: there is nothing to route to"));
        }
        boolean healthy = a.endpoints().stream().allMatch(this::healthy);
        return new RoleStatus(v, a.replicas(), a.replicas(), healthy ? a.replicas() : 0, Optional.empty());
    }

    @Override
    public synchronized void scale(Role role, String wanted, int replicas) {
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must be >= 0, got " + replicas);
        }
        List<String> set = setRunning(wanted, role);
        roles.put(role, new Assigned(set, wanted, replicas));
        if (replicas > 0 && !UNKNOWN.equals(wanted)) {
            set.forEach(e -> versions.put(e, wanted));
        }
        save();
    }

    /** How many endpoints serve as stable now. */
    @Override
    public synchronized int size() {
        return roles.get(Role.STABLE).endpoints().size();
    }

    /** The declared set that runs {@code wanted}: the canary set runs the spec's version. */
    private List<String> setRunning(String wanted, Role role) {
        if (version.isPresent() && version.get().equals(wanted)) {
            return target.canary();
        }
        if (version.isPresent() && wanted.equals(versionOf(target.stable()))) {
            return target.stable();
        }
        return declared(target, role);
    }

    /** The version recorded for all of {@code set}, else {@value #UNKNOWN}. */
    private String versionOf(List<String> set) {
        String common = set.isEmpty() ? null : versions.get(set.get(0));
        for (String e : set) {
            if (!Objects.equals(common, versions.get(e))) {
                return UNKNOWN;
            }
        }
        return common == null ? UNKNOWN : common;
    }

    private boolean isDeclaredSet(List<String> set) {
        return set != null && !set.isEmpty() && (set.equals(target.stable()) || set.equals(target.canary()));
    }

    private static List<String> declared(Target.Endpoints target, Role role) {
        return role == Role.STABLE ? target.stable() : target.canary();
    }

    private static String name(Role role) {
        return role.name().toLowerCase(Locale.ROOT);
    }

    private Memory load() {
        if (memoryFile.isEmpty() || !Files.exists(memoryFile.get())) {
            return new Memory(Map.of(), Map.of());
        }
        try {
            Memory m = JSON.readValue(memoryFile.get().toFile(), Memory.class);
            return new Memory(m.versions() == null ? Map.of() : m.versions(), m.roles() == null ? Map.of() : m.roles());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + memoryFile.get() + ": " + e.getMessage(), e);
        }
    }

    private void save() {
        if (memoryFile.isEmpty()) {
            return;
        }
        Path file = memoryFile.get();
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), new Memory(versions, roles));
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private boolean healthy(String endpoint) {
        if (healthPath.isEmpty()) {
            return true;
        }
        String path = healthPath.get().startsWith("/") ? healthPath.get() : "/" + healthPath.get();
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://" + endpoint + path))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
