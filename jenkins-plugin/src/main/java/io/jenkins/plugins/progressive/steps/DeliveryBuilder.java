package io.jenkins.plugins.progressive.steps;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.Launcher;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.tasks.Builder;
import io.jenkins.plugins.progressive.configuration.ProgressiveConfiguration;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import jenkins.tasks.SimpleBuildStep;

/**
 * A freestyle build step around one Pipeline step: the same form (the step's own, shown through
 * {@code f:property}), the same binding, the same engine. A freestyle build holds its executor anyway, so this one
 * waits between engine calls instead of scheduling them; when the build is aborted it asks the engine to abort and
 * waits for the rollback to finish before it gives the executor back. Its build page gets the same rollout action as
 * a Pipeline build's, so a {@code pause: manual} can be promoted or aborted from there.
 */
public abstract class DeliveryBuilder extends Builder implements SimpleBuildStep {

    /** The step whose parameters this build step holds. */
    abstract TargetedStep step();

    @Override
    public void perform(Run<?, ?> run, FilePath workspace, EnvVars env, Launcher launcher, TaskListener listener)
            throws InterruptedException, IOException {
        TargetedStep step = step();
        Plan plan = SpecBinding.plan(step, ProgressiveConfiguration.get());
        RolloutDriver.Work work = SpecBinding.work(plan,
                plan.specPath == null ? null : DeliveryExecution.readSpec(workspace, plan));
        DeliveryRuntime runtime = DeliveryRuntime.get();
        SecretMask mask = new SecretMask();
        RolloutDriver.Outcome outcome = runToEnd(runtime.driver(), plan, work,
                DeliveryExecution.withJob(DeliveryExecution.withWorkspace(plan.options, workspace), run),
                mask.recording(runtime.credentials(run)), listener, mask, run);
        if (!outcome.succeeded() && plan.operation != RolloutDriver.Operation.GATE) {
            throw new AbortException(mask.apply(plan.functionName + ": " + outcome.status()
                    + (outcome.reason().isEmpty() ? "" : ": " + outcome.reason())));
        }
    }

    static RolloutDriver.Outcome runToEnd(RolloutDriver driver, Plan plan, RolloutDriver.Work work,
            RolloutDriver.CredentialLookup credentials, TaskListener listener) throws IOException, InterruptedException {
        SecretMask mask = new SecretMask();
        return runToEnd(driver, plan, work, plan.options, mask.recording(credentials), listener, mask, null);
    }

    /**
     * Runs the work to its end on this thread, logging with {@code mask}'s secrets masked; with a {@code run}, its
     * build page gets the rollout's action (chart, verdict, and Promote and Abort while it waits for a person).
     */
    static RolloutDriver.Outcome runToEnd(RolloutDriver driver, Plan plan, RolloutDriver.Work work,
            Map<String, String> options, RolloutDriver.CredentialLookup credentials, TaskListener listener,
            SecretMask mask, Run<?, ?> run) throws IOException, InterruptedException {
        PrintStream log = listener.getLogger();
        String prefix = "[" + plan.functionName + "] ";
        String key;
        try {
            key = driver.start(new RolloutDriver.Request(plan.operation, work, Optional.ofNullable(plan.cluster),
                    options, credentials)).key();
        } catch (AbortException e) {
            throw new AbortException(mask.apply(e.getMessage()));
        }
        log.println(mask.apply(prefix + "started " + DeliveryExecution.describe(work) + " (" + key + ")"));
        RolloutAction action = run == null ? null
                : RolloutAction.of(run, plan.functionName, key, work.name(), work.version());
        InterruptedException interrupted = null;
        String last = "";
        while (true) {
            RolloutDriver.Tick tick;
            try {
                tick = driver.advance(key, credentials);
            } catch (IOException e) {
                throw new AbortException(mask.apply(plan.functionName + ": " + e.getMessage()));
            }
            if (tick instanceof RolloutDriver.Tick.Done done) {
                RolloutDriver.Outcome outcome = done.outcome();
                if (action != null) {
                    action.end(outcome);
                }
                log.println(mask.apply(prefix + outcome.status()
                        + (outcome.verdict().isEmpty() ? "" : ", verdict " + outcome.verdict())));
                if (interrupted != null) {
                    throw interrupted;
                }
                return outcome;
            }
            RolloutDriver.Tick.Wait wait = (RolloutDriver.Tick.Wait) tick;
            if (action != null) {
                action.update(wait.progress());
            }
            if (!wait.status().equals(last)) {
                log.println(mask.apply(prefix + wait.status()));
                last = wait.status();
            }
            try {
                Thread.sleep(Math.max(1, wait.after().toMillis()));
            } catch (InterruptedException e) {
                if (interrupted == null) {
                    interrupted = e;
                    driver.abort(key, "the build was aborted");
                    log.println(prefix + "build aborted: rolling back");
                }
            }
        }
    }
}
