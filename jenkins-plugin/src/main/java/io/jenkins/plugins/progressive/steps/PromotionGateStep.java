package io.jenkins.plugins.progressive.steps;

import hudson.Extension;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.Set;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** {@code promotionGate}: runs analysis templates alone and returns their verdict. */
public final class PromotionGateStep extends AnalysedStep {

    static final String FUNCTION = "promotionGate";

    private String templates = "";

    @DataBoundConstructor
    public PromotionGateStep() {
    }

    @Override
    String functionName() {
        return FUNCTION;
    }

    @Override
    RolloutDriver.Operation operation() {
        return RolloutDriver.Operation.GATE;
    }

    @Override
    void bind(Binding b) {
        super.bind(b);
        b.option("templates", String.join(",", ParameterSyntax.list(templates)));
    }

    public String getTemplates() {
        return templates;
    }

    @DataBoundSetter
    public void setTemplates(String templates) {
        this.templates = Texts.trim(templates);
    }

    @Extension
    public static final class DescriptorImpl extends ProgressiveStepDescriptor {
        @Override
        public String getFunctionName() {
            return FUNCTION;
        }

        @Override
        public String getDisplayName() {
            return "Promotion gate";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }
    }
}
