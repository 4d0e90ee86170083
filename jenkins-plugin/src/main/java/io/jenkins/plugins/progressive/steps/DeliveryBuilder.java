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
import java.util.Optional;
import jenkins.tasks.SimpleBuildStep;

/**
 * A freestyle build step around one Pipeline step: the same form (the step's own, shown through
 * {@code f:property}), the same binding, the same engine. A freestyle build holds its executor anyway, so this one
 * waits between engine calls instead of scheduling them; when the build is aborted it asks the engine to abort and
 * waits for the rollback to finish before it gives the executor back.
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
        RolloutDriver.Outcome outcome = runToEnd(DeliveryRuntime.get().driver(), plan, work,
                DeliveryExecution.withWorkspace(plan.options, workspace), BuildCredentials.of(run), listener);
        if (!outcome.succeeded() && plan.operation != RolloutDriver.Operation.GATE) {
            throw new AbortException(plan.functionName + ": " + outcome.status() + (outcome.reason().isEmpty() ? ""
                    : ": " + outcome.reason()));
        }
    }

    static RolloutDriver.Outcome runToEnd(RolloutDriver driver, Plan plan, RolloutDriver.Work work,
            RolloutDriver.CredentialLookup credentials, TaskListener listener) throws IOException, InterruptedException {
        return runToEnd(driver, plan, work, plan.options, credentials, listener);
    }

    static RolloutDriver.Outcome runToEnd(RolloutDriver driver, Plan plan, RolloutDriver.Work work,
            java.util.Map<String, String> options, RolloutDriver.CredentialLookup credentials, TaskListener listener)
            throws IOException, InterruptedException {
        String key = driver.start(new RolloutDriver.Request(plan.operation, work, Optional.ofNullable(plan.cluster),
                options, credentials)).key();
        listener.getLogger().println("[" + plan.functionName + "] started " + DeliveryExecution.describe(work)
                + " (" + key + ")");
        InterruptedException interrupted = null;
        String last = "";
        while (true) {
            RolloutDriver.Tick tick = driver.advance(key, credentials);
            if (tick instanceof RolloutDriver.Tick.Done done) {
                RolloutDriver.Outcome outcome = done.outcome();
                listener.getLogger().println("[" + plan.functionName + "] " + outcome.status()
                        + (outcome.verdict().isEmpty() ? "" : ", verdict " + outcome.verdict()));
                if (interrupted != null) {
                    throw interrupted;
                }
                return outcome;
            }
            RolloutDriver.Tick.Wait wait = (RolloutDriver.Tick.Wait) tick;
            if (!wait.status().equals(last)) {
                listener.getLogger().println("[" + plan.functionName + "] " + wait.status());
                last = wait.status();
            }
            try {
                Thread.sleep(Math.max(1, wait.after().toMillis()));
            } catch (InterruptedException e) {
                if (interrupted == null) {
                    interrupted = e;
                    driver.abort(key, "the build was aborted");
                    listener.getLogger().println("[" + plan.functionName + "] build aborted: rolling back");
                }
            }
        }
    }
}
