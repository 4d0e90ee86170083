package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jenkinsci.plugins.workflow.cps.Snippetizer;
import org.jenkinsci.plugins.workflow.cps.SnippetizerTester;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * The Snippet Generator writes every step as Pipeline Groovy that reads back into the same step, and can document
 * each of them (run with -Pjenkins). The text is what the Snippet Generator itself writes; the round trip is the
 * assertion, not a spelling of that text.
 */
@WithJenkins
class SnippetGeneratorTest {

    private static <T extends TargetedStep> T target(T step) {
        step.setName("shop");
        step.setNamespace("prod");
        step.setDeployment("shop");
        step.setImage("registry/shop");
        step.setCluster("prod");
        return step;
    }

    private static List<Step> everyStep() {
        CanaryDeployStep canary = target(new CanaryDeployStep());
        canary.setVersion("1.4.2");
        canary.setSteps("5,pause:2m,50,pause:manual");
        canary.setPrometheus("main");
        canary.setOnFailure("pause");
        canary.setSnapshotStore("file:.progressive/snapshots");
        canary.setEncryptionKeyCredentialsId("snapshot-key");

        BlueGreenSwitchStep blueGreen = target(new BlueGreenSwitchStep());
        blueGreen.setVersion("1.4.2");
        blueGreen.setPreviewService("shop-preview");
        blueGreen.setAutoPromotion(false);
        blueGreen.setScaleDownDelay("30s");

        RollingUpdateStep rolling = target(new RollingUpdateStep());
        rolling.setVersion("1.4.2");
        rolling.setBatches("25%,50%,100%");
        rolling.setPauseBetweenBatches("1m");
        rolling.setMaxUnavailable(1);

        SnapshotStateStep snapshot = target(new SnapshotStateStep());
        snapshot.setStore("file:snapshots");
        snapshot.setIncludeKinds("configmaps,deployments");
        snapshot.setEncryptionKeyCredentialsId("snapshot-key");

        RestoreStateStep restore = target(new RestoreStateStep());
        restore.setStore("file:snapshots");
        restore.setSnapshotId("20260101T000000000Z-abcdef");
        restore.setMapNamespace("prod=standby");
        restore.setExisting("update");
        restore.setDryRun(true);

        PromotionGateStep gate = target(new PromotionGateStep());
        gate.setVersion("1.4.2");
        gate.setPrometheus("main");
        gate.setTemplates("error-rate");

        PromoteRolloutStep promote = new PromoteRolloutStep();
        promote.setName("shop");
        promote.setFull(true);
        AbortRolloutStep abort = new AbortRolloutStep();
        abort.setName("shop");
        abort.setReason("bad canary");
        RollbackRolloutStep rollback = new RollbackRolloutStep();
        rollback.setName("shop");
        rollback.setNamespace("prod");
        rollback.setDeployment("shop");
        rollback.setReason("bad release");

        return List.of(canary, blueGreen, rolling, snapshot, restore, gate, promote, abort, rollback);
    }

    @Test
    void everyStepRoundTripsThroughTheSnippetGenerator(JenkinsRule r) throws Exception {
        SnippetizerTester snippets = new SnippetizerTester(r);
        List<Step> steps = everyStep();
        assertThat(steps).extracting(s -> s.getDescriptor().getFunctionName()).containsExactly("canaryDeploy",
                "blueGreenSwitch", "rollingUpdate", "snapshotState", "restoreState", "promotionGate",
                "promoteRollout", "abortRollout", "rollbackRollout");
        for (Step step : steps) {
            String groovy = Snippetizer.object2Groovy(step);
            assertThat(groovy).startsWith(step.getDescriptor().getFunctionName() + " ").contains("name: 'shop'");
            snippets.assertParseStep(step, groovy);
            SnippetizerTester.assertDocGeneration(step.getClass());
        }
    }
}
