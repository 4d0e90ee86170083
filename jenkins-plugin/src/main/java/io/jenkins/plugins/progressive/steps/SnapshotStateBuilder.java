package io.jenkins.plugins.progressive.steps;

import hudson.Extension;
import hudson.model.AbstractProject;
import hudson.tasks.BuildStepDescriptor;
import hudson.tasks.Builder;
import org.kohsuke.stapler.DataBoundConstructor;

/** Progressive Delivery: snapshot state, as a freestyle build step; its form is {@link SnapshotStateStep}'s. */
public final class SnapshotStateBuilder extends DeliveryBuilder {

    private final SnapshotStateStep step;

    @DataBoundConstructor
    public SnapshotStateBuilder(SnapshotStateStep step) {
        this.step = step == null ? new SnapshotStateStep() : step;
    }

    public SnapshotStateStep getStep() {
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
            return "Progressive Delivery: snapshot state";
        }
    }
}
