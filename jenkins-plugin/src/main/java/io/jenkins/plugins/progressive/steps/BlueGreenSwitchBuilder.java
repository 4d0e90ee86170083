package io.jenkins.plugins.progressive.steps;

import hudson.Extension;
import hudson.model.AbstractProject;
import hudson.tasks.BuildStepDescriptor;
import hudson.tasks.Builder;
import org.kohsuke.stapler.DataBoundConstructor;

/** Progressive Delivery: blue-green switch, as a freestyle build step; its form is {@link BlueGreenSwitchStep}'s. */
public final class BlueGreenSwitchBuilder extends DeliveryBuilder {

    private final BlueGreenSwitchStep step;

    @DataBoundConstructor
    public BlueGreenSwitchBuilder(BlueGreenSwitchStep step) {
        this.step = step == null ? new BlueGreenSwitchStep() : step;
    }

    public BlueGreenSwitchStep getStep() {
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
            return "Progressive Delivery: blue-green switch";
        }
    }
}
