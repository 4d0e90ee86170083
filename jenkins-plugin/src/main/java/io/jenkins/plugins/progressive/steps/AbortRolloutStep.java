package io.jenkins.plugins.progressive.steps;

import hudson.Extension;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.Set;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code abortRollout}: stops a live rollout; it then does what its onFailure says (by default: back to stable and
 * restore the snapshot).
 */
public final class AbortRolloutStep extends RolloutCommandStep {

    static final String FUNCTION = "abortRollout";

    private String reason = "";

    @DataBoundConstructor
    public AbortRolloutStep() {
    }

    @Override
    String functionName() {
        return FUNCTION;
    }

    @Override
    RolloutAction.Command command() {
        return RolloutAction.Command.ABORT;
    }

    @Override
    String send(RolloutDriver driver, String key, RolloutDriver.CredentialLookup credentials) throws Exception {
        driver.abort(key, reason.isEmpty() ? "aborted by " + FUNCTION : reason);
        return "AbortRequested";
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
            return "Abort a rollout";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }
    }
}
