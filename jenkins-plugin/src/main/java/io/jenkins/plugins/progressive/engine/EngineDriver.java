package io.jenkins.plugins.progressive.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hudson.AbortException;
import io.jenkins.plugins.progressive.analysis.Measurements;
import io.jenkins.plugins.progressive.analysis.MetricProvider;
import io.jenkins.plugins.progressive.rollout.DirectoryStateStore;
import io.jenkins.plugins.progressive.rollout.NamedMeasurement;
import io.jenkins.plugins.progressive.rollout.Next;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.Platform;
import io.jenkins.plugins.progressive.rollout.RolloutEngine;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.StateStore;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import io.jenkins.plugins.progressive.spec.SpecWriter;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The steps' {@link RolloutDriver} over core's {@link RolloutEngine}. The engine checkpoints every rollout in a
 * {@link StateStore}; beside it this driver keeps, per rollout, the request that started it (the spec as the reader
 * validated it, the cluster's name and credential id — never a secret), so that after a controller restart the first
 * {@link #advance} re-attaches the rollout with the very spec it was started with.
 *
 * <p>Credentials are the build's: each {@link #advance} brings the running build's lookup, and the platform binder
 * reads values through it at the moment it needs them ({@link Contexts}).
 */
public final class EngineDriver implements RolloutDriver {

    private static final Logger LOGGER = Logger.getLogger(EngineDriver.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RolloutEngine engine;
    private final StateStore requests;
    private final Contexts contexts;
    private final InstantSource clock;
    private final BiConsumer<Runnable, Duration> scheduler;
    private final GateRuns gates;
    private final SnapshotRuns snapshots;
    private final Supplier<ControllerAccess> access;
    private final Set<String> attached = ConcurrentHashMap.newKeySet();
    /** Rollouts a step is advancing; a rollback of any other one is driven by the driver itself. */
    private final Set<String> driven = ConcurrentHashMap.newKeySet();

    /**
     * @param states the engine's state store
     * @param requests where the driver keeps each rollout's request
     * @param binder finds the ports of a spec; it reads clusters and credentials from {@code contexts}
     * @param gateMetrics the metric provider of a gate, by the lock key of what it measures
     * @param scheduler runs a piece of work after a delay (Jenkins' timer and the plugin's pool)
     * @param judge judges measurements (core's {@code Measurements::judge}; tests give another)
     * @param tuning further engine options
     * @param access what steps may do on the controller itself (the global configuration's, read at every start)
     */
    public EngineDriver(StateStore states, StateStore requests, Contexts contexts, Platform.Binder binder,
            Function<String, MetricProvider> gateMetrics, BiConsumer<Runnable, Duration> scheduler,
            InstantSource clock, RolloutEngine.Judge judge, UnaryOperator<RolloutEngine.Builder> tuning,
            Supplier<ControllerAccess> access) {
        this.requests = requests;
        this.access = access;
        this.snapshots = new SnapshotRuns(access);
        this.contexts = contexts;
        this.clock = clock;
        this.scheduler = scheduler;
        this.engine = tuning.apply(RolloutEngine.builder(states, binder).clock(clock).judge(judge)).build();
        this.gates = new GateRuns(gateMetrics, clock, judge);
    }

    /**
     * The controller's driver: state under {@code $JENKINS_HOME/progressive-delivery/state}, requests under
     * {@code …/requests}, local processes' bookkeeping under {@code …/local}. Rollouts of Kubernetes targets could
     * keep their state in the cluster instead ({@code KubernetesStateStore}, one ConfigMap per rollout): that is the
     * store to pass here once a controller may run several replicas.
     */
    public static EngineDriver forController(Path jenkinsHome, BiConsumer<Runnable, Duration> scheduler,
            Supplier<ControllerAccess> access) {
        Path root = jenkinsHome.resolve("progressive-delivery");
        Contexts contexts = new Contexts();
        SpecPlatforms platforms = new SpecPlatforms(contexts, root.resolve("local"), access);
        return new EngineDriver(new DirectoryStateStore(root.resolve("state")),
                new DirectoryStateStore(root.resolve("requests")), contexts, platforms, platforms::metricsFor,
                scheduler, InstantSource.system(), Measurements::judge, b -> b, access);
    }

    @Override
    public Started start(Request request) throws IOException {
        checkAccess(request);
        if (request.operation() == Operation.GATE && request.work() instanceof Work.Gate gate) {
            contexts.put(request.lockKey(), new Contexts.Context(request.cluster(), request.credentials()));
            return new Started(gates.start(gate, request.options()));
        }
        if (request.work() instanceof Work.Snapshot) {
            return new Started(snapshots.start(request));
        }
        if (!(request.work() instanceof Work.Rollout rollout)) {
            throw new AbortException(request.operation().name().toLowerCase(Locale.ROOT) + " runs no rollout");
        }
        RolloutSpec spec = rollout.spec();
        String key = spec.lockKey();
        Map<String, String> options = platformOptions(request.options());
        if (spec.snapshot().enabled()) {
            SnapshotSetup.check("rollout " + spec.name(), spec.snapshot(), options);
        }
        contexts.put(key, new Contexts.Context(request.cluster(), request.credentials(), options));
        try {
            engine.start(spec);
        } catch (RolloutEngine.LockedException e) {
            throw new AbortException(e.getMessage());
        }
        saveRequest(key, spec, request.cluster(), options);
        attached.add(key);
        driven.add(key);
        return new Started(key);
    }

    @Override
    public Tick advance(String key, CredentialLookup credentials) throws IOException {
        if (gates.has(key)) {
            return ended(key, gates.advance(key));
        }
        if (snapshots.has(key)) {
            return snapshots.advance(key, credentials);
        }
        attach(key, credentials);
        driven.add(key);
        Next next;
        try {
            next = engine.advance(key);
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (next.isDone()) {
            driven.remove(key);
            forget(key);
            return new Tick.Done(outcome(next.result()));
        }
        Duration after = Duration.between(clock.instant(), next.wakeAt());
        return new Tick.Wait(after.isNegative() ? Duration.ZERO : after, describe(next.phase(), key),
                engine.status(key).map(s -> new Progress(next.phase().name(), s.step(),
                        s.routes() == null ? 0 : s.routes().canary(), measurements(s.measurements()))).orElse(null));
    }

    /** The rollout's key and the job that started it ("" for a rollout stored before jobs were recorded). */
    @Override
    public Owner owner(String key) throws IOException {
        String resolved = resolve(key);
        String job = requests.load(resolved).map(stored -> {
            try {
                return JSON.readTree(stored.json()).path("options").path(Request.JOB).asText("");
            } catch (IOException e) {
                return "";
            }
        }).orElse("");
        return new Owner(resolved, job);
    }

    @Override
    public void promote(String key, boolean full) throws IOException {
        String resolved = resolve(key);
        command(() -> engine.promote(resolved, full));
    }

    @Override
    public void abort(String key, String reason) throws IOException {
        if (snapshots.has(key) && snapshots.abort(key, reason)) {
            return;
        }
        String resolved = resolve(key);
        command(() -> engine.abort(resolved, reason));
    }

    @Override
    public void rollback(String key, String reason, CredentialLookup credentials) throws IOException {
        String resolved = resolve(key);
        // a rollout its own build still drives keeps that build's credentials; one whose build is over is rolled
        // back with the credentials of the build that asked for it
        attach(resolved, driven.contains(resolved) ? null : credentials);
        command(() -> engine.rollback(resolved));
        if (!driven.contains(resolved)) {
            // no step advances this rollout any more (its build is over): carry the rollback out here
            scheduler.accept(() -> driveAlone(resolved), Duration.ZERO);
        }
    }

    /** The stored state of a rollout, for the build page. */
    public Optional<RolloutState> status(String key) {
        return engine.status(key);
    }

    private void driveAlone(String key) {
        try {
            Next next = engine.advance(key);
            if (next.isDone()) {
                forget(key);
            } else {
                Duration after = Duration.between(clock.instant(), next.wakeAt());
                scheduler.accept(() -> driveAlone(key), after.isNegative() ? Duration.ZERO : after);
            }
        } catch (RuntimeException e) {
            LOGGER.log(Level.WARNING, "rollback of " + key + " failed; retrying", e);
            scheduler.accept(() -> driveAlone(key), Duration.ofSeconds(5));
        }
    }

    /**
     * A rollout of this engine with its context: attached after a restart from its stored request, its context
     * read again from there after it ended (a rollback of a finished rollout). {@code credentials} null keeps the
     * lookup it has.
     */
    private void attach(String key, CredentialLookup credentials) throws IOException {
        Contexts.Context known = contexts.get(key);
        if (known != null) {
            if (credentials != null) {
                contexts.put(key, known.with(credentials));
            }
            if (attached.contains(key)) {
                return;
            }
        }
        // a plain IOException: the step retries a few times (a driver being replaced at start-up) before it fails
        StateStore.Stored stored = requests.load(key).orElseThrow(() -> new IOException("rollout '" + key
                + "' is unknown to this controller (no stored request under progressive-delivery/requests)"));
        JsonNode doc = JSON.readTree(stored.json());
        Optional<ClusterConnection> cluster = cluster(doc.path("cluster"));
        Map<String, String> options = new LinkedHashMap<>();
        doc.path("options").fields().forEachRemaining(f -> options.put(f.getKey(), f.getValue().asText()));
        CredentialLookup lookup = credentials != null ? credentials
                : known != null ? known.credentials() : CredentialLookup.NONE;
        contexts.put(key, new Contexts.Context(cluster, lookup, options));
        if (attached.contains(key)) {
            return;
        }
        RolloutSpec spec;
        try {
            spec = SpecReader.fromTree(doc.path("spec"));
        } catch (InvalidSpecException e) {
            throw new AbortException("the stored spec of rollout '" + key + "' no longer reads: " + e.getMessage());
        }
        try {
            engine.resume(spec);
        } catch (IllegalStateException e) {
            throw new AbortException(e.getMessage());
        }
        attached.add(key);
    }

    /** A finished gate's context (kept under the lock key it measures) goes with it, unless a rollout uses it. */
    private Tick ended(String gateKey, Tick tick) {
        String lockKey = GateRuns.lockKey(gateKey);
        if (tick instanceof Tick.Done && !attached.contains(lockKey)) {
            contexts.remove(lockKey);
        }
        return tick;
    }

    /**
     * An ended rollout needs no context any more: dropping it releases the build whose credential lookup it held
     * (a later rollback reads it again from the stored request).
     */
    private void forget(String key) {
        contexts.remove(key);
    }

    /**
     * Refuses, before anything is changed, what would act on the controller itself without an administrator's
     * leave ({@link ControllerAccess}): processes, files and sockets there, and its own Kubernetes account.
     */
    private void checkAccess(Request request) throws AbortException {
        ControllerAccess allowed = access.get();
        String function = request.operation().name().toLowerCase(Locale.ROOT);
        List<String> problems = new ArrayList<>();
        Target target = null;
        if (request.work() instanceof Work.Rollout rollout) {
            function = "rollout " + rollout.spec().name();
            problems.addAll(allowed.problems(rollout.spec()));
            target = rollout.spec().target();
        } else if (request.work() instanceof Work.Snapshot snapshot) {
            function = request.operation() == Operation.RESTORE ? "restoreState" : "snapshotState";
            allowed.store("store", snapshot.subject().snapshot().store()).ifPresent(problems::add);
            target = snapshot.subject().target();
        }
        if (target instanceof Target.Kubernetes) {
            try {
                allowed.kubernetesIdentity(request.cluster()).ifPresent(problems::add);
            } catch (io.jenkins.plugins.progressive.kubernetes.ClusterException e) {
                problems.add("cloud: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new AbortException(function + ": " + (problems.size() == 1 ? "1 problem" : problems.size()
                    + " problems") + ", nothing was changed:\n  - " + String.join("\n  - ", problems));
        }
    }

    /**
     * The options the platforms read while the rollout runs (and after a restart), and the job that started it:
     * ids, paths and a job name, no secret.
     */
    private static Map<String, String> platformOptions(Map<String, String> options) {
        Map<String, String> kept = new LinkedHashMap<>();
        for (String name : List.of(SnapshotSetup.KEY_OPTION, Request.WORKSPACE, Request.JOB)) {
            String value = options.getOrDefault(name, "");
            if (!value.isEmpty()) {
                kept.put(name, value);
            }
        }
        return kept;
    }

    private void saveRequest(String key, RolloutSpec spec, Optional<ClusterConnection> cluster,
            Map<String, String> options) throws IOException {
        ObjectNode doc = JSON.createObjectNode();
        doc.set("spec", SpecWriter.toTree(spec));
        ObjectNode stored = doc.putObject("options");
        options.forEach(stored::put);
        cluster.ifPresent(c -> {
            ObjectNode n = doc.putObject("cluster");
            n.put("name", c.name());
            n.put("serverUrl", c.serverUrl());
            n.put("credentialsId", c.credentialsId());
            n.put("namespace", c.namespace());
            n.put("cloud", c.cloud());
        });
        for (int attempt = 0; attempt < 3; attempt++) {
            long revision = requests.load(key).map(StateStore.Stored::revision).orElse(0L);
            try {
                requests.save(key, revision, doc.toString());
                return;
            } catch (StateStore.ConflictException e) {
                LOGGER.log(Level.FINE, "request of " + key + " written concurrently", e);
            }
        }
        throw new IOException("cannot store the request of rollout '" + key + "'");
    }

    private static Optional<ClusterConnection> cluster(JsonNode n) {
        if (!n.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new ClusterConnection(n.path("name").asText(""), n.path("serverUrl").asText(""),
                n.path("credentialsId").asText(""), n.path("namespace").asText(""), n.path("cloud").asText("")));
    }

    /** A key, or the name of exactly one rollout this controller knows. */
    private String resolve(String key) throws AbortException {
        if (engine.status(key).isPresent() || key.contains("@")) {
            return key;
        }
        List<String> matches = new ArrayList<>();
        for (String k : requests.keys()) {
            if (k.startsWith(key + "@")) {
                matches.add(k);
            }
        }
        List<String> live = matches.stream().filter(k -> engine.status(k).map(s -> !s.phase().ended()).orElse(false))
                .toList();
        if (live.size() == 1 || (live.isEmpty() && matches.size() == 1)) {
            return live.isEmpty() ? matches.get(0) : live.get(0);
        }
        throw new AbortException(matches.isEmpty() ? "no rollout named '" + key + "' on this controller"
                : "several rollouts are named '" + key + "' (" + String.join(", ", matches)
                        + "): give namespace and deployment too");
    }

    @FunctionalInterface
    private interface Command {
        void run();
    }

    private static void command(Command c) throws AbortException {
        try {
            c.run();
        } catch (IllegalStateException | IllegalArgumentException e) {
            // a command to a finished or unknown rollout is a user error: its message, no stack trace
            throw new AbortException(e.getMessage());
        }
    }

    private String describe(Phase phase, String key) {
        Optional<RolloutState> s = engine.status(key);
        StringBuilder b = new StringBuilder(phase.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        s.ifPresent(state -> {
            b.append(", step ").append(state.step());
            Routes routes = state.routes();
            if (routes != null) {
                b.append(", canary ").append(routes.canary()).append('%');
            }
            if (phase == Phase.PAUSED && state.pauseReason() != null) {
                b.append(": ").append(state.pauseReason());
            }
        });
        return b.toString();
    }

    static Outcome outcome(RolloutResult r) {
        return new Outcome(r.status().name(), r.verdict() == null ? "" : r.verdict().name(),
                r.snapshotId() == null ? "" : r.snapshotId(), measurements(r.measurements()),
                r.status() == Phase.SUCCEEDED, r.status() == Phase.SUCCEEDED || r.message() == null ? ""
                        : r.message());
    }

    static List<Map<String, Object>> measurements(List<NamedMeasurement> named) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (NamedMeasurement m : named) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("template", m.template());
            map.put("gate", m.gate() == null ? "" : m.gate());
            map.put("at", m.measurement().at().toString());
            map.put("verdict", m.measurement().verdict().name());
            map.put("value", m.measurement().value() == null ? "" : m.measurement().value());
            map.put("message", m.measurement().message() == null ? "" : m.measurement().message());
            out.add(map);
        }
        return out;
    }
}
