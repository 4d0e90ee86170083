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

/**
 * {@code blueGreenSwitch}: deploys the new version beside the old one, tests it through the preview, then flips all
 * traffic at once.
 */
public final class BlueGreenSwitchStep extends RolloutStep {

    static final String FUNCTION = "blueGreenSwitch";

    private String previewService = "";
    private String prePromotionAnalysis = "";
    private String postPromotionAnalysis = "";
    private Boolean autoPromotion;
    private String scaleDownDelay = "";

    @DataBoundConstructor
    public BlueGreenSwitchStep() {
    }

    @Override
    String functionName() {
        return FUNCTION;
    }

    @Override
    String strategy() {
        return "blueGreen";
    }

    @Override
    void bind(Binding b) {
        super.bind(b);
        boolean inline = specPath() == null;
        if (inline || !(previewService + prePromotionAnalysis + postPromotionAnalysis + scaleDownDelay).isEmpty()
                || autoPromotion != null) {
            ObjectNode blueGreen = b.object("strategy", "blueGreen");
            b.text(previewService, "previewService", "strategy", "blueGreen");
            names(blueGreen, "prePromotionAnalysis", prePromotionAnalysis);
            names(blueGreen, "postPromotionAnalysis", postPromotionAnalysis);
            if (autoPromotion != null) {
                blueGreen.put("autoPromotion", autoPromotion);
            }
            ParameterSyntax.checkDuration(scaleDownDelay).ifPresentOrElse(p -> b.problem("scaleDownDelay", p),
                    () -> b.text(scaleDownDelay, "scaleDownDelay", "strategy", "blueGreen"));
        }
    }

    static void names(ObjectNode into, String field, String commaSeparated) {
        if (!commaSeparated.isEmpty()) {
            ArrayNode names = into.putArray(field);
            ParameterSyntax.list(commaSeparated).forEach(names::add);
        }
    }

    public String getPreviewService() {
        return previewService;
    }

    @DataBoundSetter
    public void setPreviewService(String previewService) {
        this.previewService = Texts.trim(previewService);
    }

    public String getPrePromotionAnalysis() {
        return prePromotionAnalysis;
    }

    @DataBoundSetter
    public void setPrePromotionAnalysis(String prePromotionAnalysis) {
        this.prePromotionAnalysis = Texts.trim(prePromotionAnalysis);
    }

    public String getPostPromotionAnalysis() {
        return postPromotionAnalysis;
    }

    @DataBoundSetter
    public void setPostPromotionAnalysis(String postPromotionAnalysis) {
        this.postPromotionAnalysis = Texts.trim(postPromotionAnalysis);
    }

    public Boolean getAutoPromotion() {
        return autoPromotion;
    }

    @DataBoundSetter
    public void setAutoPromotion(Boolean autoPromotion) {
        this.autoPromotion = autoPromotion;
    }

    public String getScaleDownDelay() {
        return scaleDownDelay;
    }

    @DataBoundSetter
    public void setScaleDownDelay(String scaleDownDelay) {
        this.scaleDownDelay = Texts.trim(scaleDownDelay);
    }

    @Extension
    public static final class DescriptorImpl extends ProgressiveStepDescriptor {
        @Override
        public String getFunctionName() {
            return FUNCTION;
        }

        @Override
        public String getDisplayName() {
            return "Blue-green switch";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }
    }
}
