package io.jenkins.plugins.progressive.steps;

import hudson.Extension;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.Set;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** {@code rollbackRollout}: returns a rollout, live or finished, to what its pre-rollout snapshot holds. */
public final class RollbackRolloutStep extends RolloutCommandStep {

    static final String FUNCTION = "rollbackRollout";

    private String reason = "";

    @DataBoundConstructor
    public RollbackRolloutStep() {
    }

    @Override
    String functionName() {
        return FUNCTION;
    }

    @Override
    RolloutAction.Command command() {
        return RolloutAction.Command.ROLLBACK;
    }

    @Override
    String send(RolloutDriver driver, String key, RolloutDriver.CredentialLookup credentials) throws Exception {
        driver.rollback(key, reason.isEmpty() ? "rolled back by " + FUNCTION : reason, credentials);
        return "RollbackRequested";
    }

    public String getReason() {
        return reason;
    }

    @DataBoundSetter
    public void setReason(String reason) {
        this.reason = Texts.trim(reason);
    }

    @Extension
    public static final class DescriptorImpl extends ProgressiveStepDescriptor {
        @Override
        public String getFunctionName() {
            return FUNCTION;
        }

        @Override
        public String getDisplayName() {
            return "Roll back a rollout";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }
    }
}
