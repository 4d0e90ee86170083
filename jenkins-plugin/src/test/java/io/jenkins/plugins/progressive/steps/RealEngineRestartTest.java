package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.kubernetes.controller.DeploymentController;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.htmlunit.html.HtmlPage;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.junit.jupiter.JenkinsSessionExtension;

/**
 * A canary paused for a person outlives the controller, with the controller's real engine: its state and request
 * under {@code $JENKINS_HOME/progressive-delivery} are all the restarted controller has, and the person promotes
 * it from the build page afterwards (run with -Pjenkins).
 */
class RealEngineRestartTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @RegisterExtension
    final JenkinsSessionExtension sessions = new JenkinsSessionExtension();

    @Test
    void aPausedCanaryIsPromotedFromTheBuildPageAfterARestart() throws Throwable {
        api.createNamespace("prod");
        KubernetesClient client = api.client();
        try (DeploymentController controller = new DeploymentController(api.client(), Duration.ofMillis(50))
                .start()) {
            TestCluster.createShop(client);
            await().atMost(Duration.ofSeconds(20)).until(() -> TestCluster.ready(client, "shop") == 4);

            sessions.then(r -> {
                TestCluster.configure(api.url());
                WorkflowJob p = r.createProject(WorkflowJob.class, "shop");
                p.setDefinition(new CpsFlowDefinition("def result = canaryDeploy name: 'shop', cluster: 'test',"
                        + " deployment: 'shop', container: 'shop', image: 'registry/shop', version: '2.0',"
                        + " steps: '25,pause:manual,100'\necho \"after restart: ${result.status}\"", true));
                WorkflowRun b = p.scheduleBuild2(0).waitForStart();
                r.waitForMessage("[canaryDeploy] paused", b);
                assertThat(TestCluster.ready(client, "shop-canary")).isEqualTo(1);
                try (Stream<Path> requests = Files.list(r.jenkins.getRootDir().toPath()
                        .resolve("progressive-delivery/requests"))) {
                    assertThat(requests).as("the request the restarted controller attaches the rollout from")
                            .isNotEmpty();
                }
            });
            sessions.then(r -> {
                WorkflowRun b = r.jenkins.getItemByFullName("shop", WorkflowJob.class).getBuildByNumber(1);
                await().atMost(Duration.ofSeconds(60)).until(() -> b.getAction(RolloutAction.class) != null
                        && b.getAction(RolloutAction.class).isPaused());

                HtmlPage page = r.createWebClient().getPage(b, "progressive-delivery");
                r.submit(page.getFormByName("promote"));

                r.assertBuildStatusSuccess(r.waitForCompletion(b));
                r.assertLogContains("after restart: SUCCEEDED", b);
                assertThat(TestCluster.image(client, "shop")).isEqualTo("registry/shop:2.0");
                assertThat(r.jenkins.getItemByFullName("shop", WorkflowJob.class).getBuilds()).hasSize(1);
            });
        }
    }
}
