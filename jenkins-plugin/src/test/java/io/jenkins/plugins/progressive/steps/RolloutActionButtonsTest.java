package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Item;
import java.net.URL;
import java.time.Duration;
import jenkins.model.Jenkins;
import net.sf.json.JSONObject;
import org.htmlunit.HttpMethod;
import org.htmlunit.Page;
import org.htmlunit.WebRequest;
import org.htmlunit.html.HtmlPage;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/** The build page's buttons and REST API in a real Jenkins (run with -Pjenkins; this machine cannot). */
@WithJenkins
class RolloutActionButtonsTest {

    private JenkinsRule r;
    private ScriptedDriver driver;

    @BeforeEach
    void setUp(JenkinsRule rule) {
        r = rule;
        driver = new ScriptedDriver();
        driver.pauseForever = true;
        DeliveryRuntime.get().useDriver(driver);
        r.jenkins.setSecurityRealm(r.createDummySecurityRealm());
        r.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy()
                .grant(Jenkins.READ, Item.READ).everywhere().to("reader")
                .grant(Jenkins.READ, Item.READ, Item.BUILD).everywhere().to("builder")
                .grant(Jenkins.READ, Item.READ, Item.BUILD, Item.CANCEL).everywhere().to("operator"));
    }

    private WorkflowRun pausedBuild() throws Exception {
        WorkflowJob p = r.createProject(WorkflowJob.class, "shop");
        p.setDefinition(new CpsFlowDefinition(
                "canaryDeploy name: 'shop', version: '1', namespace: 'prod', deployment: 'shop', image: 'r/shop', "
                        + "steps: '50,pause:manual'", true));
        WorkflowRun b = p.scheduleBuild2(0).waitForStart();
        r.waitForMessage("[canaryDeploy] paused", b);
        await().atMost(Duration.ofSeconds(30)).until(() -> b.getAction(RolloutAction.class) != null
                && b.getAction(RolloutAction.class).isPaused());
        return b;
    }

    private int post(String user, WorkflowRun b, String button) throws Exception {
        JenkinsRule.WebClient wc = r.createWebClient().withThrowExceptionOnFailingStatusCode(false).login(user);
        WebRequest request = new WebRequest(new URL(r.getURL(), b.getUrl() + "progressive-delivery/" + button),
                HttpMethod.POST);
        Page page = wc.getPage(wc.addCrumb(request));
        return page.getWebResponse().getStatusCode();
    }

    @Test
    void promoteNeedsBuildPermission() throws Exception {
        WorkflowRun b = pausedBuild();

        assertThat(post("reader", b, "promote")).isEqualTo(403);
        assertThat(driver.promotions).isEmpty();

        JenkinsRule.WebClient wc = r.createWebClient().login("builder");
        HtmlPage page = wc.getPage(b, "progressive-delivery");
        assertThat(page.asNormalizedText()).contains("The rollout waits for a person.");
        r.submit(page.getFormByName("promote"));
        assertThat(driver.promotions).containsExactly("shop@kubernetes/prod/shop");
        r.assertBuildStatusSuccess(r.waitForCompletion(b));
    }

    @Test
    void aFreestyleBuildWaitingForAPersonCanBePromotedFromItsPage() throws Exception {
        CanaryDeployStep step = new CanaryDeployStep();
        step.setName("shop");
        step.setVersion("1");
        step.setNamespace("prod");
        step.setDeployment("shop");
        step.setImage("r/shop");
        step.setSteps("50,pause:manual");
        FreeStyleProject p = r.createFreeStyleProject("shop-freestyle");
        p.getBuildersList().add(new CanaryDeployBuilder(step));
        FreeStyleBuild b = p.scheduleBuild2(0).waitForStart();
        r.waitForMessage("[canaryDeploy] paused", b);
        await().atMost(Duration.ofSeconds(30)).until(() -> b.getAction(RolloutAction.class) != null
                && b.getAction(RolloutAction.class).isPaused());

        HtmlPage page = r.createWebClient().login("builder").getPage(b, "progressive-delivery");
        r.submit(page.getFormByName("promote"));

        assertThat(driver.promotions).containsExactly("shop@kubernetes/prod/shop");
        r.assertBuildStatusSuccess(r.waitForCompletion(b));
        assertThat(b.getAction(RolloutAction.class).getStatus()).isEqualTo("Succeeded");
    }

    @Test
    void abortNeedsCancelPermission() throws Exception {
        WorkflowRun b = pausedBuild();

        assertThat(post("builder", b, "abort")).isEqualTo(403);
        assertThat(driver.aborts).isEmpty();
        assertThat(post("operator", b, "abort")).isLessThan(400);
        assertThat(driver.aborts).containsKey("shop@kubernetes/prod/shop");
    }

    @Test
    void theRestApiServesTheRolloutAsJson() throws Exception {
        WorkflowRun b = pausedBuild();

        JSONObject json = r.createWebClient().login("reader")
                .getJSON(b.getUrl() + "progressive-delivery/api/json?depth=1").getJSONObject();
        assertThat(json.getString("key")).isEqualTo("shop@kubernetes/prod/shop");
        assertThat(json.getString("phase")).isEqualTo("PAUSED");
        assertThat(json.getBoolean("paused")).isTrue();
        assertThat(json.getJSONArray("points")).isNotEmpty();
        assertThat(json.getJSONArray("points").getJSONObject(json.getJSONArray("points").size() - 1).getInt("weight"))
                .isEqualTo(50);
        driver.promote("shop@kubernetes/prod/shop", false);
        r.waitForCompletion(b);
    }
}
