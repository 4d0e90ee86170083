package io.jenkins.plugins.progressive.steps;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/**
 * A long step as a state machine. {@link #start()} only schedules; each tick, on the plugin's pool, makes one engine
 * call and schedules the next at the time the engine asked for. Between ticks the step holds no thread and no
 * executor. Its state (the plan, the engine's key, whether an abort was asked for) is a few strings that Pipeline
 * persists with the build, so after a controller restart {@link #onResume()} simply re-arms the next tick.
 *
 * <p>{@link #stop} never waits for an engine call: it only records the request, and the next tick (at once, or when
 * the running one is over) sends the abort. Every line the step writes to the build log, and every failure message,
 * has the secrets it read masked ({@link SecretMask}).
 */
final class DeliveryExecution extends StepExecution {
    private static final long serialVersionUID = 1L;
    private static final Logger LOGGER = Logger.getLogger(DeliveryExecution.class.getName());

    /** Engine calls failing this many times in a row (each retried after the runtime's delay) fail the step. */
    static final int MAX_RETRIES = 5;

    private final Plan plan;
    private volatile String key;
    private long startedAtMillis;
    private volatile String status = "waiting to start";
    private boolean finished;
    private String abortReason;
    private boolean abortSent;
    private Throwable stopCause;
    /** Set by {@link #stop} without taking the lock; the tick turns it into {@link #stopCause}. */
    private volatile Throwable stopRequest;
    private int failedCalls;

    /** The pod agent's account, when the step names no cluster and runs in a pod; never a secret. */
    private RolloutDriver.ClusterConnection podCluster;
    private transient volatile DeliveryRuntime runtime;
    private transient Future<?> next;
    private transient RolloutAction action;
    private transient SecretMask mask;

    DeliveryExecution(StepContext context, DeliveryRuntime runtime, Plan plan) {
        super(context);
        this.runtime = runtime;
        this.plan = plan;
    }

    @Override
    public boolean start() {
        synchronized (this) {
            startedAtMillis = System.currentTimeMillis();
            arm(Duration.ZERO);
        }
        return false;
    }

    @Override
    public void onResume() {
        resume(DeliveryRuntime.get());
    }

    /** After a restart: the engine still has the rollout under {@link #key}; carry on from there. */
    synchronized void resume(DeliveryRuntime newRuntime) {
        runtime = newRuntime;
        if (!finished) {
            arm(Duration.ZERO);
        }
    }

    /**
     * Asks the engine to abort (which then applies the rollout's onFailure); the step ends once it has. Called on the
     * CPS VM thread, so it only records the request and schedules a tick: an engine call in progress may take a
     * network timeout, and the tick that runs it holds the lock.
     */
    @Override
    public void stop(Throwable cause) {
        if (stopRequest == null) {
            stopRequest = cause;
            if (runtime == null) {
                runtime = DeliveryRuntime.get(); // stopped after a restart, before onResume
            }
            runtime.schedule(this::tick, Duration.ZERO);
        }
    }

    /** Not synchronized: a thread dump must not wait for an engine call. */
    @Override
    public String getStatus() {
        String key = this.key;
        return mask().apply(key == null ? status : status + " (rollout " + key + ")");
    }

    synchronized boolean isFinished() {
        return finished;
    }

    String key() {
        return key;
    }

    private void arm(Duration delay) {
        cancelNext();
        next = runtime.schedule(this::tick, delay);
    }

