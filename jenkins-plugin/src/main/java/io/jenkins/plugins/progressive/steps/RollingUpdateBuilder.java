package io.jenkins.plugins.progressive.steps;

import hudson.Extension;
import hudson.model.AbstractProject;
import hudson.tasks.BuildStepDescriptor;
import hudson.tasks.Builder;
import org.kohsuke.stapler.DataBoundConstructor;

/** Progressive Delivery: rolling update, as a freestyle build step; its form is {@link RollingUpdateStep}'s. */
public final class RollingUpdateBuilder extends DeliveryBuilder {

    private final RollingUpdateStep step;

    @DataBoundConstructor
    public RollingUpdateBuilder(RollingUpdateStep step) {
        this.step = step == null ? new RollingUpdateStep() : step;
    }

    public RollingUpdateStep getStep() {
        return step;
    }

    @Override
    TargetedStep step() {
        return step;
    }

    @Extension
    public static final class DescriptorImpl extends BuildStepDescriptor<Builder> {
        @Override
        @SuppressWarnings("rawtypes")
        public boolean isApplicable(Class<? extends AbstractProject> jobType) {
            return true;
        }

        @Override
        public String getDisplayName() {
            return "Progressive Delivery: rolling update";
        }
    }
}
