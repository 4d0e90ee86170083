package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.engine.ControllerAccess;
import io.jenkins.plugins.progressive.engine.EngineDriver;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.snapshot.DirectorySnapshotStore;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.SnapshotKey;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.snapshot.StoredBlobs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * snapshotState and restoreState through the steps' execution, the controller's engine driver and the kubernetes
 * module's test API server. The steps name no cluster, so they connect with the controller's own account: its
 * {@code ~/.kube/config}, which points at the test API server ({@code user.home} is a temporary folder here).
 */
class SnapshotStepsTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String KEY_BASE64 = Base64.getEncoder().encodeToString(KEY);
    private static final String SECRET = "hunter2-database-password";

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @TempDir
    Path dir;

    private String userHome;
    private ScheduledThreadPoolExecutor timer;
    private ExecutorService workers;
    private DeliveryRuntime runtime;
    private KubernetesClient client;
    private String store;

    @BeforeEach
    void controller() throws Exception {
        userHome = System.getProperty("user.home");
        Path home = Files.createDirectories(dir.resolve("home"));
        Path kube = Files.createDirectories(home.resolve(".kube"));
        Files.move(api.writeKubeconfig(kube), kube.resolve("config"));
        System.setProperty("user.home", home.toString());
        timer = new ScheduledThreadPoolExecutor(1);
        workers = Executors.newSingleThreadExecutor();
        runtime = new DeliveryRuntime(timer, workers, null, Duration.ofMillis(50));
        // the administrator's leave: the controller's own kubeconfig, and the snapshot folder under the test's dir
        runtime.useDriver(EngineDriver.forController(dir.resolve("jenkins"), runtime::schedule,
                () -> new ControllerAccess(false, List.of(dir.resolve("snapshots").toString()), true)));
        store = "file:" + dir.resolve("snapshots");

        client = api.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build())
                .create();
        client.configMaps().inNamespace("prod").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("shop-config").addToLabels("app", "shop").endMetadata().addToData("feature", "off").build())
                .create();
        client.apps().deployments().inNamespace("prod").resource(new DeploymentBuilder().withNewMetadata()
                .withName("shop").addToLabels("app", "shop").endMetadata().withNewSpec().withReplicas(2)
                .withNewSelector().addToMatchLabels("app", "shop").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "shop").endMetadata().withNewSpec().addNewContainer().withName("shop")
                .withImage("registry/shop:1.0").endContainer().endSpec().endTemplate().endSpec().build()).create();
        client.services().inNamespace("prod").resource(new ServiceBuilder().withNewMetadata().withName("shop")
                .addToLabels("app", "shop").endMetadata().withNewSpec().addToSelector("app", "shop").addNewPort()
                .withPort(80).withNewTargetPort(8080).endPort().endSpec().build()).create();
    }

    @AfterEach
    void stop() {
        System.setProperty("user.home", userHome);
        timer.shutdownNow();
        workers.shutdownNow();
    }

    private SnapshotStateStep snapshot() {
        SnapshotStateStep step = new SnapshotStateStep();
        step.setName("shop");
        step.setNamespace("prod");
        step.setDeployment("shop");
        step.setImage("registry/shop");
        step.setStore(store);
        return step;
    }

    private RestoreStateStep restore(String id) {
        RestoreStateStep step = new RestoreStateStep();
        step.setName("shop");
        step.setNamespace("prod");
        step.setDeployment("shop");
        step.setImage("registry/shop");
        step.setStore(store);
        step.setSnapshotId(id);
        return step;
    }

    /** Runs a step as Pipeline does: its execution, on the runtime's pool, with a fake step context. */
    private Map<String, Object> run(TargetedStep step) throws Exception {
        FakeStepContext context = new FakeStepContext();
        DeliveryExecution execution = new DeliveryExecution(context, runtime,
                SpecBinding.plan(step, new FakeServers()));
        assertThat(execution.start()).as("the step goes on asynchronously").isFalse();
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> result = (Map<String, Object>) context.result.get(30, TimeUnit.SECONDS);
            return result;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Test
    void capturesANamespaceAndRestoresItIntoAnother() throws Exception {
        Map<String, Object> taken = run(snapshot());

        assertThat(taken).containsEntry("status", "SUCCEEDED");
        String id = (String) taken.get("snapshotId");
        assertThat(id).matches("\\d{8}T\\d{9}Z-[0-9a-f]{6}");
        assertThat(taken.get("counts")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("ConfigMap", 1).containsEntry("Deployment.apps", 1).containsEntry("Service", 1)
                .containsEntry("Namespace", 1);
        assertThat((Integer) taken.get("objects")).isGreaterThanOrEqualTo(4);
        assertThat((Long) taken.get("durationMillis")).isNotNegative();

        RestoreStateStep restore = restore(id);
        restore.setMapNamespace("prod=standby");
        Map<String, Object> restored = run(restore);

        assertThat(restored).containsEntry("status", "SUCCEEDED").containsEntry("snapshotId", id)
                .containsEntry("dryRun", false);
        assertThat(client.namespaces().withName("standby").get()).as("the missing namespace is created").isNotNull();
        assertThat(client.configMaps().inNamespace("standby").withName("shop-config").get().getData())
                .containsEntry("feature", "off");
        assertThat(client.apps().deployments().inNamespace("standby").withName("shop").get().getSpec()
                .getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("registry/shop:1.0");
        assertThat(client.services().inNamespace("standby").withName("shop").get()).isNotNull();
    }

    @Test
    void aDryRunReturnsThePlanAndChangesNothing() throws Exception {
        String id = (String) run(snapshot()).get("snapshotId");
        RestoreStateStep restore = restore(id);
        restore.setMapNamespace("prod=standby");
        restore.setDryRun(true);

        Map<String, Object> plan = run(restore);

        assertThat(plan).containsEntry("status", "SUCCEEDED").containsEntry("dryRun", true);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) plan.get("plan");
        assertThat(steps).extracting(s -> s.get("action") + " " + s.get("object"))
                .contains("create Namespace standby", "create ConfigMap standby/shop-config",
                        "create Deployment standby/shop", "create Service standby/shop");
        assertThat(steps.stream().map(s -> (String) s.get("object")).toList())
                .as("Velero's order: namespaces, config, workloads, services")
                .containsSubsequence("Namespace standby", "ConfigMap standby/shop-config", "Deployment standby/shop",
                        "Service standby/shop");
        assertThat(client.namespaces().withName("standby").get()).as("a dry run creates nothing").isNull();
        assertThat(client.configMaps().inNamespace("standby").list().getItems()).isEmpty();
    }

    @Test
    void aSnapshotFailingItsChecksumsIsRefusedNamingTheObjectAndNothingChanges() throws Exception {
        String id = (String) run(snapshot()).get("snapshotId");
        DirectorySnapshotStore files = new DirectorySnapshotStore(dir.resolve("snapshots"));
        Manifest manifest = Snapshots.show(files, id);
        String blob = manifest.objects().stream().filter(e -> e.key().kind().equals("ConfigMap")).findFirst()
                .orElseThrow().blob();
        StoredBlobs.flip(files, blob, StoredBlobs.length(files, blob) / 2, 1);
        client.configMaps().inNamespace("prod").withName("shop-config").edit(c -> {
            c.getData().put("feature", "on");
            return c;
        });
        client.apps().deployments().inNamespace("prod").withName("shop").delete();
        RestoreStateStep restore = restore(id);
        restore.setExisting("update");

        assertThatThrownBy(() -> run(restore)).isInstanceOf(AbortException.class)
                .hasMessageContaining("restoreState")
                .hasMessageContaining("ConfigMap prod/shop-config")
                .hasMessageContaining("sha256")
                .hasMessageContaining("nothing was changed");
        assertThat(client.configMaps().inNamespace("prod").withName("shop-config").get().getData())
                .as("not updated").containsEntry("feature", "on");
        assertThat(client.apps().deployments().inNamespace("prod").withName("shop").get())
                .as("the intact Deployment is not recreated either").isNull();
    }

    @Test
    void secretsAreSealedWithTheKeyOfTheCredentialTheStepNames() throws Exception {
        client.secrets().inNamespace("prod").resource(new SecretBuilder().withNewMetadata().withName("shop-db")
                .endMetadata().addToData("password", Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8)))
                .build()).create();
        RolloutDriver.CredentialLookup credentials = id -> {
            if (id.equals("snapshot-key")) {
                return new RolloutDriver.Credential.Token(KEY_BASE64);
            }
            throw new AbortException("credential '" + id + "' does not exist, or this build may not use it");
        };
        SnapshotStateStep step = snapshot();
        step.setEncryptionKeyCredentialsId("snapshot-key");

        RolloutDriver.Outcome taken = freestyle(step, credentials);

        assertThat(taken.succeeded()).as(taken.reason()).isTrue();
        Manifest manifest = Snapshots.show(new DirectorySnapshotStore(dir.resolve("snapshots")), taken.snapshotId());
        assertThat(manifest.keyIds()).containsExactly(SnapshotKey.of(KEY).id());
        assertThat(storedText()).doesNotContain(SECRET)
                .doesNotContain(Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8)))
                .doesNotContain(KEY_BASE64);

        client.secrets().inNamespace("prod").withName("shop-db").delete();
        RestoreStateStep restore = restore(taken.snapshotId());
        restore.setEncryptionKeyCredentialsId("snapshot-key");
        RolloutDriver.Outcome restored = freestyle(restore, credentials);

        assertThat(restored.succeeded()).as(restored.reason()).isTrue();
        assertThat(new String(Base64.getDecoder().decode(client.secrets().inNamespace("prod").withName("shop-db")
                .get().getData().get("password")), StandardCharsets.UTF_8)).isEqualTo(SECRET);
    }

    @Test
    void withoutTheKeyCredentialASecretIsNotStoredInClear() throws Exception {
        client.secrets().inNamespace("prod").resource(new SecretBuilder().withNewMetadata().withName("shop-db")
                .endMetadata().addToData("password", Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8)))
                .build()).create();

        assertThatThrownBy(() -> run(snapshot())).isInstanceOf(AbortException.class)
                .hasMessageContaining("Secret prod/shop-db").hasMessageContaining("no encryption key")
                .hasMessageNotContaining(SECRET);

        SnapshotStateStep wrongKind = snapshot();
        wrongKind.setEncryptionKeyCredentialsId("snapshot-key");
        RolloutDriver.Outcome refused = freestyle(wrongKind,
                id -> new RolloutDriver.Credential.UsernamePassword("user", KEY_BASE64));
        assertThat(refused.succeeded()).isFalse();
        assertThat(refused.reason()).contains("encryptionKeyCredentialsId 'snapshot-key'")
                .contains("secret text or a secret file").doesNotContain(KEY_BASE64);
    }

    @Test
    void aRelativeStoreNeedsTheWorkspaceOnTheController() throws Exception {
        SnapshotStateStep step = snapshot();
        step.setStore("file:.progressive/snapshots");

        assertThatThrownBy(() -> run(step)).isInstanceOf(AbortException.class)
                .hasMessageContaining("snapshot.store").hasMessageContaining("relative to the workspace")
                .hasMessageContaining("nothing was changed");
    }

    /** The freestyle builder's loop, with a credential lookup of the test's own. */
    private RolloutDriver.Outcome freestyle(TargetedStep step, RolloutDriver.CredentialLookup credentials)
            throws Exception {
        Plan plan = SpecBinding.plan(step, new FakeServers());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        return DeliveryBuilder.runToEnd(runtime.driver(), plan, SpecBinding.work(plan, null), plan.options,
                credentials, () -> out, new SecretMask(), null);
    }

    private String storedText() throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir.resolve("snapshots"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).append(f).append('\n');
            }
        }
        return all.toString();
    }
}