    private void cancelNext() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    synchronized void tick() {
        if (finished) {
            return;
        }
        if (stopRequest != null && key == null) {
            // nothing was started: nothing to undo
            finished = true;
            status = "stopped";
            cancelNext();
            getContext().onFailure(stopRequest);
            return;
        }
        RolloutDriver driver = runtime.driver();
        try {
            RolloutDriver.CredentialLookup credentials = mask().recording(runtime.credentials(
                    getContext().get(Run.class)));
            if (key == null) {
                FilePath workspace = getContext().get(FilePath.class);
                RolloutDriver.Work work = SpecBinding.work(plan, plan.specPath == null ? null
                        : readSpec(workspace, plan));
                if (plan.cluster == null && !(work instanceof RolloutDriver.Work.Gate)) {
                    podCluster = AgentServiceAccount.detect(workspace, getContext().get(EnvVars.class)).orElse(null);
                }
                if (podCluster != null) {
                    credentials = AgentServiceAccount.wrap(credentials, AgentServiceAccount.of(workspace));
                    log("connecting with the service account of the pod this step runs in (" + podCluster.serverUrl()
                            + ")");
                }
                Run<?, ?> owner = getContext().get(Run.class);
                key = driver.start(new RolloutDriver.Request(plan.operation, work,
                        Optional.ofNullable(plan.cluster != null ? plan.cluster : podCluster),
                        withJob(withWorkspace(plan.options, workspace), owner), credentials)).key();
                log("started " + describe(work) + " (" + key + ")");
                Run<?, ?> run = getContext().get(Run.class);
                if (run != null) {
                    action = RolloutAction.of(run, plan.functionName, key, work.name(), work.version());
                }
                // the key is all a restarted controller needs: persist it now rather than at the next checkpoint
                getContext().saveState();
            } else if (podCluster != null) {
                FilePath workspace = getContext().get(FilePath.class);
                if (workspace != null) {
                    credentials = AgentServiceAccount.wrap(credentials, AgentServiceAccount.of(workspace));
                }
            }
            Throwable stop = stopRequest;
            if (stop != null && stopCause == null) {
                stopCause = stop;
                abortReason = stop.getMessage() != null ? stop.getMessage() : stop.getClass().getSimpleName();
                status = "aborting: " + abortReason;
            }
            if (abortReason != null && !abortSent) {
                driver.abort(key, abortReason);
                abortSent = true;
                log("abort requested: " + abortReason);
            }
            RolloutDriver.Tick tick = driver.advance(key, credentials);
            failedCalls = 0;
            if (tick instanceof RolloutDriver.Tick.Wait wait) {
                if (!wait.status().equals(status)) {
                    log(wait.status());
                }
                status = wait.status();
                record(wait.progress());
                arm(wait.after());
            } else if (tick instanceof RolloutDriver.Tick.Done done) {
                complete(done.outcome());
            }
        } catch (AbortException e) {
            fail(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            arm(runtime.retryDelay());
        } catch (IOException | RuntimeException e) {
            if (key != null && ++failedCalls <= MAX_RETRIES) {
                LOGGER.log(Level.FINE, "engine call failed for " + key, e);
                log("engine call failed (" + e.getMessage() + "); retrying in " + runtime.retryDelay().toMillis()
                        + " ms");
                arm(runtime.retryDelay());
            } else {
                fail(new AbortException(plan.functionName + ": " + e.getMessage()));
            }
        }
    }

    /** The build page's data; after a restart the action is found again on the build. */
    private RolloutAction action() throws IOException, InterruptedException {
        if (action == null && key != null) {
            Run<?, ?> run = getContext().get(Run.class);
            if (run != null) {
                action = run.getActions(RolloutAction.class).stream().filter(a -> a.getKey().equals(key)).reduce(
                        (a, b) -> b).orElse(null);
            }
        }
        return action;
    }

    private void record(RolloutDriver.Progress progress) {
        try {
            RolloutAction a = action();
            if (a != null) {
                a.update(progress);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            LOGGER.log(Level.FINE, "cannot record the progress of " + key + " on the build", e);
        }
    }

    private void complete(RolloutDriver.Outcome outcome) {
        finished = true;
        try {
            RolloutAction a = action();
            if (a != null) {
                a.end(outcome);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            LOGGER.log(Level.FINE, "cannot record the outcome of " + key + " on the build", e);
        }
        status = outcome.status();
        cancelNext();
        Map<String, Object> result = resultMap(outcome, System.currentTimeMillis() - startedAtMillis);
        log(outcome.status() + (outcome.verdict().isEmpty() ? "" : ", verdict " + outcome.verdict())
                + (outcome.snapshotId().isEmpty() ? "" : ", snapshot " + outcome.snapshotId()));
        if (stopCause != null) {
            getContext().onFailure(stopCause);
        } else if (outcome.succeeded() || plan.operation == RolloutDriver.Operation.GATE) {
            // promotionGate reports its verdict instead of failing: the caller decides what a verdict means
            getContext().onSuccess(result);
        } else {
            getContext().onFailure(new AbortException(mask().apply(plan.functionName + ": " + outcome.status()
                    + (outcome.verdict().isEmpty() ? "" : " (verdict " + outcome.verdict() + ")")
                    + (outcome.reason().isEmpty() ? "" : ": " + outcome.reason()))));
        }
    }

    /** Ends the step with a user-facing failure: its message masked, no stack trace. */
    private void fail(AbortException cause) {
        finished = true;
        String message = mask().apply(cause.getMessage());
        status = "failed: " + message;
        cancelNext();
        getContext().onFailure(java.util.Objects.equals(message, cause.getMessage()) ? cause
                : new AbortException(message));
    }

    private SecretMask mask() {
        SecretMask m = mask;
        if (m == null) {
            m = new SecretMask();
            mask = m;
        }
        return m;
    }

    static String describe(RolloutDriver.Work work) {
        return work.version().isEmpty() ? work.name() : work.name() + " " + work.version();
    }

    /** The step's return value: plain maps and lists, which Pipeline scripts and the CPS transformer handle. */
    static Map<String, Object> resultMap(RolloutDriver.Outcome outcome, long durationMillis) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", outcome.status());
        result.put("verdict", outcome.verdict());
        result.put("snapshotId", outcome.snapshotId());
        List<Map<String, Object>> measurements = new ArrayList<>();
        outcome.measurements().forEach(m -> measurements.add(new LinkedHashMap<>(m)));
        result.put("measurements", measurements);
        result.put("durationMillis", durationMillis);
        outcome.details().forEach(result::putIfAbsent);
        return result;
    }

    /**
     * The options, and the workspace's path when the workspace is on the controller's own file system: the engine
     * runs there, so only then can a relative {@code file:} snapshot store be resolved against it.
     */
    static Map<String, String> withWorkspace(Map<String, String> options, FilePath workspace) {
        Map<String, String> all = new LinkedHashMap<>(options);
        if (workspace != null && !workspace.isRemote()) {
            all.put(RolloutDriver.Request.WORKSPACE, workspace.getRemote());
        }
        return all;
    }

    /** The options, and the full name of the build's job: the owner whose permissions commands to it need. */
    static Map<String, String> withJob(Map<String, String> options, Run<?, ?> run) {
        if (run == null) {
            return options;
        }
        Map<String, String> all = new LinkedHashMap<>(options);
        all.put(RolloutDriver.Request.JOB, run.getParent().getFullName());
        return all;
    }

    /** Reads the spec file from the workspace (on the agent that holds it). */
    static String readSpec(FilePath workspace, Plan plan) throws IOException, InterruptedException {
        if (workspace == null) {
            throw SpecBinding.invalid(plan.functionName, List.of(new io.jenkins.plugins.progressive.spec.SpecProblem(
                    "spec", "reading '" + plan.specPath + "' needs a workspace: call " + plan.functionName
                            + " inside node { … }, or give the spec inline")));
        }
        FilePath file = workspace.child(plan.specPath);
        if (!file.exists()) {
            throw SpecBinding.invalid(plan.functionName, List.of(new io.jenkins.plugins.progressive.spec.SpecProblem(
                    "spec", "no file '" + plan.specPath + "' in the workspace")));
        }
        return file.readToString();
    }

    private void log(String message) {
        try {
            TaskListener listener = getContext().get(TaskListener.class);
            if (listener != null) {
                listener.getLogger().println(mask().apply("[" + plan.functionName + "] " + message));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            LOGGER.log(Level.FINE, "cannot write to the build log", e);
        }
    }
}
