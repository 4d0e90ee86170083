package io.jenkins.plugins.progressive.steps;

import hudson.AbortException;
import hudson.model.TaskListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/**
 * promoteRollout, abortRollout, rollbackRollout: one engine call on the plugin's pool (the engine stores the request
 * where the rollout's own execution picks it up), then done.
 */
final class CommandExecution extends StepExecution {
    private static final long serialVersionUID = 1L;

    private final RolloutCommandStep command;
    private final String key;
    private boolean finished;

    private transient DeliveryRuntime runtime;
    private transient Future<?> pending;

    CommandExecution(StepContext context, DeliveryRuntime runtime, RolloutCommandStep command) throws AbortException {
        super(context);
        this.runtime = runtime;
        this.command = command;
        this.key = command.key();
    }

    @Override
    public synchronized boolean start() {
        pending = runtime.schedule(this::send, Duration.ZERO);
        return false;
    }

    @Override
    public synchronized void onResume() {
        runtime = DeliveryRuntime.get();
        if (!finished) {
            // sending twice is harmless: every engine request is idempotent
            pending = runtime.schedule(this::send, Duration.ZERO);
        }
    }

    @Override
    public synchronized void stop(Throwable cause) {
        if (!finished) {
            finished = true;
            if (pending != null) {
                pending.cancel(false);
            }
            getContext().onFailure(cause);
        }
    }

    @Override
    public String getStatus() {
        return "sending " + command.functionName() + " to " + key;
    }

    synchronized void send() {
        if (finished) {
            return;
        }
        finished = true;
        try {
            String status = command.send(runtime.driver(), key);
            TaskListener listener = getContext().get(TaskListener.class);
            if (listener != null) {
                listener.getLogger().println("[" + command.functionName() + "] " + status + ": " + key);
            }
            getContext().onSuccess(DeliveryExecution.resultMap(
                    new RolloutDriver.Outcome(status, "", "", List.<Map<String, Object>>of(), true, ""), 0));
        } catch (AbortException e) {
            getContext().onFailure(e);
        } catch (Exception e) {
            getContext().onFailure(new AbortException(command.functionName() + ": " + e.getMessage()));
        }
    }
}
