package io.jenkins.plugins.progressive.rollout.testing;

import io.jenkins.plugins.progressive.analysis.MetricProvider;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.rollout.Platform;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.rollout.RolloutSnapshots;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import io.jenkins.plugins.progressive.rollout.Workload;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A whole platform in memory for engine tests (and the benchmark): two roles of instances that become
 * ready after a delay, a router (or none: the split follows ready instances), metrics as a function of
 * (template, time, version), and snapshots. Time comes from an {@link InstantSource} the test controls.
 *
 * <p>A version change of a role behaves like a Deployment's rolling update with surge: the old instances
 * keep serving until the new ones are ready (forever, if the new version never becomes ready).
 */
public final class InMemoryPlatform implements Workload, TrafficRouter, MetricProvider, RolloutSnapshots {

    /** The value of one measurement; throw {@link MetricException} for a query error. */
    @FunctionalInterface
    public interface Metrics {
        MetricValue value(String template, Instant at, String canaryVersion);
    }

    private record Instance(Instant readyAt) {
    }

    private static final class RoleState {
        String version;
        List<Instance> instances = new ArrayList<>();
        /** Old-version instances still serving during a version change, until {@link #retireAt}. */
        int retiring;
        Instant retireAt;
    }

    private final InstantSource clock;
    private final int size;
    private final boolean router;
    private final Map<Role, RoleState> roles = new EnumMap<>(Role.class);
    private final Map<String, String> failing = new HashMap<>();
    private final Map<String, Integer> throwCount = new HashMap<>();
    private final Map<String, Instant[]> throwBetween = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final Map<String, String> snapshots = new HashMap<>();
    private final List<String> restored = new ArrayList<>();
    private Duration readyDelay = Duration.ofSeconds(5);
    private Routes routes = Routes.ALL_STABLE;
    private Metrics metrics = (t, at, v) -> MetricValue.of(0.0);
    private ScheduledExecutorService answerPool;
    private long answerDelayMillis;
    private boolean closed;
    private Runnable afterEachAction = () -> { };

    /**
     * @param stableVersion what the stable role runs at the start ({@code size} ready instances); null for
     *                      a first release
     * @param router true: a router splits traffic; false: the split follows ready instances
     */
    public InMemoryPlatform(InstantSource clock, int size, String stableVersion, boolean router) {
        this.clock = clock;
        this.size = size;
        this.router = router;
        for (Role r : Role.values()) {
            roles.put(r, new RoleState());
        }
        if (stableVersion != null) {
            RoleState s = roles.get(Role.STABLE);
            s.version = stableVersion;
            for (int i = 0; i < size; i++) {
                s.instances.add(new Instance(clock.instant()));
            }
        }
    }

    public Platform platform() {
        return new Platform(this, this, this, this);
    }

    // ---- configuration ----------------------------------------------------------------------------

    public synchronized InMemoryPlatform readyAfter(Duration delay) {
        this.readyDelay = delay;
        return this;
    }

    /** Instances of {@code version} never become ready, and the role reports {@code reason}. */
    public synchronized InMemoryPlatform failVersion(String version, String reason) {
        failing.put(version, reason);
        return this;
    }

    /** The next {@code times} calls of {@code method} ({@code scale}, {@code setRoutes}, {@code getRoutes},
     * {@code status}, {@code restore}, {@code capture}) throw. */
    public synchronized InMemoryPlatform throwOn(String method, int times) {
        throwCount.put(method, times);
        return this;
    }

    /** Calls of {@code method} throw from {@code from} until {@code until} (by the clock): an outage. */
    public synchronized InMemoryPlatform throwBetween(String method, Instant from, Instant until) {
        throwBetween.put(method, new Instant[] {from, until});
        return this;
    }

    public synchronized InMemoryPlatform metrics(Metrics m) {
        this.metrics = m;
        return this;
    }

