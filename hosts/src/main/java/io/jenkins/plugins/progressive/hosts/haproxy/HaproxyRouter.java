package io.jenkins.plugins.progressive.hosts.haproxy;

import io.jenkins.plugins.progressive.hosts.ServerWeights;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits traffic through the HAProxy runtime API, without reloads. The backend exists in haproxy.cfg
 * ({@code balance roundrobin}, usually empty); this router owns the servers named {@code stable-N} and
 * {@code canary-N} in it: it adds one server per instance of each role, sets their weights so the roles'
 * shares match the routes, and drains then deletes the servers of instances that left (and of a role whose
 * share is 0). Nothing blocks: a leaving server still busy is left draining, {@link #settled} says so, and a
 * later {@link #setRoutes} deletes it once its connections are done or the drain timeout has passed.
 *
 * <p>When a backend named {@code <backend>-preview} also exists, it always holds the canary instances
 * alone (blue-green's preview service).
 */
public final class HaproxyRouter implements TrafficRouter {

    private static final Pattern MANAGED = Pattern.compile("(stable|canary)-(\\d+)");

    private final RuntimeApi api;
    private final String invalidApi;
    private final String backend;
    private final String previewBackend;
    private final Function<Role, List<String>> addresses;
    private final Duration drainTimeout;
    /** Leaving servers ({@code backend/server}) by the time their drain ends, whatever their connections. */
    private final Map<String, Long> draining = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param addresses the {@code host:port} of every instance of a role, as the workload reports them
     * @param drainTimeout how long a leaving server may keep its open sessions before it is removed anyway
     */
    public HaproxyRouter(Traffic.Haproxy config, Function<Role, List<String>> addresses, Duration drainTimeout) {
        RuntimeApi parsed = null;
        String problem = null;
        try {
            parsed = new RuntimeApi(config.runtimeApi());
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        this.api = parsed;
        this.invalidApi = problem;
        this.backend = config.backend();
        this.previewBackend = config.backend() + "-preview";
        this.addresses = addresses;
        this.drainTimeout = drainTimeout;
    }

    public HaproxyRouter(Traffic.Haproxy config, Function<Role, List<String>> addresses) {
        this(config, addresses, Duration.ofSeconds(30));
    }

    /**
     * Verifies, without changing anything, that the runtime API answers with admin level and that the
     * backend exists and holds no servers other than this router's.
     */
    public void check() throws InvalidSpecException {
        if (invalidApi != null) {
            throw new InvalidSpecException("traffic.haproxy.runtimeApi", invalidApi);
        }
        String level;
        try {
            level = api.execute("show cli level");
        } catch (IOException e) {
            throw new InvalidSpecException("traffic.haproxy.runtimeApi", e.getMessage());
        }
        if (!level.equals("admin")) {
            throw new InvalidSpecException("traffic.haproxy.runtimeApi", "haproxy runtime API at " + api.address()
                    + " has level '" + level + "' (Permission denied for add/set/del server); declare the socket"
                    + " with 'stats socket ... level admin' in haproxy.cfg");
        }
        List<String> backends = backends();
        if (!backends.contains(backend)) {
            throw new InvalidSpecException("traffic.haproxy.backend", "backend '" + backend
                    + "' does not exist in HAProxy (backends: " + String.join(", ", backends) + ")");
        }
        List<String> foreign = new ArrayList<>();
        for (Server server : servers(backend)) {
            if (server.role == null && server.serving()) {
                foreign.add(server.name);
            }
        }
        if (!foreign.isEmpty()) {
            throw new InvalidSpecException("traffic.haproxy.backend", "backend '" + backend
                    + "' has servers progressive does not manage, which would take a share of the traffic: "
                    + String.join(", ", foreign) + " (remove them from haproxy.cfg; progressive adds its own)");
        }
    }

    @Override
    public void setRoutes(Routes routes) {
        Map<Role, List<String>> wanted = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            wanted.put(role, List.copyOf(new java.util.LinkedHashSet<>(addresses.apply(role))));
        }
        ServerWeights weights = ServerWeights.compute(routes, wanted.get(Role.STABLE).size(),
                wanted.get(Role.CANARY).size());
        // A role without a share has no servers in the main backend: its servers drain and go (an instance
        // about to be stopped, or one that is gone, never stays listed).
        Map<Role, List<String>> serving = new EnumMap<>(wanted);
        Map<Role, List<Integer>> perRole = new EnumMap<>(Role.class);
        perRole.put(Role.STABLE, weights.stable());
        perRole.put(Role.CANARY, weights.canary());
        if (routes.stable() == 0) {
            serving.put(Role.STABLE, List.of());
            perRole.put(Role.STABLE, List.of());
        }
        if (routes.canary() == 0) {
            serving.put(Role.CANARY, List.of());
            perRole.put(Role.CANARY, List.of());
        }
        sync(backend, serving, perRole);
        if (backends().contains(previewBackend)) {
            Map<Role, List<String>> preview = new EnumMap<>(Role.class);
            preview.put(Role.STABLE, List.of());
            preview.put(Role.CANARY, wanted.get(Role.CANARY));
            Map<Role, List<Integer>> previewWeights = new EnumMap<>(Role.class);
            previewWeights.put(Role.STABLE, List.of());
            previewWeights.put(Role.CANARY, ServerWeights.even(wanted.get(Role.CANARY).size()));
            sync(previewBackend, preview, previewWeights);
        }
    }

    @Override
    public Routes getRoutes() {
        long stable = 0;
        long canary = 0;
        for (Server server : servers(backend)) {
            if (server.serving()) {
                if (server.role == Role.STABLE) {
                    stable += server.weight;
                } else if (server.role == Role.CANARY) {
                    canary += server.weight;
                }
            }
        }
        return ServerWeights.routesOf(stable, canary);
    }

    /** The weight HAProxy uses for each of this router's servers now, by server name. */
    public Map<String, Integer> weights() {
        Map<String, Integer> result = new LinkedHashMap<>();
        for (Server server : servers(backend)) {
            if (server.role != null) {
                result.put(server.name, server.serving() ? server.weight : 0);
            }
        }
        return result;
    }

    /**
     * One server of a backend as a snapshot records it.
     *
     * @param state the administrative state: {@code ready}, {@code drain} or {@code maint}
     */
    public record BackendServer(String name, String address, int weight, String state) {
    }

    /** The backends a snapshot takes: the router's and, when it exists, its preview backend. */
    public List<String> snapshotBackends() {
        List<String> all = backends();
        return java.util.stream.Stream.of(backend, previewBackend).filter(all::contains).toList();
    }

    /** Every server of {@code backendName} (this router's and any other), in HAProxy's order. */
    public List<BackendServer> backendServers(String backendName) {
        return servers(backendName).stream().map(s -> new BackendServer(s.name, s.address, s.weight,
                adminStateName(s.adminState))).toList();
    }

    /**
     * Makes this router's servers in {@code backendName} what {@code servers} lists — addresses, weights and
     * administrative states — through the same add/weight/drain path as {@link #setRoutes}.
     *
     * @return the listed servers this router does not own (not named {@code stable-N}/{@code canary-N}), which
     *         it leaves alone
     */
    public List<String> restoreServers(String backendName, List<BackendServer> servers) {
        if (!backendName.equals(backend) && !backendName.equals(previewBackend)) {
            throw new IllegalArgumentException("backend '" + backendName + "' is not traffic.haproxy.backend '" + backend
                    + "' nor its preview backend");
        }
        Map<Role, List<String>> wanted = new EnumMap<>(Role.class);
        Map<Role, List<Integer>> weights = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            wanted.put(role, new ArrayList<>());
            weights.put(role, new ArrayList<>());
        }
        List<String> foreign = new ArrayList<>();
        // The states other than ready, by role and address: sync() makes every server ready.
        Map<String, String> notReady = new LinkedHashMap<>();
        for (BackendServer s : servers) {
            Matcher m = MANAGED.matcher(s.name());
            if (!m.matches()) {
                foreign.add(s.name());
                continue;
            }
            Role role = Role.valueOf(m.group(1).toUpperCase(Locale.ROOT));
            wanted.get(role).add(s.address());
            weights.get(role).add(s.weight());
            if (!s.state().equals("ready")) {
                notReady.put(role + " " + s.address(), s.state());
            }
        }
        sync(backendName, wanted, weights);
        for (Server live : servers(backendName)) {
            String state = notReady.get(live.role + " " + live.address);
            if (state != null) {
                expectEmpty(command("set server " + backendName + "/" + live.name + " state " + state));
            }
        }
        return foreign;
    }

    /** {@code srv_admin_state} bits: 0x08/0x10 drain, the other bits maintenance. */
    private static String adminStateName(int adminState) {
        if ((adminState & ~0x18) != 0) {
            return "maint";
        }
        return adminState != 0 ? "drain" : "ready";
    }

    private void sync(String backendName, Map<Role, List<String>> wanted, Map<Role, List<Integer>> weights) {
        List<Server> current = servers(backendName);
        Set<String> usedNames = new HashSet<>();
        current.forEach(s -> usedNames.add(s.name));
        List<Runnable> raises = new ArrayList<>();
        List<Runnable> lowers = new ArrayList<>();
        List<Server> leaving = new ArrayList<>();
        for (Role role : Role.values()) {
            List<String> roleAddresses = wanted.get(role);
            List<Integer> roleWeights = weights.get(role);
            for (int i = 0; i < roleAddresses.size(); i++) {
                String address = roleAddresses.get(i);
                int weight = roleWeights.get(i);
                Server existing = current.stream().filter(s -> s.role == role && s.address.equals(address))
                        .findFirst().orElse(null);
                if (existing == null) {
                    String name = freeName(role, usedNames);
                    usedNames.add(name);
                    raises.add(() -> {
                        expect(command("add server " + backendName + "/" + name + " " + address + " weight " + weight),
                                "New server registered");
                        expectEmpty(command("enable server " + backendName + "/" + name));
                    });
                } else {
                    String server = backendName + "/" + existing.name;
                    boolean wasServing = existing.serving();
                    if (existing.weight != weight || existing.adminState != 0) {
                        Runnable change = () -> {
                            draining.remove(server);
                            expectEmpty(command("set server " + server + " weight " + weight));
                            if (existing.adminState != 0) {
                                expectEmpty(command("set server " + server + " state ready"));
                            }
                        };
                        if (weight > (wasServing ? existing.weight : 0)) {
                            raises.add(change);
                        } else {
                            lowers.add(change);
                        }
                    }
                }
            }
            for (Server server : current) {
                if (server.role == role && !roleAddresses.contains(server.address)) {
                    leaving.add(server);
                }
            }
        }
        // New capacity first, then the shares that shrink: the backend never has nothing to serve with.
        raises.forEach(Runnable::run);
        lowers.forEach(Runnable::run);
        // Leaving servers drain (no new requests) and go once their connections are done or the drain timeout
        // passed; nothing waits here: a server still busy stays draining until a later call (see settled()).
        for (Server server : leaving) {
            String key = backendName + "/" + server.name;
            if (!draining.containsKey(key)) {
                expectEmpty(command("set server " + key + " state drain"));
                draining.put(key, System.nanoTime() + drainTimeout.toNanos());
            }
            removeIfDrained(backendName, server.name);
        }
    }

    /**
     * True when no server of this router is still draining: every change asked by {@link #setRoutes} is
     * done. While false, call {@link #setRoutes} again later with the same routes to remove the drained ones.
     */
    @Override
    public boolean settled() {
        for (String b : List.of(backend, previewBackend)) {
            if (!b.equals(backend) && !backends().contains(b)) {
                continue;
            }
            for (Server server : servers(b)) {
                if (server.role != null && server.adminState != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private void removeIfDrained(String backendName, String name) {
        String server = backendName + "/" + name;
        long deadline = draining.computeIfAbsent(server, k -> System.nanoTime() + drainTimeout.toNanos());
        long now = System.nanoTime();
        if (now < deadline && usedConnections(backendName, name) > 0) {
            return;
        }
        expectEmpty(command("set server " + server + " state maint"));
        String answer = command("del server " + server);
        if (answer.startsWith("Server deleted")) {
            draining.remove(server);
            return;
        }
        if (now > deadline + Duration.ofSeconds(5).toNanos()) {
            throw new IllegalStateException("HAProxy did not delete drained server " + server + ": " + answer
                    + " (it stays in maintenance and receives no requests)");
        }
    }

    private int usedConnections(String backendName, String name) {
        // "show servers conn" columns: bkname/svname bkid/svid addr port - purge_delay used_cur ...
        String answer = command("show servers conn " + backendName);
        List<String> header = null;
        for (String line : answer.split("\n")) {
            if (line.startsWith("#")) {
                header = Arrays.asList(line.substring(1).trim().split("\\s+"));
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            if (header != null && fields[0].equals(backendName + "/" + name)) {
                int used = header.indexOf("used_cur");
                return used >= 0 && used < fields.length ? Integer.parseInt(fields[used]) : 0;
            }
        }
        return 0;
    }

    private static String freeName(Role role, Set<String> used) {
        String prefix = role.name().toLowerCase(Locale.ROOT) + "-";
        int n = 1;
        while (used.contains(prefix + n)) {
            n++;
        }
        return prefix + n;
    }

    private List<String> backends() {
        List<String> names = new ArrayList<>();
        for (String line : command("show backend").split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.trim());
            }
        }
        return names;
    }

    private List<Server> servers(String backendName) {
        String answer = command("show servers state " + backendName);
        if (answer.contains("Can't find backend")) {
            throw new IllegalStateException("backend '" + backendName + "' does not exist in HAProxy");
        }
        List<Server> servers = new ArrayList<>();
        List<String> header = null;
        for (String line : answer.split("\n")) {
            if (line.startsWith("#")) {
                header = Arrays.asList(line.substring(1).trim().split("\\s+"));
                continue;
            }
            if (header == null || line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length < header.size()) {
                continue;
            }
            String name = f[header.indexOf("srv_name")];
            Matcher m = MANAGED.matcher(name);
            Role role = m.matches() ? Role.valueOf(m.group(1).toUpperCase(Locale.ROOT)) : null;
            servers.add(new Server(name, role, f[header.indexOf("srv_addr")] + ":" + f[header.indexOf("srv_port")],
                    Integer.parseInt(f[header.indexOf("srv_op_state")]),
                    Integer.parseInt(f[header.indexOf("srv_admin_state")]),
                    Integer.parseInt(f[header.indexOf("srv_uweight")])));
        }
        return servers;
    }

    private String command(String command) {
        if (invalidApi != null) {
            throw new IllegalStateException("traffic.haproxy.runtimeApi: " + invalidApi);
        }
        try {
            return api.execute(command);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static void expect(String answer, String prefix) {
        if (!answer.startsWith(prefix)) {
            throw new IllegalStateException("HAProxy refused the change: " + answer);
        }
    }

    private static void expectEmpty(String answer) {
        if (!answer.isEmpty()) {
            throw new IllegalStateException("HAProxy refused the change: " + answer);
        }
    }

    /** One line of {@code show servers state}; serving means ready (admin state 0) and up (op state 2). */
    private record Server(String name, Role role, String address, int opState, int adminState, int weight) {
        boolean serving() {
            return adminState == 0 && opState == 2;
        }
    }
}
