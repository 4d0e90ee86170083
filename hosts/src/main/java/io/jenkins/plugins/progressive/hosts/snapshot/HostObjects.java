package io.jenkins.plugins.progressive.hosts.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.hosts.haproxy.HaproxyRouter;
import io.jenkins.plugins.progressive.hosts.local.LocalProcesses;
import io.jenkins.plugins.progressive.hosts.nginx.NginxRouter;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.snapshot.ObjectKey;
import io.jenkins.plugins.progressive.snapshot.ObjectSink;
import io.jenkins.plugins.progressive.snapshot.ObjectSource;
import io.jenkins.plugins.progressive.snapshot.Selection;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.SpecProblem;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A hosts target as snapshot objects: its router configuration and its instances. What a snapshot of a
 * {@code local} or {@code endpoints} target holds, and where its restore writes.
 *
 * <ul>
 * <li>{@code routers.progressive.jenkins.io/v1 HaproxyBackend <backend>}: {@code spec.servers[]} with name,
 * address, weight and state ({@code ready|drain|maint}), read through the runtime API; the preview backend
 * too when it exists. Restored through {@link HaproxyRouter#restoreServers}.</li>
 * <li>{@code routers.progressive.jenkins.io/v1 NginxUpstream <upstream>}: the upstream file's content and
 * the preview file's. Restored by {@link NginxRouter#restoreFiles}: rewrite, then reload.</li>
 * <li>{@code instances.progressive.jenkins.io/v1 LocalInstances <name>}: per running instance its role,
 * version, index, port and address ({@code status}: pid, alive, ready). Restore starts an instance that
 * is gone again on its port with the spec's command; one that cannot be started is reported.</li>
 * <li>{@code instances.progressive.jenkins.io/v1 FixedEndpoints <name>}: the addresses per role
 * ({@code status}: which answered). Restore cannot start them; it reports those that do not answer.</li>
 * </ul>
 * The instances come before the routers in restore order (group names sort so), so a router's servers
 * point at instances that run again. A router object is overwritten whole by update and replace alike;
 * deleting one is a no-op (nothing is taken out of service between the two steps of a replace).
 */
public final class HostObjects implements ObjectSource, ObjectSink {

    public static final String ROUTERS = "routers.progressive.jenkins.io";
    public static final String INSTANCES = "instances.progressive.jenkins.io";
    static final String HAPROXY_BACKEND = "HaproxyBackend";
    static final String NGINX_UPSTREAM = "NginxUpstream";
    static final String LOCAL_INSTANCES = "LocalInstances";
    static final String ENDPOINTS = "FixedEndpoints";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONNECT_TIMEOUT_MILLIS = 1000;

    private final String name;
    private final Target target;
    private final Traffic traffic;
    private final Optional<Path> instancesDir;
    private final List<String> notes = new ArrayList<>();

    /**
     * @param name         the spec's name: the instances object's name
     * @param instancesDir where a local target's instances are recorded (the CLI's state directory)
     */
    public HostObjects(String name, Target target, Traffic traffic, Optional<Path> instancesDir) {
        if (target instanceof Target.Kubernetes) {
            throw new IllegalArgumentException("target: HostObjects needs a local or endpoints target");
        }
        if (target instanceof Target.Local && instancesDir.isEmpty()) {
            throw new IllegalArgumentException("a local target's snapshot needs its instances directory");
        }
        this.name = name;
        this.target = target;
        this.traffic = traffic;
        this.instancesDir = instancesDir;
    }

    /** Where the CLI keeps a local target's instances: {@code <stateDir>/instances/<name>}. */
    public static Path instancesDir(Path stateDir, String name) {
        return stateDir.resolve("instances").resolve(name.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    /**
     * What a hosts target's snapshot cannot honour, as problems naming the field: it always holds the
     * router configuration and the instances, so the Kubernetes selection fields do not apply.
     */
    public static void validate(Target target, Traffic traffic, SnapshotSpec snapshot) throws InvalidSpecException {
        if (target instanceof Target.Kubernetes) {
            return;
        }
        String kind = target instanceof Target.Local ? "local" : "endpoints";
        String why = "a target." + kind + " snapshot always holds its router configuration and instances;"
                + " include and exclude select Kubernetes objects (remove it)";
        List<SpecProblem> problems = new ArrayList<>();
        if (!snapshot.includeNamespaces().isEmpty()) {
            problems.add(new SpecProblem("snapshot.include.namespaces", why));
        }
        if (!snapshot.includeKinds().isEmpty()) {
            problems.add(new SpecProblem("snapshot.include.kinds", why));
        }
        if (snapshot.labelSelector().isPresent()) {
            problems.add(new SpecProblem("snapshot.include.labelSelector", why));
        }
        if (!snapshot.excludeKinds().isEmpty()) {
            problems.add(new SpecProblem("snapshot.exclude.kinds", why));
        }
        for (int i = 0; i < snapshot.preHooks().size(); i++) {
            execHook(snapshot.preHooks().get(i), "pre", i, kind, problems);
        }
        for (int i = 0; i < snapshot.postHooks().size(); i++) {
            execHook(snapshot.postHooks().get(i), "post", i, kind, problems);
        }
        for (int i = 0; i < snapshot.restoreHooks().size(); i++) {
            execHook(snapshot.restoreHooks().get(i), "restore", i, kind, problems);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
    }

    private static void execHook(SnapshotSpec.Hook hook, String stage, int i, String kind, List<SpecProblem> out) {
        if (hook instanceof SnapshotSpec.Hook.Exec) {
            out.add(new SpecProblem("snapshot.hooks." + stage + "[" + i + "].exec", "a target." + kind
                    + " has no pods to exec in; use {local: [command...]}"));
        }
    }

    /** What a restore could not put back (an instance that is gone and cannot be started), one line each. */
    public synchronized List<String> notes() {
        return List.copyOf(notes);
    }

    // ---- source -----------------------------------------------------------------------------------

    @Override
    public Stream<ObjectNode> objects(Selection selection) {
        List<ObjectNode> out = new ArrayList<>();
        instances().ifPresent(out::add);
        if (traffic instanceof Traffic.Haproxy h) {
            HaproxyRouter router = haproxy(h);
            for (String backend : router.snapshotBackends()) {
                ObjectNode o = object(ROUTERS, HAPROXY_BACKEND, backend);
                ArrayNode servers = o.putObject("spec").putArray("servers");
                for (HaproxyRouter.BackendServer s : router.backendServers(backend)) {
                    servers.addObject().put("name", s.name()).put("address", s.address()).put("weight", s.weight())
                            .put("state", s.state());
                }
                out.add(o);
            }
        } else if (traffic instanceof Traffic.Nginx n) {
            NginxRouter router = nginx(n);
            Optional<String> content = router.upstreamContent();
            if (content.isPresent()) {
                ObjectNode o = object(ROUTERS, NGINX_UPSTREAM, n.upstream());
                ObjectNode spec = o.putObject("spec");
                spec.put("file", Path.of(n.upstreamFile()).toAbsolutePath().toString()).put("content", content.get());
                router.previewContent().ifPresent(p -> spec.put("previewFile", router.previewFile().toString())
                        .put("previewContent", p));
                out.add(o);
            }
        }
        return out.stream();
    }

    private Optional<ObjectNode> instances() {
        if (target instanceof Target.Local local) {
            if (!Files.exists(instancesDir.get())) {
                return Optional.empty();
            }
            ObjectNode o = object(INSTANCES, LOCAL_INSTANCES, name);
            ObjectNode spec = o.putObject("spec");
            local.command().forEach(spec.putArray("command")::add);
            ArrayNode running = spec.putArray("instances");
            ArrayNode recorded = o.putObject("status").putArray("instances");
            for (LocalProcesses.Info i : processes(local).instances()) {
                String role = i.role().name().toLowerCase(Locale.ROOT);
                if (i.alive()) {
                    running.addObject().put("role", role).put("version", i.version()).put("index", i.index())
                            .put("port", i.port()).put("address", i.address());
                }
                recorded.addObject().put("role", role).put("version", i.version()).put("index", i.index())
                        .put("pid", i.pid()).put("port", i.port()).put("alive", i.alive()).put("ready", i.ready());
            }
            return Optional.of(o);
        }
        Target.Endpoints endpoints = (Target.Endpoints) target;
        ObjectNode o = object(INSTANCES, ENDPOINTS, name);
        ObjectNode spec = o.putObject("spec");
        endpoints.stable().forEach(spec.putArray("stable")::add);
        endpoints.canary().forEach(spec.putArray("canary")::add);
        ObjectNode answering = o.putObject("status").putObject("answering");
        Stream.concat(endpoints.stable().stream(), endpoints.canary().stream())
                .forEach(a -> answering.put(a, answers(a)));
        return Optional.of(o);
    }

    @Override
    public String describe() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        String router = traffic instanceof Traffic.Haproxy h ? ", haproxy " + h.runtimeApi() + " backend " + h.backend()
                : traffic instanceof Traffic.Nginx n ? ", nginx " + n.upstreamFile() : "";
        return "host " + host + " (target." + (target instanceof Target.Local ? "local" : "endpoints") + " " + name
                + router + ")";
    }

    // ---- sink -------------------------------------------------------------------------------------

    /** Also checks, before a restore changes anything, that the object belongs to this target and router. */
    @Override
    public boolean exists(ObjectKey key) {
        switch (kindOf(key)) {
            case LOCAL_INSTANCES -> {
                return Files.exists(instancesDir.get().resolve("instances.json"));
            }
            case ENDPOINTS -> {
                return true;
            }
            case HAPROXY_BACKEND -> {
                return haproxy((Traffic.Haproxy) traffic).snapshotBackends().contains(key.name());
            }
            case NGINX_UPSTREAM -> {
                return Files.exists(Path.of(((Traffic.Nginx) traffic).upstreamFile()));
            }
            default -> throw new IllegalStateException(key.kind());
        }
    }

    @Override
    public void create(ObjectNode object) {
        apply(object);
    }

    @Override
    public void update(ObjectNode object) {
        apply(object);
    }

    /** Nothing: the following create overwrites the router's configuration or instances whole. */
    @Override
    public void delete(ObjectKey key) {
        kindOf(key);
    }

    private void apply(ObjectNode object) {
        ObjectKey key = ObjectKey.of(object);
        JsonNode spec = object.path("spec");
        switch (kindOf(key)) {
            case LOCAL_INSTANCES -> restoreLocal((Target.Local) target, spec);
            case ENDPOINTS -> {
                for (JsonNode a : iterable(spec.path("stable"), spec.path("canary"))) {
                    if (!answers(a.asText())) {
                        note("endpoint " + a.asText() + " does not answer; progressive does not start instances on"
                                + " other hosts: start it there");
                    }
                }
            }
            case HAPROXY_BACKEND -> {
                List<HaproxyRouter.BackendServer> servers = new ArrayList<>();
                for (JsonNode s : spec.path("servers")) {
                    servers.add(new HaproxyRouter.BackendServer(s.path("name").asText(), s.path("address").asText(),
                            s.path("weight").asInt(), s.path("state").asText("ready")));
                }
                HaproxyRouter router = haproxy((Traffic.Haproxy) traffic);
                if (!router.snapshotBackends().contains(key.name())) {
                    throw new SnapshotException("HAProxy has no backend '" + key.name() + "'; declare it in haproxy.cfg"
                            + " (progressive adds and removes servers only)");
                }
                for (String foreign : router.restoreServers(key.name(), servers)) {
                    note("server " + key.name() + "/" + foreign + " is not progressive's (not stable-N or canary-N);"
                            + " left as it is: set it in haproxy.cfg");
                }
            }
            case NGINX_UPSTREAM -> {
                Optional<String> preview = spec.hasNonNull("previewContent")
                        ? Optional.of(spec.path("previewContent").asText()) : Optional.empty();
                nginx((Traffic.Nginx) traffic).restoreFiles(spec.path("content").asText(), preview);
            }
            default -> throw new IllegalStateException(key.kind());
        }
    }

    private void restoreLocal(Target.Local local, JsonNode spec) {
        LocalProcesses processes = processes(local);
        List<String> wanted = new ArrayList<>();
        for (JsonNode i : spec.path("instances")) {
            Role role = Role.valueOf(i.path("role").asText().toUpperCase(Locale.ROOT));
            String version = i.path("version").asText();
            int index = i.path("index").asInt();
            int port = i.path("port").asInt();
            wanted.add(role + "/" + index);
            boolean runs = processes.instances().stream().anyMatch(r -> r.alive() && r.role() == role
                    && r.index() == index && r.version().equals(version) && r.port() == port);
            if (!runs) {
                processes.restart(role, version, index, port).ifPresent(why -> note(role.name()
                        .toLowerCase(Locale.ROOT) + "-" + index + " (version " + version + ", port " + port
                        + ") was not started again: " + why));
            }
        }
        for (LocalProcesses.Info r : processes.instances()) {
            if (r.alive() && !wanted.contains(r.role() + "/" + r.index())) {
                note(r.role().name().toLowerCase(Locale.ROOT) + "-" + r.index() + " (version " + r.version() + ", port "
                        + r.port() + ", pid " + r.pid() + ") runs but is not in the snapshot; left running");
            }
        }
    }

    private String kindOf(ObjectKey key) {
        String kind = key.kind();
        boolean ours = switch (kind) {
            case HAPROXY_BACKEND -> key.group().equals(ROUTERS) && traffic instanceof Traffic.Haproxy h
                    && (key.name().equals(h.backend()) || key.name().equals(h.backend() + "-preview"));
            case NGINX_UPSTREAM -> key.group().equals(ROUTERS) && traffic instanceof Traffic.Nginx n
                    && key.name().equals(n.upstream());
            case LOCAL_INSTANCES -> key.group().equals(INSTANCES) && target instanceof Target.Local;
            case ENDPOINTS -> key.group().equals(INSTANCES) && target instanceof Target.Endpoints;
            default -> false;
        };
        if (!ours) {
            throw new SnapshotException(key + " (" + key.apiVersion() + ") cannot be restored into this spec's target."
                    + (target instanceof Target.Local ? "local" : "endpoints") + " and traffic ("
                    + describeTraffic() + "); restore it with the spec it was taken with");
        }
        return kind;
    }

    private String describeTraffic() {
        if (traffic instanceof Traffic.Haproxy h) {
            return "haproxy backend " + h.backend();
        }
        if (traffic instanceof Traffic.Nginx n) {
            return "nginx upstream " + n.upstream();
        }
        return "no router";
    }

    private synchronized void note(String line) {
        notes.add(line);
    }

    private LocalProcesses processes(Target.Local local) {
        return new LocalProcesses(local, instancesDir.get());
    }

    private static HaproxyRouter haproxy(Traffic.Haproxy h) {
        return new HaproxyRouter(h, r -> List.of());
    }

    private static NginxRouter nginx(Traffic.Nginx n) {
        return new NginxRouter(n, r -> List.of());
    }

    private static ObjectNode object(String group, String kind, String name) {
        ObjectNode o = JSON.createObjectNode();
        o.put("apiVersion", group + "/v1");
        o.put("kind", kind);
        o.putObject("metadata").put("name", name);
        return o;
    }

    private static List<JsonNode> iterable(JsonNode... arrays) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : arrays) {
            a.forEach(out::add);
        }
        return out;
    }

    /** The addresses a router object sends requests to: HAProxy servers not in maintenance, nginx servers not down. */
    static List<String> serverAddresses(JsonNode router) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : router.path("spec").path("servers")) {
            if (!s.path("state").asText().equals("maint")) {
                out.add(s.path("address").asText());
            }
        }
        out.addAll(NginxRouter.servingAddresses(router.path("spec").path("content").asText("")));
        return out;
    }

    /** Whether something accepts TCP connections at {@code host:port}. */
    static boolean answers(String address) {
        int colon = address.lastIndexOf(':');
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
                    CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