    /**
     * Run {@code observer} after every {@link #scale} and {@link #setRoutes} that took effect, with the platform in
     * its new state (inside the call, so on the engine's thread): invariants are then checked after every single
     * action, not only between two {@code advance()} calls.
     */
    public synchronized InMemoryPlatform afterEachAction(Runnable observer) {
        this.afterEachAction = observer;
        return this;
    }

    /** Answer measurements on {@code pool} after {@code delayMillis} instead of at once. */
    public synchronized InMemoryPlatform answerLater(ScheduledExecutorService pool, long delayMillis) {
        this.answerPool = pool;
        this.answerDelayMillis = delayMillis;
        return this;
    }

    // ---- observation ------------------------------------------------------------------------------

    /** Every mutating call, in order: {@code scale CANARY 1.1 x2}, {@code routes 95/5}, {@code restore id}… */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /** Ready instances that serve for {@code role} now, old ones of a version change included. */
    public synchronized int serving(Role role) {
        RoleState s = roles.get(role);
        Instant now = clock.instant();
        int n = (int) s.instances.stream().filter(i -> !i.readyAt().isAfter(now)).count();
        if (s.retiring > 0 && now.isBefore(s.retireAt)) {
            n += s.retiring;
        }
        return n;
    }

    /** The version a role runs, empty when it runs nothing. */
    public synchronized Optional<String> version(Role role) {
        RoleState s = roles.get(role);
        return s.instances.isEmpty() ? Optional.empty() : Optional.ofNullable(s.version);
    }

    public synchronized int replicas(Role role) {
        return roles.get(role).instances.size();
    }

    /** The router's routes (with no router: what the ready instances give). */
    public synchronized Routes routes() {
        return getRoutesQuietly();
    }

    /**
     * The percentage of requests each role's instances really receive, from the router's weights spread over the
     * role's serving instances (a weight on a role with no serving instance reaches nobody: those requests fail);
     * with no router, from the ratio of serving instances. Computed from the instances, not through {@link Routes},
     * so a split that loses requests shows as a sum below 100.
     */
    public synchronized Map<Role, Integer> served() {
        Map<Role, Integer> out = new EnumMap<>(Role.class);
        int st = serving(Role.STABLE);
        int ca = serving(Role.CANARY);
        if (!router) {
            int canary = st + ca == 0 ? 0 : (int) Math.round(100.0 * ca / (st + ca));
            out.put(Role.CANARY, canary);
            out.put(Role.STABLE, st + ca == 0 ? 0 : 100 - canary);
            return out;
        }
        out.put(Role.STABLE, st == 0 ? 0 : routes.stable());
        out.put(Role.CANARY, ca == 0 ? 0 : routes.canary());
        return out;
    }

    public synchronized List<String> restoredSnapshots() {
        return List.copyOf(restored);
    }

    public synchronized boolean closed() {
        return closed;
    }

    /** Everything a user could observe on the platform, for comparing two runs. */
    public synchronized String describe() {
        return "stable=" + version(Role.STABLE).orElse("-") + "x" + replicas(Role.STABLE) + " canary="
                + version(Role.CANARY).orElse("-") + "x" + replicas(Role.CANARY) + " routes=" + routes()
                + " restored=" + restored;
    }

    // ---- Workload ---------------------------------------------------------------------------------

    @Override
    public synchronized RoleStatus status(Role role) {
        maybeThrow("status");
        RoleState s = roles.get(role);
        Instant now = clock.instant();
        int ready = (int) s.instances.stream().filter(i -> !i.readyAt().isAfter(now)).count();
        Optional<String> failure = s.version == null || s.instances.isEmpty() ? Optional.empty()
                : Optional.ofNullable(failing.get(s.version));
        return new RoleStatus(s.instances.isEmpty() ? Optional.empty() : Optional.ofNullable(s.version),
                s.instances.size(), s.instances.size(), ready, failure);
    }

    @Override
    public synchronized void scale(Role role, String version, int replicas) {
        maybeThrow("scale");
        calls.add("scale " + role + " " + version + " x" + replicas);
        resize(role, version, replicas);
        afterEachAction.run();
    }

