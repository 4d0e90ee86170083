package io.jenkins.plugins.progressive.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.progressive.analysis.AnalysisRun;
import io.jenkins.plugins.progressive.analysis.Measurement;
import io.jenkins.plugins.progressive.analysis.Measurements;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Drives rollouts, one call at a time: {@link #advance} performs at most the next due actions,
 * checkpoints the state before and after each, and returns when it wants to be called again. It never
 * sleeps and never waits for a condition, so any number of rollouts share a few threads
 * ({@link RolloutScheduler}); a crashed driver resumes from the stored state ({@link #resume}).
 *
 * <p>Commands from other processes ({@link RolloutCommands}) are compare-and-set writes into the stored
 * state, picked up by the next {@link #advance}.
 */
public final class RolloutEngine {

    /** Judges a provider's value (the default is {@link Measurements#judge}). */
    @FunctionalInterface
    public interface Judge {
        Measurement judge(AnalysisTemplate template, MetricValue value, Instant at);
    }

    /** Another rollout holds the lock key. */
    public static final class LockedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        LockedException(String message) {
            super(message);
        }
    }

    record Live(RolloutSpec spec, Platform platform, StrategyMachine machine) {
    }

    final StateStore store;
    private final Platform.Binder binder;
    final InstantSource clock;
    private final EventSink events;
    final Judge judge;
    final Duration pollInterval;
    final Duration commandPoll;
    final Duration progressDeadline;
    final Duration measurementTimeout;
    final Duration retryBackoff;
    final int maxAttempts;
    private final Map<String, Live> lives = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<MetricValue>> answers = new ConcurrentHashMap<>();
    private volatile Consumer<String> waker = key -> { };

    private RolloutEngine(Builder b) {
        this.store = b.store;
        this.binder = b.binder;
        this.clock = b.clock;
        this.events = b.events;
        this.judge = b.judge;
        this.pollInterval = b.pollInterval;
        this.commandPoll = b.commandPoll;
        this.progressDeadline = b.progressDeadline;
        this.measurementTimeout = b.measurementTimeout;
        this.retryBackoff = b.retryBackoff;
        this.maxAttempts = b.maxAttempts;
    }

    public static Builder builder(StateStore store, Platform.Binder binder) {
        return new Builder(store, binder);
    }

    /** Options; the defaults suit a real platform. */
    public static final class Builder {
        private final StateStore store;
        private final Platform.Binder binder;
        private InstantSource clock = InstantSource.system();
        private EventSink events = EventSink.NONE;
        private Judge judge = Measurements::judge;
        private Duration pollInterval = Duration.ofSeconds(2);
        private Duration commandPoll = Duration.ofSeconds(5);
        private Duration progressDeadline = Duration.ofMinutes(10);
        private Duration measurementTimeout = Duration.ofMinutes(2);
        private Duration retryBackoff = Duration.ofSeconds(1);
        private int maxAttempts = 3;

        private Builder(StateStore store, Platform.Binder binder) {
            this.store = Objects.requireNonNull(store, "store");
            this.binder = Objects.requireNonNull(binder, "binder");
        }

        public Builder clock(InstantSource clock) {
            this.clock = clock;
            return this;
        }

        public Builder events(EventSink events) {
            this.events = events;
            return this;
        }

        /** Replaces the measurement judge (tools and tests). */
        public Builder judge(Judge judge) {
            this.judge = judge;
            return this;
        }

        /** How often readiness is looked at while waiting for instances (watches may wake earlier). */
        public Builder pollInterval(Duration d) {
            this.pollInterval = d;
            return this;
        }

        /** How often a paused rollout looks for commands written by other processes. */
        public Builder commandPollInterval(Duration d) {
            this.commandPoll = d;
            return this;
        }

        /** How long instances may take to become ready before the rollout fails. */
        public Builder progressDeadline(Duration d) {
            this.progressDeadline = d;
            return this;
        }

        /** How long a measurement may stay unanswered before it counts as an error. */
        public Builder measurementTimeout(Duration d) {
            this.measurementTimeout = d;
            return this;
        }

        /** A failed action is tried {@code attempts} times in all, {@code backoff} doubling between tries. */
        public Builder retries(int attempts, Duration backoff) {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
            }
            this.maxAttempts = attempts;
            this.retryBackoff = backoff;
            return this;
        }

        public RolloutEngine build() {
            return new RolloutEngine(this);
        }
    }

    /** Called with a rollout's key when it wants an {@link #advance} before its wake-up time (a metric answered). */
    public void onWake(Consumer<String> waker) {
        this.waker = Objects.requireNonNull(waker);
    }

    InstantSource clock() {
        return clock;
    }

    /**
     * Begin a rollout: records its initial state (nothing on the platform changes until {@link #advance}).
     *
     * @throws LockedException when a live rollout holds {@code spec.lockKey()}
     */
    public RolloutState start(RolloutSpec spec) {
        String key = spec.lockKey();
        Platform platform = binder.bind(spec);
        try {
            return begin(spec, key, platform);
        } catch (RuntimeException e) {
            // Refused: what binding acquired (watches, a Kubernetes Lease) must not outlive the refusal.
            try {
                platform.workload().close();
            } catch (RuntimeException ignored) {
                // the refusal is what the caller needs to hear
            }
            throw e;
        }
    }

    private RolloutState begin(RolloutSpec spec, String key, Platform platform) {
        for (int attempt = 0; ; attempt++) {
            Optional<StateStore.Stored> stored = store.load(key);
            long revision = 0;
            if (stored.isPresent()) {
                RolloutState old = RolloutState.fromJson(stored.get().json());
                if (!old.phase.ended()) {
                    throw new LockedException("rollout '" + key + "' is already live: version " + old.version
                            + ", phase " + old.phase + ", step " + old.step + ", started " + old.startedAt
                            + "; promote or abort it before starting another");
                }
                revision = stored.get().revision();
            }
            RolloutState s = initialState(spec, platform);
            try {
                store.save(key, revision, s.toJson());
            } catch (StateStore.ConflictException e) {
                if (attempt < 3) {
                    continue;
                }
                throw new LockedException("rollout '" + key + "' was started by another driver at the same time");
            }
            lives.put(key, new Live(spec, platform, StrategyMachine.of(spec.strategy())));
            event(new RolloutEvent(s.startedAt, key, "step", "rollout of " + spec.version() + " started ("
                    + s.strategy + (s.stableVersion == null ? ", first release" : ", stable " + s.stableVersion)
                    + ")"));
            return s;
        }
    }

    private RolloutState initialState(RolloutSpec spec, Platform platform) {
        Instant now = clock.instant();
        RolloutState s = new RolloutState();
        s.key = spec.lockKey();
        s.name = spec.name();
        s.version = spec.version();
        s.strategy = StrategyMachine.nameOf(spec.strategy());
        s.size = Math.max(1, platform.workload().size());
        s.phase = Phase.PROGRESSING;
        s.startedAt = now;
        s.spec = SpecWriter.toTree(spec);
        s.specDigest = digest(spec);
        RoleStatus stable = platform.workload().status(Role.STABLE);
        RoleStatus canary = platform.workload().status(Role.CANARY);
        s.stableVersion = stable.desired() > 0 ? stable.version().orElse(null) : null;
        s.desired.put(Role.STABLE, new RolloutState.Desired(stable.version().orElse(null), stable.desired()));
        s.desired.put(Role.CANARY, new RolloutState.Desired(canary.version().orElse(null), canary.desired()));
        if (platform.router().followsReplicas()) {
            s.routes = canary.ready() == 0 ? Routes.ALL_STABLE : null;
        } else {
            try {
                s.routes = platform.router().getRoutes();
            } catch (RuntimeException e) {
                s.routes = null; // unknown: the first route change is then always sent
            }
        }
        if (s.stableVersion == null || s.stableVersion.equals(spec.version())) {
            // A first release (or the version already serving) goes straight to 100%.
            s.step = StrategyMachine.of(spec.strategy()).promotionStep();
        } else {
            for (String t : spec.backgroundAnalysis()) {
                s.background.add(AnalysisRun.start(t, now));
            }
        }
        return s;
    }

    /**
     * Attach to a stored rollout after a restart, with the same spec it was started with.
     *
     * @throws IllegalStateException when there is no such rollout, or the spec is not the one it started with
     */
    public RolloutState resume(RolloutSpec spec) {
        return attach(spec);
    }

    /**
     * Attach to a stored rollout with the spec stored in its state, so that any controller or CLI that
     * reaches the state store can take over a rollout it did not start.
     *
     * @throws IllegalStateException when there is no such rollout or its stored spec is no longer valid
     */
    public RolloutState resume(String key) {
        RolloutState s = load(key).state();
        try {
            return attach(s.spec().orElseThrow(() -> new IllegalStateException("rollout '" + key
                    + "' has no stored spec; resume it with the spec it was started with")));
        } catch (InvalidSpecException e) {
            throw new IllegalStateException("rollout '" + key + "' has a stored spec that is no longer valid: "
                    + e.getMessage(), e);
        }
    }

    private RolloutState attach(RolloutSpec spec) {
        String key = spec.lockKey();
        RolloutState s = load(key).state();
        if (!s.phase.ended() && !digest(spec).equals(s.specDigest)) {
            throw new IllegalStateException("rollout '" + key + "' (version " + s.version
                    + ") was started with a different spec; give the same spec, or abort it first");
        }
        lives.put(key, new Live(spec, binder.bind(spec), StrategyMachine.of(spec.strategy())));
        return s;
    }

    /**
     * Perform what is due for rollout {@code key} and say when to call again.
     *
     * @throws IllegalStateException when the rollout is not attached ({@link #start} or {@link #resume} first)
     */
    public Next advance(String key) {
        Live live = lives.get(key);
        if (live == null) {
            throw new IllegalStateException("rollout '" + key + "' is not attached to this engine: start or resume it");
        }
        synchronized (live) {
            for (int attempt = 0; ; attempt++) {
                Loaded l = load(key);
                try {
                    return new Reconciler(this, live, l.state(), l.revision(), l.json(), clock.instant()).run();
                } catch (Reconciler.Conflict c) {
                    // A command landed in between: read it and decide again.
                    if (attempt >= 10) {
                        throw new IllegalStateException(c.getMessage(), c);
                    }
                }
            }
        }
    }

    /** Ask the rollout to pass its current pause or gate, or with {@code full} to promote at once. */
    public RolloutState promote(String key, boolean full) {
        return RolloutCommands.promote(store, key, full);
    }

    /** Ask the rollout to stop and roll back (traffic to stable first). */
    public RolloutState abort(String key, String reason) {
        return RolloutCommands.abort(store, key, reason);
    }

    /**
     * Take a finished rollout back to its previous stable version (a live one is aborted). The rollback
     * runs on the next {@link #advance}.
     */
    public RolloutState rollback(String key) {
        RolloutState s = RolloutCommands.rollback(store, key);
        Live live = lives.get(key);
        if (live != null && s.phase == Phase.ROLLING_BACK) {
            // The workload was closed when the rollout ended: bind the ports afresh.
            lives.put(key, new Live(live.spec(), binder.bind(live.spec()), live.machine()));
        }
        return s;
    }

    /** The stored state of rollout {@code key}, if there is one. */
    public Optional<RolloutState> status(String key) {
        return store.load(key).map(st -> RolloutState.fromJson(st.json()));
    }

    // ---- internals --------------------------------------------------------------------------------

    record Loaded(RolloutState state, long revision, String json) {
    }

    private Loaded load(String key) {
        StateStore.Stored st = store.load(key).orElseThrow(() -> new IllegalStateException("no rollout '" + key
                + "' in the state store"));
        return new Loaded(RolloutState.fromJson(st.json()), st.revision(), st.json());
    }

    void event(RolloutEvent e) {
        try {
            events.accept(e);
        } catch (RuntimeException ignored) {
            // an event sink must not stop a rollout
        }
    }

    CompletableFuture<MetricValue> answer(String key, RolloutState.InFlight f,
            Supplier<CompletableFuture<MetricValue>> ask) {
        return answers.computeIfAbsent(key + "|" + f.id(), id -> {
            CompletableFuture<MetricValue> cf = ask.get();
            if (!cf.isDone()) {
                cf.whenComplete((v, e) -> waker.accept(key));
            }
            return cf;
        });
    }

    void forget(String key, RolloutState.InFlight f) {
        answers.remove(key + "|" + f.id());
    }

    void ended(Live live, RolloutState s) {
        answers.keySet().removeIf(id -> id.startsWith(s.key + "|"));
        try {
            live.platform().workload().close();
        } catch (RuntimeException e) {
            event(new RolloutEvent(clock.instant(), s.key, "error", "closing the workload failed: "
                    + Reconciler.messageOf(e)));
        }
    }

    /** A stable fingerprint of what the rollout was started with (map order does not count). */
    /** A digest of the canonical spec: equal specs, however they were written, have equal digests. */
    static String digest(RolloutSpec spec) {
        try {
            byte[] canonical = CANONICAL.writeValueAsBytes(SpecWriter.toTree(spec));
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // SpecWriter's tree is canonical (fixed field order, defaults written out), so its bytes are too.
    private static final ObjectMapper CANONICAL = new ObjectMapper();
}
