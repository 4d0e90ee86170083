package io.jenkins.plugins.progressive.steps;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hudson.Extension;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.Set;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** {@code rollingUpdate}: replaces instances in batches, with analysis after every batch. */
public final class RollingUpdateStep extends RolloutStep {

    static final String FUNCTION = "rollingUpdate";

    private String batches = "";
    private String pauseBetweenBatches = "";
    private String batchAnalysis = "";
    private Integer maxUnavailable;

    @DataBoundConstructor
    public RollingUpdateStep() {
    }

    @Override
    String functionName() {
        return FUNCTION;
    }

    @Override
    String strategy() {
        return "rolling";
    }

    @Override
    void bind(Binding b) {
        super.bind(b);
        boolean inline = specPath() == null;
        if (inline || !(batches + pauseBetweenBatches + batchAnalysis).isEmpty() || maxUnavailable != null) {
            ObjectNode rolling = b.object("strategy", "rolling");
            ArrayNode parsed = ParameterSyntax.batches(batches, "batches", b::problem);
            if (!parsed.isEmpty()) {
                rolling.set("batches", parsed);
            }
            ParameterSyntax.checkDuration(pauseBetweenBatches).ifPresentOrElse(
                    p -> b.problem("pauseBetweenBatches", p),
                    () -> b.text(pauseBetweenBatches, "pauseBetweenBatches", "strategy", "rolling"));
            BlueGreenSwitchStep.names(rolling, "analysis", batchAnalysis);
            if (maxUnavailable != null) {
                if (maxUnavailable < 0) {
                    b.problem("maxUnavailable", maxUnavailable + " is negative: use 0 (surge first) or more");
                } else {
                    rolling.put("maxUnavailable", maxUnavailable);
                }
            }
        }
    }

    public String getBatches() {
        return batches;
    }

    @DataBoundSetter
    public void setBatches(String batches) {
        this.batches = Texts.trim(batches);
    }

    public String getPauseBetweenBatches() {
        return pauseBetweenBatches;
    }

    @DataBoundSetter
    public void setPauseBetweenBatches(String pauseBetweenBatches) {
        this.pauseBetweenBatches = Texts.trim(pauseBetweenBatches);
    }

    public String getBatchAnalysis() {
        return batchAnalysis;
    }

    @DataBoundSetter
    public void setBatchAnalysis(String batchAnalysis) {
        this.batchAnalysis = Texts.trim(batchAnalysis);
    }

    public Integer getMaxUnavailable() {
        return maxUnavailable;
    }

    @DataBoundSetter
    public void setMaxUnavailable(Integer maxUnavailable) {
        this.maxUnavailable = maxUnavailable;
    }

    @Extension
    public static final class DescriptorImpl extends ProgressiveStepDescriptor {
        @Override
        public String getFunctionName() {
            return FUNCTION;
        }

        @Override
        public String getDisplayName() {
            return "Rolling update";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }
    }
}
