package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;

import hudson.model.FreeStyleProject;
import hudson.model.Result;
import java.util.List;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.jenkinsci.plugins.workflow.steps.StepConfigTester;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/** The steps inside a real Jenkins (run with -Pjenkins; this machine cannot). */
@WithJenkins
class CanaryDeployStepTest {

    private JenkinsRule r;
    private ScriptedDriver driver;

    @BeforeEach
    void setUp(JenkinsRule rule) {
        r = rule;
        driver = new ScriptedDriver();
        DeliveryRuntime.get().useDriver(driver);
    }

    @Test
    void aDeclarativePipelineGetsTheResultMap() throws Exception {
        WorkflowJob p = r.createProject(WorkflowJob.class, "shop");
        p.setDefinition(new CpsFlowDefinition("""
                pipeline {
                  agent none
                  stages {
                    stage('canary') {
                      steps {
                        script {
                          def result = canaryDeploy name: 'shop', version: '1.4.2', namespace: 'prod',
                              deployment: 'shop', image: 'registry/shop', steps: '5,pause:1s,50'
                          echo "status=${result.status} verdict=${result.verdict} snapshot=${result.snapshotId}"
                          echo "measured ${result.measurements.size()} in ${result.durationMillis >= 0 ? 'time' : '?'}"
                        }
                      }
                    }
                  }
                }""", true));
        WorkflowRun b = r.buildAndAssertSuccess(p);
        r.assertLogContains("status=Succeeded verdict=Successful snapshot=snap-1", b);
        r.assertLogContains("measured 1 in time", b);
        r.assertLogContains("[canaryDeploy] step 3 of 3", b);
        assertThat(driver.requests).singleElement().satisfies(req -> assertThat(req.name()).isEqualTo("shop"));
    }

    @Test
    void invalidParametersFailTheBuildWithEveryProblemAndStartNothing() throws Exception {
        WorkflowJob p = r.createProject(WorkflowJob.class, "bad");
        p.setDefinition(new CpsFlowDefinition(
                "canaryDeploy name: 'shop', version: '1', namespace: 'prod', deployment: 'shop', image: 'r/shop', "
                        + "steps: '150,pause:soon', onFailure: 'explode'", true));
        WorkflowRun b = r.buildAndAssertStatus(Result.FAILURE, p);
        r.assertLogContains("canaryDeploy: 3 problems, nothing was changed:", b);
        r.assertLogContains("- steps[0]: weight 150 is out of range: use 0 to 100", b);
        r.assertLogContains("- onFailure: 'explode' is not one of rollback, pause, fail", b);
        r.assertLogNotContains("\tat ", b); // a user error, not a stack trace
        assertThat(driver.requests).isEmpty();
    }

    @Test
    void abortingTheBuildAbortsTheRollout() throws Exception {
        driver.pauseForever = true;
        WorkflowJob p = r.createProject(WorkflowJob.class, "abort");
        p.setDefinition(new CpsFlowDefinition(
                "canaryDeploy name: 'shop', version: '1', namespace: 'prod', deployment: 'shop', image: 'r/shop', "
                        + "steps: '5,pause:manual'", true));
        WorkflowRun b = p.scheduleBuild2(0).waitForStart();
        r.waitForMessage("[canaryDeploy] paused", b);
        b.doStop();
        r.assertBuildStatus(Result.ABORTED, r.waitForCompletion(b));
        assertThat(driver.aborts).containsKey("shop@kubernetes/prod/shop");
    }

    @Test
    void everyStepSurvivesAConfigurationRoundTrip() throws Exception {
        CanaryDeployStep canary = new CanaryDeployStep();
        canary.setName("shop");
        canary.setVersion("1.4.2");
        canary.setSteps("5,pause:2m,analysis:error-rate,50,pause:manual");
        canary.setOnFailure("pause");
        canary.setHaproxyRuntimeApi("unix:/run/haproxy/admin.sock");
        canary.setHaproxyBackend("shop");
        InlineAnalysisTemplate errorRate = new InlineAnalysisTemplate("error-rate");
        errorRate.setQuery("sum(rate(errors_total[1m]))");
        errorRate.setSuccessCondition("result < 0.01");
        errorRate.setCount(5);
        canary.setAnalysis(List.of(errorRate));
        r.assertEqualDataBoundBeans(canary, new StepConfigTester(r).configRoundTrip(canary));

        RestoreStateStep restore = new RestoreStateStep();
        restore.setSnapshotId("20261125-shop");
        restore.setMapNamespace("prod=standby");
        restore.setDryRun(true);
        r.assertEqualDataBoundBeans(restore, new StepConfigTester(r).configRoundTrip(restore));

        PromoteRolloutStep promote = new PromoteRolloutStep();
        promote.setName("shop");
        promote.setFull(true);
        r.assertEqualDataBoundBeans(promote, new StepConfigTester(r).configRoundTrip(promote));
    }

    @Test
    void theFreestyleBuilderKeepsItsStepThroughTheConfigurationForm() throws Exception {
        FreeStyleProject p = r.createFreeStyleProject();
        BlueGreenSwitchStep step = new BlueGreenSwitchStep();
        step.setName("shop");
        step.setPreviewService("shop-preview");
        step.setScaleDownDelay("30s");
        BlueGreenSwitchBuilder builder = new BlueGreenSwitchBuilder(step);
        p.getBuildersList().add(builder);
        r.configRoundtrip(p);
        r.assertEqualDataBoundBeans(builder, p.getBuildersList().get(BlueGreenSwitchBuilder.class));
    }
}
