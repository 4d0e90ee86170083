package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Result;
import hudson.util.Secret;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.configuration.ProgressiveConfiguration;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * snapshotState and restoreState in real Pipelines and a freestyle job, with the controller's real engine, a
 * configured cluster pointing at the kubernetes module's test API server, and the key in a secret text credential
 * (run with -Pjenkins; this machine cannot). JenkinsRule's builds run on the built-in node, so the workspace is on
 * the controller and a relative {@code file:} store lives in it.
 */
@WithJenkins
class SnapshotStepsPipelineTest {

    private static final String SECRET = "hunter2-database-password";

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    private JenkinsRule r;
    private KubernetesClient client;

    @BeforeEach
    void setUp(JenkinsRule rule) throws Exception {
        r = rule;
        client = api.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build())
                .create();
        client.configMaps().inNamespace("prod").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("shop-config").endMetadata().addToData("feature", "off").build()).create();
        client.secrets().inNamespace("prod").resource(new SecretBuilder().withNewMetadata().withName("shop-db")
                .endMetadata().addToData("password", Base64.getEncoder().encodeToString(
                        SECRET.getBytes(StandardCharsets.UTF_8))).build()).create();
        client.apps().deployments().inNamespace("prod").resource(new DeploymentBuilder().withNewMetadata()
                .withName("shop").endMetadata().withNewSpec().withReplicas(2).withNewSelector()
                .addToMatchLabels("app", "shop").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "shop").endMetadata().withNewSpec().addNewContainer().withName("shop")
                .withImage("registry/shop:1.0").endContainer().endSpec().endTemplate().endSpec().build()).create();

        TestCluster.configure(api.url());
        SystemCredentialsProvider.getInstance().getCredentials().add(new StringCredentialsImpl(
                CredentialsScope.GLOBAL, "snapshot-key", "snapshot key", Secret.fromString(Base64.getEncoder()
                        .encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)))));
        SystemCredentialsProvider.getInstance().save();
    }

    @Test
    void aScriptedPipelineSnapshotsPlansAndRestoresIntoAStandbyNamespace() throws Exception {
        WorkflowJob p = r.createProject(WorkflowJob.class, "failover");
        p.setDefinition(new CpsFlowDefinition("""
                node {
                  def target = [name: 'shop', cluster: 'test', deployment: 'shop', image: 'registry/shop',
                                store: 'file:.progressive/snapshots', encryptionKeyCredentialsId: 'snapshot-key']
                  def snap = snapshotState(target)
                  echo "snapshot=${snap.snapshotId} objects=${snap.objects} secrets=${snap.counts['Secret']}"
                  def dry = restoreState(target + [snapshotId: snap.snapshotId, mapNamespace: 'prod=standby',
                                                   dryRun: true])
                  echo "plan: ${dry.plan.collect { it.action + ' ' + it.object }.join('; ')}"
                  def done = restoreState(target + [snapshotId: snap.snapshotId, mapNamespace: 'prod=standby'])
                  echo "restored=${done.snapshotId == snap.snapshotId} created=${done.counts['create']}"
                }""", true));

        WorkflowRun b = r.buildAndAssertSuccess(p);

        r.assertLogContains("secrets=1", b);
        r.assertLogContains("create Namespace standby; ", b);
        r.assertLogContains("create Secret standby/shop-db", b);
        r.assertLogContains("restored=true", b);
        r.assertLogNotContains(SECRET, b);
        assertThat(client.configMaps().inNamespace("standby").withName("shop-config").get().getData())
                .containsEntry("feature", "off");
        assertThat(new String(Base64.getDecoder().decode(client.secrets().inNamespace("standby").withName("shop-db")
                .get().getData().get("password")), StandardCharsets.UTF_8)).isEqualTo(SECRET);
    }

    @Test
    void aDeclarativePipelineKeepsTheSnapshotIdForALaterStage() throws Exception {
        WorkflowJob p = r.createProject(WorkflowJob.class, "declarative");
        p.setDefinition(new CpsFlowDefinition("""
                pipeline {
                  agent any
                  stages {
                    stage('snapshot') {
                      steps {
                        script {
                          def snap = snapshotState name: 'shop', cluster: 'test', deployment: 'shop',
                              image: 'registry/shop', store: 'file:snapshots', includeKinds: 'configmaps,deployments',
                              encryptionKeyCredentialsId: 'snapshot-key'
                          env.SHOP_SNAPSHOT = snap.snapshotId
                        }
                      }
                    }
                    stage('restore') {
                      steps {
                        restoreState name: 'shop', cluster: 'test', deployment: 'shop', image: 'registry/shop',
                            store: 'file:snapshots', snapshotId: env.SHOP_SNAPSHOT, existing: 'update'
                      }
                    }
                  }
                }""", true));

        WorkflowRun b = r.buildAndAssertSuccess(p);

        r.assertLogContains("[snapshotState] SUCCEEDED, snapshot ", b);
        r.assertLogContains("[restoreState] SUCCEEDED, snapshot ", b);
    }

    @Test
    void aCorruptSnapshotFailsTheBuildNamingTheObjectWithoutAStackTrace(@TempDir Path snapshots) throws Exception {
        String store = "file:" + snapshots;
        // an absolute store is a path on the controller: the administrator allows that folder
        ProgressiveConfiguration.get().setAllowedControllerPaths(snapshots.toString());
        WorkflowJob take = r.createProject(WorkflowJob.class, "take");
        take.setDefinition(new CpsFlowDefinition("snapshotState name: 'shop', cluster: 'test', deployment: 'shop', "
                + "image: 'registry/shop', store: '" + store + "', includeKinds: 'configmaps'", true));
        r.buildAndAssertSuccess(take);
        String id;
        try (Stream<Path> manifests = Files.list(snapshots.resolve("manifests"))) {
            id = manifests.map(f -> f.getFileName().toString().replace(".json", "")).findFirst().orElseThrow();
        }
        // every stored blob damaged: packs (not their indexes) and loose blobs
        try (Stream<Path> blobs = Files.walk(snapshots)) {
            for (Path blob : blobs.filter(Files::isRegularFile).filter(f -> !f.startsWith(snapshots.resolve("manifests"))
                    && !f.getFileName().toString().endsWith(".idx")).toList()) {
                byte[] bytes = Files.readAllBytes(blob);
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] ^= 0x20;
                }
                Files.write(blob, bytes);
            }
        }
        WorkflowJob restore = r.createProject(WorkflowJob.class, "restore");
        restore.setDefinition(new CpsFlowDefinition("restoreState name: 'shop', cluster: 'test', deployment: 'shop', "
                + "image: 'registry/shop', store: '" + store + "', snapshotId: '" + id + "', existing: 'update'", true));

        WorkflowRun b = r.buildAndAssertStatus(Result.FAILURE, restore);

        assertThat(JenkinsRule.getLog(b)).containsPattern(
                "restoreState: FAILED: (Namespace prod|ConfigMap prod/shop-config): the stored content does not match"
                        + " its sha256 \\(it was changed or damaged\\); refusing the snapshot; nothing was changed");
        r.assertLogNotContains("\tat ", b);
    }

    @Test
    void anAbsoluteStoreOutsideTheAllowedControllerPathsIsRefusedBeforeAnythingIsWritten(@TempDir Path snapshots)
            throws Exception {
        WorkflowJob take = r.createProject(WorkflowJob.class, "take");
        take.setDefinition(new CpsFlowDefinition("snapshotState name: 'shop', cluster: 'test', deployment: 'shop', "
                + "image: 'registry/shop', store: 'file:" + snapshots + "', includeKinds: 'configmaps'", true));

        WorkflowRun b = r.buildAndAssertStatus(Result.FAILURE, take);

        r.assertLogContains("snapshotState: 1 problem, nothing was changed", b);
        r.assertLogContains("store: '" + snapshots + "' is a path on the Jenkins controller, and no controller path"
                + " is allowed", b);
        assertThat(snapshots.resolve("manifests")).doesNotExist();
    }

    @Test
    void theFreestyleBuilderSnapshotsIntoTheWorkspace() throws Exception {
        FreeStyleProject p = r.createFreeStyleProject();
        SnapshotStateStep step = new SnapshotStateStep();
        step.setName("shop");
        step.setCluster("test");
        step.setDeployment("shop");
        step.setImage("registry/shop");
        step.setStore("file:snapshots");
        step.setEncryptionKeyCredentialsId("snapshot-key");
        p.getBuildersList().add(new SnapshotStateBuilder(step));

        FreeStyleBuild b = r.buildAndAssertSuccess(p);

        r.assertLogContains("[snapshotState] SUCCEEDED", b);
        assertThat(b.getWorkspace().child("snapshots/manifests").list()).hasSize(1);
    }
}
