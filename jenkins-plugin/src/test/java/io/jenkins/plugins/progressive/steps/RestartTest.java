package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;

import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.junit.jupiter.JenkinsSessionExtension;

/** A rollout outlives the controller that started it (run with -Pjenkins). */
class RestartTest {

    /** Plays the engine's store: the same JVM runs both Jenkins sessions. */
    private static final ScriptedDriver ENGINE = new ScriptedDriver();

    @RegisterExtension
    final JenkinsSessionExtension sessions = new JenkinsSessionExtension();

    @Test
    void aPausedCanaryResumesAfterARestartWithoutStartingTwice() throws Throwable {
        ENGINE.pauseForever = true;
        sessions.then(r -> {
            DeliveryRuntime.get().useDriver(ENGINE);
            WorkflowJob p = r.createProject(WorkflowJob.class, "shop");
            p.setDefinition(new CpsFlowDefinition(
                    "def result = canaryDeploy name: 'shop', version: '1', namespace: 'prod', deployment: 'shop', "
                            + "image: 'r/shop', steps: '5,pause:manual'\necho \"after restart: ${result.status}\"",
                    true));
            WorkflowRun b = p.scheduleBuild2(0).waitForStart();
            r.waitForMessage("[canaryDeploy] paused", b);
        });
        sessions.then(r -> {
            // until this line runs the resumed step's ticks fail and are retried: the engine was not wired yet
            DeliveryRuntime.get().useDriver(ENGINE);
            ENGINE.pauseForever = false;
            WorkflowRun b = r.jenkins.getItemByFullName("shop", WorkflowJob.class).getBuildByNumber(1);
            r.waitForCompletion(b);
            r.assertBuildStatusSuccess(b);
            r.assertLogContains("after restart: Succeeded", b);
            assertThat(ENGINE.requests).hasSize(1);
        });
    }
}