    private void resize(Role role, String version, int replicas) {
        RoleState s = roles.get(role);
        Instant now = clock.instant();
        Instant readyAt = failing.containsKey(version) ? Instant.MAX : now.plus(readyDelay);
        if (replicas == 0) {
            s.instances.clear();
            s.retiring = 0;
            return;
        }
        if (version.equals(s.version) && !s.instances.isEmpty()) {
            while (s.instances.size() > replicas) {
                s.instances.remove(s.instances.size() - 1);
            }
            while (s.instances.size() < replicas) {
                s.instances.add(new Instance(readyAt));
            }
            return;
        }
        // A new version: the old ready instances serve until the new ones are ready.
        int oldReady = serving(role);
        s.retiring = oldReady;
        s.retireAt = readyAt;
        s.version = version;
        s.instances = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            s.instances.add(new Instance(readyAt));
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    // ---- TrafficRouter ----------------------------------------------------------------------------

    @Override
    public synchronized void setRoutes(Routes r) {
        maybeThrow("setRoutes");
        calls.add("routes " + r.stable() + "/" + r.canary());
        routes = r;
        afterEachAction.run();
    }

    @Override
    public synchronized Routes getRoutes() {
        maybeThrow("getRoutes");
        return getRoutesQuietly();
    }

    private Routes getRoutesQuietly() {
        if (router) {
            return routes;
        }
        int st = serving(Role.STABLE);
        int ca = serving(Role.CANARY);
        return st + ca == 0 ? Routes.ALL_STABLE : Routes.canary((int) Math.round(100.0 * ca / (st + ca)));
    }

    @Override
    public boolean followsReplicas() {
        return !router;
    }

    // ---- MetricProvider ---------------------------------------------------------------------------

    @Override
    public CompletionStage<MetricValue> measure(AnalysisTemplate template, Map<String, String> vars) {
        Metrics m;
        ScheduledExecutorService pool;
        long delay;
        synchronized (this) {
            m = metrics;
            pool = answerPool;
            delay = answerDelayMillis;
        }
        Instant at = clock.instant();
        String version = vars.get("canary.version");
        if (pool == null) {
            return answer(m, template.name(), at, version);
        }
        CompletableFuture<MetricValue> cf = new CompletableFuture<>();
        pool.schedule(() -> answer(m, template.name(), at, version).whenComplete((v, e) -> {
            if (e != null) {
                cf.completeExceptionally(e);
            } else {
                cf.complete(v);
            }
        }), delay, TimeUnit.MILLISECONDS);
        return cf;
    }

    private static CompletableFuture<MetricValue> answer(Metrics m, String template, Instant at, String version) {
        try {
            return CompletableFuture.completedFuture(m.value(template, at, version));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- RolloutSnapshots -------------------------------------------------------------------------

    @Override
    public synchronized String capture(RolloutSpec spec) {
        maybeThrow("capture");
        String content = spec.name() + "|" + describe();
        // Content-addressed, as the real store: capturing the same state again gives the same id.
        String id = "snap-" + Integer.toHexString(content.hashCode());
        snapshots.put(id, content);
        calls.add("capture " + id);
        return id;
    }

    @Override
    public synchronized void restore(String snapshotId) {
        maybeThrow("restore");
        if (!snapshots.containsKey(snapshotId)) {
            throw new IllegalArgumentException("no snapshot " + snapshotId);
        }
        calls.add("restore " + snapshotId);
        if (!restored.contains(snapshotId)) {
            restored.add(snapshotId);
        }
    }

    private void maybeThrow(String method) {
        Integer n = throwCount.get(method);
        if (n != null && n > 0) {
            throwCount.put(method, n - 1);
            throw new IllegalStateException("simulated " + method + " failure");
        }
        Instant[] window = throwBetween.get(method);
        Instant now = clock.instant();
        if (window != null && !now.isBefore(window[0]) && now.isBefore(window[1])) {
            throw new IllegalStateException("simulated " + method + " outage");
        }
    }
}
