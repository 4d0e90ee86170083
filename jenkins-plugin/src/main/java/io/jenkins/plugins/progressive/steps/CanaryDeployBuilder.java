package io.jenkins.plugins.progressive.steps;

import hudson.Extension;
import hudson.model.AbstractProject;
import hudson.tasks.BuildStepDescriptor;
import hudson.tasks.Builder;
import org.kohsuke.stapler.DataBoundConstructor;

/** Progressive Delivery: canary deployment, as a freestyle build step; its form is {@link CanaryDeployStep}'s. */
public final class CanaryDeployBuilder extends DeliveryBuilder {

    private final CanaryDeployStep step;

    @DataBoundConstructor
    public CanaryDeployBuilder(CanaryDeployStep step) {
        this.step = step == null ? new CanaryDeployStep() : step;
    }

    public CanaryDeployStep getStep() {
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
            return "Progressive Delivery: canary deployment";
        }
    }
}
