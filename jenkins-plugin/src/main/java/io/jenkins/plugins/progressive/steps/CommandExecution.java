package io.jenkins.plugins.progressive.steps;

import hudson.AbortException;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/**
 * promoteRollout, abortRollout, rollbackRollout: one engine call on the plugin's pool (the engine stores the request
 * where the rollout's own execution picks it up), then done. Before it, the build's authentication (captured in
 * {@link #start()}, on the CPS VM thread) must have the command's permission on the job that started the rollout.
 */
final class CommandExecution extends StepExecution {
    private static final long serialVersionUID = 1L;

    private final RolloutCommandStep command;
    private final String key;
    private boolean finished;

    private transient DeliveryRuntime runtime;
    private transient Future<?> pending;
    private transient CommandCaller caller;

    CommandExecution(StepContext context, DeliveryRuntime runtime, RolloutCommandStep command) throws AbortException {
        super(context);
        this.runtime = runtime;
        this.command = command;
        this.key = command.key();
    }

    @Override
    public synchronized boolean start() {
        caller = runtime.caller();
        pending = runtime.schedule(this::send, Duration.ZERO);
        return false;
    }

    @Override
    public synchronized void onResume() {
        runtime = DeliveryRuntime.get();
        if (!finished) {
            // send() then says that the request was not sent: whose it is cannot be known any more
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
            if (caller == null) {
                // resumed after a restart: the build's authentication is not known any more on this thread
                throw new AbortException(command.functionName() + ": the controller restarted before the request to "
                        + key + " was sent; nothing was sent, run the step again");
            }
            RolloutDriver driver = runtime.driver();
            RolloutDriver.Owner owner = driver.owner(key);
            caller.check(owner.key(), owner.job(), command.command());
            String status = command.send(driver, owner.key(), runtime.credentials(getContext().get(Run.class)));
            TaskListener listener = getContext().get(TaskListener.class);
            if (listener != null) {
                listener.getLogger().println("[" + command.functionName() + "] " + status + ": " + owner.key());
            }
            getContext().onSuccess(DeliveryExecution.resultMap(
                    new RolloutDriver.Outcome(status, "", "", List.<Map<String, Object>>of(), true, ""), 0));
        } catch (AbortException e) {
            getContext().onFailure(e.getMessage().startsWith(command.functionName() + ":") ? e
                    : new AbortException(command.functionName() + ": " + e.getMessage()));
        } catch (Exception e) {
            getContext().onFailure(new AbortException(command.functionName() + ": " + e.getMessage()));
        }
    }
}
