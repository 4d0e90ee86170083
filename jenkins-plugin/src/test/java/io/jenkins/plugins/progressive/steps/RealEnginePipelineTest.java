package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import hudson.model.Result;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.kubernetes.controller.DeploymentController;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * Each step in a real Pipeline with the controller's real engine (no stand-in driver), against the kubernetes
 * module's test API server and its Deployment controller: namespace {@code prod}, Deployment {@code shop}
 * (4 x registry/shop:1.0) and its Service, a configured cluster {@code test} with a token credential. The gates
 * read an error rate from a small JSON endpoint on 127.0.0.1 that the test sets (run with -Pjenkins).
 */
@WithJenkins
class RealEnginePipelineTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    private JenkinsRule r;
    private KubernetesClient client;
    private DeploymentController controller;
    private HttpServer metrics;
    /** What the error-rate endpoint answers. */
    private final AtomicReference<String> errorRate = new AtomicReference<>("0.001");

    @BeforeEach
    void setUp(JenkinsRule rule) throws Exception {
        r = rule;
        api.createNamespace("prod");
        client = api.client();
        controller = new DeploymentController(api.client(), Duration.ofMillis(50)).start();
        TestCluster.createShop(client);
        service("shop");
        await().atMost(Duration.ofSeconds(20)).until(() -> ready("shop") == 4);

        metrics = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        metrics.createContext("/errors", exchange -> {
            byte[] body = ("{\"errorRate\": " + errorRate.get() + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        metrics.start();

        TestCluster.configure(api.url());
    }

    @AfterEach
    void tearDown() {
        if (metrics != null) {
            metrics.stop(0);
        }
        if (controller != null) {
            controller.close();
        }
    }

    private void service(String name) {
        client.services().inNamespace("prod").resource(new ServiceBuilder().withNewMetadata().withName(name)
                .addToLabels("app", "shop").endMetadata().withNewSpec().addToSelector("app", "shop").addNewPort()
                .withName("http").withPort(80).withNewTargetPort(8080).endPort().endSpec().build()).create();
    }

    private int ready(String name) {
        return TestCluster.ready(client, name);
    }

    private String image(String name) {
        return TestCluster.image(client, name);
    }

    /** The step parameters every test shares: the target, and the gate {@code error-rate} on the test endpoint. */
    private String target() {
        return "name: 'shop', cluster: 'test', deployment: 'shop', container: 'shop', image: 'registry/shop'";
    }

    private String errorRateGate() {
        return "analysis: [[name: 'error-rate', webUrl: 'http://127.0.0.1:" + metrics.getAddress().getPort()
                + "/errors', jsonPath: '$.errorRate', successCondition: 'result < 0.01', failureCondition:"
                + " 'result >= 0.05', interval: '1s', count: 2]]";
    }

    private WorkflowJob job(String name, String script) throws Exception {
        WorkflowJob p = r.createProject(WorkflowJob.class, name);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return p;
    }

    @Test
    void aFailingGateRollsBackAndFailsTheBuild() throws Exception {
        errorRate.set("0.2");
        WorkflowJob p = job("shop-canary", "canaryDeploy " + target() + ", version: '2.0', steps:"
                + " '25,analysis:error-rate,100', " + errorRateGate());

        WorkflowRun b = r.buildAndAssertStatus(Result.FAILURE, p);

        r.assertLogContains("[canaryDeploy] ROLLED_BACK, verdict FAILED", b);
        r.assertLogContains("canaryDeploy: ROLLED_BACK (verdict FAILED)", b);
        r.assertLogNotContains("\tat ", b);
        assertThat(image("shop")).as("stable restored").isEqualTo("registry/shop:1.0");
        await().atMost(Duration.ofSeconds(20)).until(() -> ready("shop") == 4 && ready("shop-canary") == 0);
        RolloutAction action = b.getAction(RolloutAction.class);
        assertThat(action.getStatus()).isEqualTo("ROLLED_BACK");
        assertThat(action.getVerdict()).isEqualTo("FAILED");
    }

    @Test
    void rollingUpdateReplacesTheVersionBatchByBatch() throws Exception {
        WorkflowJob p = job("shop-rolling", "def result = rollingUpdate " + target() + ", version: '2.0',"
                + " batches: '50%,100%', batchAnalysis: 'error-rate', " + errorRateGate()
                + "\necho \"rolling=${result.status}\"");

        WorkflowRun b = r.buildAndAssertSuccess(p);

        r.assertLogContains("rolling=SUCCEEDED", b);
        assertThat(image("shop")).isEqualTo("registry/shop:2.0");
        await().atMost(Duration.ofSeconds(20)).until(() -> ready("shop") == 4);
    }

    @Test
    void blueGreenSwitchFlipsTheServiceAfterThePreviewPasses() throws Exception {
        service("shop-preview");
        WorkflowJob p = job("shop-bluegreen", "def result = blueGreenSwitch " + target() + ", version: '2.0',"
                + " previewService: 'shop-preview', prePromotionAnalysis: 'error-rate', autoPromotion: true,"
                + " scaleDownDelay: '1s', " + errorRateGate() + "\necho \"bluegreen=${result.status}\"");

        WorkflowRun b = r.buildAndAssertSuccess(p);

        r.assertLogContains("bluegreen=SUCCEEDED", b);
        assertThat(image("shop")).isEqualTo("registry/shop:2.0");
    }

    @Test
    void promotionGateReturnsItsVerdictWithoutFailingTheBuild() throws Exception {
        errorRate.set("0.2");
        WorkflowJob p = job("shop-gate", "def gate = promotionGate " + target() + ", version: '2.0', "
                + errorRateGate() + "\necho \"gate=${gate.verdict} measured=${gate.measurements.size()}\"");

        WorkflowRun b = r.buildAndAssertSuccess(p);

        r.assertLogContains("gate=FAILED", b);
        assertThat(image("shop")).as("a gate changes nothing").isEqualTo("registry/shop:1.0");
    }

    @Test
    void promoteRolloutFromAnotherJobEndsAManualPause() throws Exception {
        WorkflowJob canary = job("shop-canary", "def result = canaryDeploy " + target() + ", version: '2.0',"
                + " steps: '25,pause:manual,100'\necho \"canary=${result.status}\"");
        WorkflowRun b = canary.scheduleBuild2(0).waitForStart();
        r.waitForMessage("[canaryDeploy] paused", b);
        assertThat(b.getAction(RolloutAction.class).isPaused()).isTrue();

        WorkflowRun promote = r.buildAndAssertSuccess(job("promote", "promoteRollout name: 'shop'"));

        r.assertLogContains("[promoteRollout] PromotionRequested: shop@kubernetes/prod/shop", promote);
        r.assertBuildStatusSuccess(r.waitForCompletion(b));
        r.assertLogContains("canary=SUCCEEDED", b);
        assertThat(image("shop")).isEqualTo("registry/shop:2.0");
    }

    @Test
    void abortRolloutFromAnotherJobSendsEverythingBackToStable() throws Exception {
        WorkflowJob canary = job("shop-canary", "canaryDeploy " + target() + ", version: '2.0',"
                + " steps: '25,pause:manual,100'");
        WorkflowRun b = canary.scheduleBuild2(0).waitForStart();
        r.waitForMessage("[canaryDeploy] paused", b);

        r.buildAndAssertSuccess(job("abort", "abortRollout name: 'shop', reason: 'latency looks wrong'"));

        r.assertBuildStatus(Result.FAILURE, r.waitForCompletion(b));
        r.assertLogContains("[canaryDeploy] ABORTED", b);
        assertThat(image("shop")).isEqualTo("registry/shop:1.0");
        await().atMost(Duration.ofSeconds(20)).until(() -> ready("shop") == 4 && ready("shop-canary") == 0);
    }

    @Test
    void rollbackRolloutTakesAFinishedRolloutBack() throws Exception {
        WorkflowRun released = r.buildAndAssertSuccess(job("shop-canary", "canaryDeploy " + target()
                + ", version: '2.0', steps: '50,100'"));
        r.assertLogContains("[canaryDeploy] SUCCEEDED", released);
        assertThat(image("shop")).isEqualTo("registry/shop:2.0");

        r.buildAndAssertSuccess(job("rollback", "rollbackRollout name: 'shop', reason: 'bad release'"));

        await().atMost(Duration.ofSeconds(30)).until(() -> image("shop").equals("registry/shop:1.0")
                && ready("shop") == 4);
        assertThat(ready("shop-canary")).isZero();
    }
}
