package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import hudson.util.Secret;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.configuration.Cluster;
import io.jenkins.plugins.progressive.configuration.ProgressiveConfiguration;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.kubernetes.controller.DeploymentController;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.htmlunit.html.HtmlPage;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
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

    private Deployment deployment(KubernetesClient client, String name) {
        return client.apps().deployments().inNamespace("prod").withName(name).get();
    }

    private int ready(KubernetesClient client, String name) {
        Deployment d = deployment(client, name);
        Integer ready = d == null || d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
        return ready == null ? 0 : ready;
    }

    @Test
    void aPausedCanaryIsPromotedFromTheBuildPageAfterARestart() throws Throwable {
        api.createNamespace("prod");
        KubernetesClient client = api.client();
        try (DeploymentController controller = new DeploymentController(api.client(), Duration.ofMillis(50))
                .start()) {
            client.apps().deployments().inNamespace("prod").resource(new DeploymentBuilder().withNewMetadata()
                    .withName("shop").withNamespace("prod").addToLabels("app", "shop").endMetadata()
                    .withNewSpec().withReplicas(4).withNewSelector().addToMatchLabels("app", "shop").endSelector()
                    .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                    .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate()
                    .endStrategy().withNewTemplate().withNewMetadata().addToLabels("app", "shop").endMetadata()
                    .withNewSpec().addNewContainer().withName("shop").withImage("registry/shop:1.0").endContainer()
                    .endSpec().endTemplate().endSpec().build()).create();
            await().atMost(Duration.ofSeconds(20)).until(() -> ready(client, "shop") == 4);

            sessions.then(r -> {
                SystemCredentialsProvider.getInstance().getCredentials().add(new StringCredentialsImpl(
                        CredentialsScope.GLOBAL, "kube-token", "test API server", Secret.fromString("test-token")));
                SystemCredentialsProvider.getInstance().save();
                Cluster test = new Cluster("test");
                test.setServerUrl(api.url());
                test.setCredentialsId("kube-token");
                test.setNamespace("prod");
                ProgressiveConfiguration.get().setClusters(List.of(test));
                WorkflowJob p = r.createProject(WorkflowJob.class, "shop");
                p.setDefinition(new CpsFlowDefinition("def result = canaryDeploy name: 'shop', cluster: 'test',"
                        + " deployment: 'shop', container: 'shop', image: 'registry/shop', version: '2.0',"
                        + " steps: '25,pause:manual,100'\necho \"after restart: ${result.status}\"", true));
                WorkflowRun b = p.scheduleBuild2(0).waitForStart();
                r.waitForMessage("[canaryDeploy] paused", b);
                assertThat(ready(client, "shop-canary")).isEqualTo(1);
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
                assertThat(deployment(client, "shop").getSpec().getTemplate().getSpec().getContainers().get(0)
                        .getImage()).isEqualTo("registry/shop:2.0");
                assertThat(r.jenkins.getItemByFullName("shop", WorkflowJob.class).getBuilds()).hasSize(1);
            });
        }
    }
}
