package io.jenkins.plugins.progressive.steps;

import com.fasterxml.jackson.databind.node.ArrayNode;
import hudson.Extension;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.Set;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code canaryDeploy}: shifts a growing share of traffic to the new version, gated on metrics, and rolls back by
 * itself when a gate fails.
 */
public final class CanaryDeployStep extends RolloutStep {

    static final String FUNCTION = "canaryDeploy";

    private String steps = "";

    @DataBoundConstructor
    public CanaryDeployStep() {
    }

    @Override
    String functionName() {
        return FUNCTION;
    }

    @Override
    String strategy() {
        return "canary";
    }

    @Override
    void bind(Binding b) {
        super.bind(b);
        ArrayNode parsed = ParameterSyntax.canarySteps(steps, "steps", b::problem);
        if (!parsed.isEmpty()) {
            b.object("strategy", "canary").set("steps", parsed);
        }
    }

    public String getSteps() {
        return steps;
    }

    @DataBoundSetter
    public void setSteps(String steps) {
        this.steps = Texts.trim(steps);
    }

    @Extension
    public static final class DescriptorImpl extends ProgressiveStepDescriptor {
        @Override
        public String getFunctionName() {
            return FUNCTION;
        }

        @Override
        public String getDisplayName() {
            return "Canary deployment";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }
    }
}
