package io.jenkins.plugins.progressive.rollout;

import io.jenkins.plugins.progressive.analysis.AnalysisRun;
import io.jenkins.plugins.progressive.analysis.Measurement;
import io.jenkins.plugins.progressive.analysis.Measurements;
import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.rollout.RolloutState.Action;
import io.jenkins.plugins.progressive.rollout.RolloutState.Desired;
import io.jenkins.plugins.progressive.rollout.RolloutState.InFlight;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One {@link RolloutEngine#advance} call: decides, performs at most the actions that are due (each
 * between two checkpoints), and stops at the first thing it has to wait for. Never sleeps.
 */
final class Reconciler {

    /** A checkpoint lost a compare-and-set: the engine reloads and decides again. */
    static final class Conflict extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Conflict(StateStore.ConflictException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private record Eval(Verdict verdict, String reason, Instant wake) {
    }

    private final RolloutEngine engine;
    private final RolloutEngine.Live live;
    private final RolloutState state;
    private final Instant now;
    private long revision;
    private String savedJson;
    private Instant backgroundWake;

    Reconciler(RolloutEngine engine, RolloutEngine.Live live, RolloutState state, long revision, String savedJson,
            Instant now) {
        this.engine = engine;
        this.live = live;
        this.state = state;
        this.revision = revision;
        this.savedJson = savedJson;
        this.now = now;
    }

    RolloutState state() {
        return state;
    }

    Instant now() {
        return now;
    }

    boolean replicaRatio() {
        return live.platform().router().followsReplicas();
    }

    private RolloutSpec spec() {
        return live.spec();
    }

    Next run() {
        if (state.phase.ended()) {
            return Next.done(state.result);
        }
        for (int guard = 0; guard < 10_000; guard++) {
            backgroundWake = null;
            Decision d = decide();
            if (state.phase.ended()) {
                checkpoint();
                engine.ended(live, state);
                return Next.done(state.result);
            }
            if (d instanceof Decision.Act a) {
                state.pendingAction = a.action();
                checkpoint();
            } else if (d instanceof Decision.Wait w) {
                checkpoint();
                Instant at = w.until();
                if (backgroundWake != null && backgroundWake.isBefore(at)) {
                    at = backgroundWake;
                }
                // A promote or abort stored by another process (CLI, another controller) wakes nothing here:
                // no wait, a timed pause included, outlasts the command poll.
                Instant commands = now.plus(engine.commandPoll);
                if (commands.isBefore(at)) {
                    at = commands;
                }
                return Next.at(at, state.phase);
            } else if (d instanceof Decision.Fail f) {
                fail(f.reason(), f.verdict());
            }
            // Decision.AGAIN: the state moved on, decide again
        }
        throw new IllegalStateException("rollout '" + state.key + "' keeps deciding without waiting (engine bug)");
    }

    private Decision decide() {
        if (state.pendingAction != null) {
            return performPending();
        }
        takeRequests();
        if (state.phase.ended()) {
            return Decision.AGAIN;
        }
        switch (state.phase) {
            case ROLLING_BACK -> {
                return Rollback.next(this);
            }
            case PAUSED -> {
                Decision b = background();
                return b != null ? b : new Decision.Wait(now.plus(engine.commandPoll));
            }
            default -> {
                if (spec().snapshot().enabled() && state.snapshotId == null) {
                    if (live.platform().snapshots() == null) {
                        return new Decision.Fail("snapshot.enabled is true but this target cannot be snapshotted", null);
                    }
                    return new Decision.Act(Action.snapshot());
                }
                Decision b = background();
                return b != null ? b : live.machine().next(this);
            }
        }
    }

    // ---- actions ------------------------------------------------------------------------------

    private Decision performPending() {
        Action a = state.pendingAction;
        if (a.retryAt() != null && now.isBefore(a.retryAt())) {
            return new Decision.Wait(a.retryAt());
        }
        Platform p = live.platform();
        String snapshotId = null;
        try {
            switch (a.type()) {
                case SCALE -> p.workload().scale(a.role(), a.version(), a.replicas());
                case ROUTES -> p.router().setRoutes(a.routes());
                case SNAPSHOT -> snapshotId = p.snapshots().capture(spec());
                case RESTORE -> p.snapshots().restore(a.snapshotId());
            }
        } catch (RuntimeException e) {
            String msg = a + " failed: " + messageOf(e);
            event("error", msg + " (attempt " + (a.attempts() + 1) + " of " + engine.maxAttempts + ")");
            if (a.attempts() + 1 < engine.maxAttempts) {
                Instant retry = now.plus(engine.retryBackoff.multipliedBy(1L << a.attempts()));
                state.pendingAction = a.failedOnce(retry);
                checkpoint();
                return new Decision.Wait(retry);
            }
            state.pendingAction = null;
            if (state.phase == Phase.ROLLING_BACK) {
                if (a.type() == Action.Type.ROUTES) {
                    state.rollbackErrors.add(msg);
                    finish(Phase.FAILED_NEEDS_PERSON, readBack(), "traffic could not be moved back to stable: " + msg
                            + "; nothing else was changed");
                } else {
                    rollbackStepFailed(msg);
                }
                return Decision.AGAIN;
            }
            return new Decision.Fail(msg, null);
        }
        switch (a.type()) {
            case SCALE -> {
                state.desired.put(a.role(), new Desired(a.version(), a.replicas()));
                if (!replicaRatio() && (state.routes == null || weightOf(a.role()) > 0)) {
                    state.routesStale = true;
                }
                event("scale", a.toString());
            }
            case ROUTES -> {
                state.routes = a.routes();
                state.routesStale = false;
                history("routes " + a.routes());
                event(state.phase == Phase.ROLLING_BACK ? "rollback" : "weight", a.routes().toString());
            }
            case SNAPSHOT -> {
                state.snapshotId = snapshotId;
                event("snapshot", "snapshot " + snapshotId + " taken");
            }
            case RESTORE -> {
                state.snapshotRestored = true;
                event("rollback", "snapshot " + a.snapshotId() + " restored");
            }
        }
        state.pendingAction = null;
        checkpoint();
        return Decision.AGAIN;
    }

    /** Save the state if it changed (compare-and-set on the revision it was loaded or last saved at). */
    void checkpoint() {
        String json = state.toJson();
        if (json.equals(savedJson)) {
            return;
        }
        try {
            revision = engine.store.save(state.key, revision, json);
        } catch (StateStore.ConflictException e) {
            throw new Conflict(e);
        }
        savedJson = json;
    }

    // ---- building blocks for the strategies -------------------------------------------------------

    /**
     * Null once {@code role} runs {@code replicas} ready instances of {@code version}; otherwise the
     * scale action, a wait, or a failure (the role reports one, or the progress deadline passed).
     */
    Decision roleAt(Role role, String version, int replicas) {
        Desired have = state.desired(role);
        boolean asked = replicas == 0 ? have.replicas() == 0
                : new Desired(version, replicas).equals(have);
        if (!asked) {
            return new Decision.Act(Action.scale(role, version, replicas));
        }
        RoleStatus st;
        try {
            st = live.platform().workload().status(role);
        } catch (RuntimeException e) {
            event("error", "cannot read " + role + " status: " + messageOf(e));
            return waitReady(role, version, replicas);
        }
        if (replicas > 0 && st.failure().isPresent()) {
            state.waitingSince = null;
            return new Decision.Fail(role.name().toLowerCase(java.util.Locale.ROOT) + " " + version
                    + " cannot become ready: " + st.failure().get(), null);
        }
        if (st.isReady(version, replicas)) {
            state.waitingSince = null;
            return null;
        }
        return waitReady(role, version, replicas);
    }

    private Decision waitReady(Role role, String version, int replicas) {
        if (state.waitingSince == null) {
            state.waitingSince = now;
        }
        if (!now.isBefore(state.waitingSince.plus(engine.progressDeadline))) {
            state.waitingSince = null;
            return new Decision.Fail(role.name().toLowerCase(java.util.Locale.ROOT) + " did not get " + replicas
                    + " ready instances of " + version + " within the progress deadline of " + engine.progressDeadline,
                    null);
        }
        return new Decision.Wait(now.plus(engine.pollInterval));
    }

    /**
     * Null once the router serves {@code routes} (as last set) and has settled; otherwise the action to set
     * them, or a wait while the router drains (the routes are then set again, to finish the drain).
     */
    Decision routesAt(Routes routes) {
        if (!routes.equals(state.routes) || state.routesStale) {
            return new Decision.Act(Action.routes(routes));
        }
        boolean settled;
        try {
            settled = live.platform().router().settled();
        } catch (RuntimeException e) {
            event("error", "cannot read whether the router has settled: " + messageOf(e));
            settled = false;
        }
        if (settled) {
            return null;
        }
        state.routesStale = true;
        return new Decision.Wait(now.plus(engine.pollInterval));
    }

    private int weightOf(Role role) {
        return role == Role.STABLE ? state.routes.stable() : state.routes.canary();
    }

    /** Without a router: record the share that the instance counts give. */
    void servedByReplicas(Routes routes) {
        if (!routes.equals(state.routes)) {
            state.routes = routes;
            history("routes " + routes + " (by replicas)");
            event("weight", routes + " (by ready replicas)");
        }
    }

    /** A pause of {@code duration}, or for a person when null. */
    Decision pause(Duration duration, String reason) {
        if (skipping()) {
            return null;
        }
        if (duration == null) {
            if (state.phase != Phase.PAUSED) {
                state.phase = Phase.PAUSED;
                state.pauseReason = reason;
                event("paused", "paused (" + reason + "): waiting for promote or abort");
            }
            return new Decision.Wait(now.plus(engine.commandPoll));
        }
        if (duration.isZero()) {
            return null;
        }
        if (state.pauseUntil == null) {
            state.pauseUntil = now.plus(duration);
            event("paused", "pause " + duration + " until " + state.pauseUntil);
        }
        return pauseUntil(state.pauseUntil);
    }

    Decision pauseUntil(Instant until) {
        if (skipping() || !now.isBefore(until)) {
            return null;
        }
        return new Decision.Wait(until);
    }

    private boolean skipping() {
        return state.skipStep != null && state.skipStep == state.step;
    }

    /** Null once every template of the gate is SUCCESSFUL; otherwise a wait, a pause or a failure. */
    Decision gate(String gateId, List<String> templates) {
        if (templates.isEmpty() || skipping()) {
            return null;
        }
        if (!gateId.equals(state.gateId)) {
            state.gateId = gateId;
            state.gate = new ArrayList<>();
            for (String t : templates) {
                state.gate.add(AnalysisRun.start(t, now));
            }
            event("analysis", "gate " + gateId + ": " + String.join(", ", templates));
        }
        Eval e = evaluate(state.gate, gateId);
        switch (e.verdict()) {
            case SUCCESSFUL -> {
                return null;
            }
            case FAILED, ERROR -> {
                return new Decision.Fail("analysis " + e.reason(), e.verdict());
            }
            case INCONCLUSIVE -> {
                return inconclusive(e);
            }
            default -> {
                return new Decision.Wait(e.wake());
            }
        }
    }

    private Decision inconclusive(Eval e) {
        state.verdict = Verdict.INCONCLUSIVE;
        if (state.phase != Phase.PAUSED) {
            state.phase = Phase.PAUSED;
            state.pauseReason = "analysis inconclusive: " + e.reason();
            event("verdict", "INCONCLUSIVE " + e.reason() + ": paused for a person (promote or abort)");
        }
        return new Decision.Wait(now.plus(engine.commandPoll));
    }

    private Decision background() {
        if (state.background.isEmpty()) {
            return null;
        }
        Eval e = evaluate(state.background, "background");
        switch (e.verdict()) {
            case FAILED, ERROR -> {
                // Already paused for this failure (onFailure: pause): a person decides, not the run again.
                return state.phase == Phase.PAUSED ? null
                        : new Decision.Fail("background analysis " + e.reason(), e.verdict());
            }
            case INCONCLUSIVE -> {
                return inconclusive(e);
            }
            case RUNNING -> {
                backgroundWake = e.wake();
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private Eval evaluate(List<AnalysisRun> runs, String gateId) {
        Instant wake = null;
        for (int i = 0; i < runs.size(); i++) {
            AnalysisRun run = runs.get(i);
            AnalysisTemplate t = spec().analysis().get(run.template());
            while (!run.verdict().decided()) {
                InFlight f = inflight(gateId, t.name());
                if (f != null) {
                    CompletableFuture<MetricValue> answer = engine.answer(state.key, f, () -> measure(t));
                    Measurement m;
                    if (answer.isDone()) {
                        m = judge(t, answer, f.at());
                    } else if (!now.isBefore(f.at().plus(engine.measurementTimeout))) {
                        m = Measurements.error(f.at(), "no answer within " + engine.measurementTimeout);
                    } else {
                        wake = earliest(wake, f.at().plus(engine.measurementTimeout));
                        break;
                    }
                    engine.forget(state.key, f);
                    state.inflight.remove(f);
                    run = run.record(t, m);
                    runs.set(i, run);
                    state.measurements.add(new NamedMeasurement(t.name(), gateId, m));
                    history(t.name() + " " + m.verdict() + " " + m.value());
                    event("measurement", t.name() + " (" + gateId + "): " + m.verdict() + " value=" + m.value()
                            + (m.message() == null || m.message().isEmpty() ? "" : " — " + m.message()));
                    if (run.verdict().decided()) {
                        event("verdict", t.name() + " (" + gateId + "): " + run.verdict());
                    }
                    continue;
                }
                Instant due = run.nextMeasurementAt(t);
                if (now.isBefore(due)) {
                    wake = earliest(wake, due);
                    break;
                }
                // The measurement is recorded as asked for before it is asked: after a crash it is asked again.
                state.inflight.add(new InFlight(gateId, t.name(), now));
                checkpoint();
            }
        }
        for (AnalysisRun run : runs) {
            if (run.verdict() == Verdict.FAILED || run.verdict() == Verdict.ERROR) {
                return new Eval(run.verdict(), "'" + run.template() + "' " + run.verdict() + lastMessage(run), null);
            }
        }
        for (AnalysisRun run : runs) {
            if (run.verdict() == Verdict.INCONCLUSIVE) {
                return new Eval(Verdict.INCONCLUSIVE, "'" + run.template() + "'" + lastMessage(run), null);
            }
        }
        boolean all = runs.stream().allMatch(r -> r.verdict() == Verdict.SUCCESSFUL);
        return new Eval(all ? Verdict.SUCCESSFUL : Verdict.RUNNING, null, wake == null ? now.plus(engine.pollInterval)
                : wake);
    }

    private static String lastMessage(AnalysisRun run) {
        if (run.measurements().isEmpty()) {
            return "";
        }
        Measurement m = run.measurements().get(run.measurements().size() - 1);
        return " (last value " + m.value() + (m.message() == null || m.message().isEmpty() ? "" : ": " + m.message())
                + ")";
    }

    private InFlight inflight(String gateId, String template) {
        for (InFlight f : state.inflight) {
            if (f.gate().equals(gateId) && f.template().equals(template)) {
                return f;
            }
        }
        return null;
    }

    private CompletableFuture<MetricValue> measure(AnalysisTemplate t) {
        java.util.Map<String, String> vars = new java.util.HashMap<>();
        vars.put("canary.version", state.version);
        vars.put("stable.version", state.stableVersion == null ? "" : state.stableVersion);
        vars.put("name", state.name);
        if (spec().target() instanceof io.jenkins.plugins.progressive.spec.Target.Kubernetes k) {
            vars.put("namespace", k.namespace());
        }
        try {
            return live.platform().metrics().measure(t, vars).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Measurement judge(AnalysisTemplate t, CompletableFuture<MetricValue> answer, Instant at) {
        MetricValue value;
        try {
            value = answer.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return Measurements.error(at, messageOf(cause));
        }
        try {
            return engine.judge.judge(t, value, at);
        } catch (RuntimeException e) {
            return Measurements.error(at, "cannot judge the value: " + messageOf(e));
        }
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    /** The current step is done: on to the next. */
    Decision nextStep() {
        state.step++;
        clearStep();
        event("step", "step " + state.step);
        return Decision.AGAIN;
    }

    private void clearStep() {
        state.pauseUntil = null;
        state.pauseReason = null;
        state.skipStep = null;
        state.waitingSince = null;
        state.gateId = null;
        state.gate = new ArrayList<>();
        state.inflight.removeIf(f -> {
            boolean drop = !f.gate().equals("background");
            if (drop) {
                engine.forget(state.key, f);
            }
            return drop;
        });
    }

    void note(String what) {
        history(what);
        event("step", what);
    }

    private void history(String what) {
        Routes r = state.routes;
        state.history.add(new RolloutState.History(now, state.step, r == null ? 0 : r.canary(), what));
    }

    /**
     * All steps passed: the canary takes all traffic at full size, the stable role takes the new version,
     * traffic goes back to it, the canary goes.
     */
    Decision promotion() {
        if (state.phase == Phase.PROGRESSING) {
            state.phase = Phase.PROMOTING;
            event("promoted", "promoting " + state.version);
        }
        Decision d;
        // With a router the stable instances are replaced while the full-size canary serves everything,
        // so no request reaches an instance that is being stopped (local processes are replaced at once).
        boolean stableAsked = new RolloutState.Desired(state.version, state.size).equals(state.desired(Role.STABLE));
        if (!replicaRatio() && !stableAsked && state.stableVersion != null && ((d = roleAt(Role.CANARY, state.version, state.size)) != null
                || (d = routesAt(Routes.ALL_CANARY)) != null)) {
            return d;
        }
        if ((d = roleAt(Role.STABLE, state.version, state.size)) != null) {
            return d;
        }
        if (!replicaRatio() && (d = routesAt(Routes.ALL_STABLE)) != null) {
            return d;
        }
        if ((d = roleAt(Role.CANARY, state.version, 0)) != null) {
            return d;
        }
        if (replicaRatio()) {
            servedByReplicas(Routes.ALL_STABLE);
        }
        finish(Phase.SUCCEEDED, readBack(), state.version + " serves 100% on " + state.size + " instance(s)");
        return Decision.AGAIN;
    }

    // ---- failure, commands, end ------------------------------------------------------------------

    private void fail(String reason, Verdict verdict) {
        state.failureReason = reason;
        if (verdict != null) {
            state.verdict = verdict;
        }
        history("failed: " + reason);
        event("error", "failed: " + reason + " (onFailure: " + spec().onFailure().specName() + ")");
        switch (spec().onFailure()) {
            case ROLLBACK -> startRollback();
            case PAUSE -> {
                state.phase = Phase.PAUSED;
                state.pauseReason = "failed: " + reason;
                event("paused", "paused after a failure: waiting for promote or abort");
            }
            case FAIL -> finish(Phase.FAILED_NEEDS_PERSON, readBack(), "failed: " + reason + "; left as it is");
        }
    }

    private void startRollback() {
        state.phase = Phase.ROLLING_BACK;
        state.rollbackStep = Rollback.ROUTES;
        state.pauseUntil = null;
        state.waitingSince = null;
        state.inflight.forEach(f -> engine.forget(state.key, f));
        state.inflight.clear();
        event("rollback", "rolling back to " + (state.stableVersion == null ? "nothing (first release)"
                : state.stableVersion));
    }

    void rollbackStepFailed(String message) {
        state.rollbackErrors.add(message);
        state.rollbackStep++;
        state.waitingSince = null;
        event("error", "rollback step failed: " + message);
    }

    void endRollback() {
        Routes back = readBack();
        String why = state.failureReason == null ? "" : state.failureReason + "; ";
        if (!state.rollbackErrors.isEmpty()) {
            finish(Phase.FAILED_NEEDS_PERSON, back, why + "rollback incomplete: " + String.join("; ",
                    state.rollbackErrors));
        } else if (back == null || back.canary() != 0) {
            finish(Phase.FAILED_NEEDS_PERSON, back, why + "after rollback the router serves "
                    + (back == null ? "an unknown split (read back failed)" : back.toString()));
        } else {
            Phase end = state.aborted ? Phase.ABORTED : Phase.ROLLED_BACK;
            finish(end, back, why + "rolled back to " + (state.stableVersion == null ? "nothing"
                    : state.stableVersion) + "; router serves " + back);
        }
    }

    private void takeRequests() {
        RolloutState.Requests q = state.requests;
        if (q == null) {
            return;
        }
        state.requests = null;
        boolean live = !state.phase.ended() && state.phase != Phase.ROLLING_BACK;
        if (q.abort() != null && live) {
            state.aborted = true;
            state.failureReason = "aborted: " + q.abort();
            event("aborted", state.failureReason);
            history(state.failureReason);
            startRollback();
        } else if (q.promote() != null && live) {
            boolean full = "full".equals(q.promote());
            int promotionStep = live().machine().promotionStep();
            if (full && state.step < promotionStep) {
                state.promoteFull = true;
                state.step = promotionStep;
                clearStep();
            } else {
                state.skipStep = state.step;
            }
            // A person passed a failed or inconclusive background run: it starts over.
            state.background.replaceAll(r -> r.verdict().decided() && r.verdict() != Verdict.SUCCESSFUL
                    ? AnalysisRun.start(r.template(), now) : r);
            if (state.phase == Phase.PAUSED) {
                state.phase = Phase.PROGRESSING;
                state.pauseReason = null;
            }
            history(full ? "promote --full" : "promote");
            event("promoted", full ? "promote --full: skipping to promotion" : "promote: step " + state.step
                    + " passed by a person");
        }
    }

    private RolloutEngine.Live live() {
        return live;
    }

    /** What really serves: the router read back, or without a router the ready instance counts. */
    Routes readBack() {
        try {
            if (!replicaRatio()) {
                return live.platform().router().getRoutes();
            }
            int stable = live.platform().workload().status(Role.STABLE).ready();
            int canary = live.platform().workload().status(Role.CANARY).ready();
            if (stable + canary == 0) {
                return Routes.ALL_STABLE;
            }
            return Routes.canary((int) Math.round(100.0 * canary / (stable + canary)));
        } catch (RuntimeException e) {
            event("error", "cannot read the routes back: " + messageOf(e));
            return null;
        }
    }

    void finish(Phase end, Routes routesBack, String message) {
        state.phase = end;
        state.endedAt = now;
        state.pendingAction = null;
        Verdict verdict = state.verdict != null ? state.verdict : Verdict.SUCCESSFUL;
        state.result = new RolloutResult(end, verdict, state.snapshotId, state.measurements,
                Duration.between(state.startedAt, now).toMillis(), routesBack, message,
                RolloutResult.exitCodeOf(end, state.rollbackRequested));
        history(end + ": " + message);
        event(switch (end) {
            case SUCCEEDED -> "promoted";
            case ABORTED -> "aborted";
            default -> "rollback";
        }, end + ": " + message);
    }

    private void event(String kind, String message) {
        engine.event(new RolloutEvent(now, state.key, kind, message));
    }

    static String messageOf(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
