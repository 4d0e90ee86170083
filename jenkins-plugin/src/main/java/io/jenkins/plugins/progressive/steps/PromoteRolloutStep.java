package io.jenkins.plugins.progressive.steps;

import hudson.Extension;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.Set;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code promoteRollout}: ends the current pause of a live rollout, or with {@code full: true} skips every remaining
 * step and gate.
 */
public final class PromoteRolloutStep extends RolloutCommandStep {

    static final String FUNCTION = "promoteRollout";

    private boolean full = false;

    @DataBoundConstructor
    public PromoteRolloutStep() {
    }

    @Override
    String functionName() {
        return FUNCTION;
    }

    @Override
    RolloutAction.Command command() {
        return RolloutAction.Command.PROMOTE;
    }

    @Override
    String send(RolloutDriver driver, String key, RolloutDriver.CredentialLookup credentials) throws Exception {
        driver.promote(key, full);
        return full ? "PromotionRequested(full)" : "PromotionRequested";
    }

    public boolean getFull() {
        return full;
    }

    @DataBoundSetter
    public void setFull(boolean full) {
        this.full = full;
    }

    @Extension
    public static final class DescriptorImpl extends ProgressiveStepDescriptor {
        @Override
        public String getFunctionName() {
            return FUNCTION;
        }

        @Override
        public String getDisplayName() {
            return "Promote a rollout";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }
    }
}
