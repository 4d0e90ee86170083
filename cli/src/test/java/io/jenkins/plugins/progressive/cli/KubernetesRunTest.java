package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.jenkins.plugins.progressive.kubernetes.DocsManifests;
import io.jenkins.plugins.progressive.kubernetes.KubernetesStateStore;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.kubernetes.controller.DeploymentController;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code progressive run} on a Kubernetes target, end to end through a kubeconfig file: the project's test API
 * server and test Deployment controller, metrics from an HTTP endpoint the test controls (the web provider),
 * state in the cluster so that promote, abort and status work from other processes.
 */
class KubernetesRunTest {

    private static final String KEY = "shop@kubernetes/prod/shop";
    private static final String PAUSED = """
            canary:
              steps:
                - setWeight: 50
                - pause: manual
            """;

    private final KubernetesApiServer api = new KubernetesApiServer();

    @TempDir
    Path dir;

    private KubernetesClient client;
    private DeploymentController controller;
    private HttpServer metrics;
    private volatile double errorRate;
    private Path kubeconfig;

    @BeforeEach
    void cluster() throws IOException {
        api.start();
        api.createNamespace("prod");
        client = api.client();
        controller = new DeploymentController(api.client(), Duration.ofMillis(50)).start();
        client.apps().deployments().inNamespace("prod").resource(new DeploymentBuilder().withNewMetadata()
                .withName("shop").addToLabels("app", "shop").endMetadata().withNewSpec().withReplicas(4)
                .withNewSelector().addToMatchLabels("app", "shop").endSelector().withNewStrategy()
                .withType("RollingUpdate").withNewRollingUpdate().withMaxSurge(new IntOrString(1))
                .withMaxUnavailable(new IntOrString(0)).endRollingUpdate().endStrategy().withNewTemplate()
                .withNewMetadata().addToLabels("app", "shop").endMetadata().withNewSpec().addNewContainer()
                .withName("shop").withImage("registry/shop:1.0").endContainer().endSpec().endTemplate().endSpec()
                .build()).create();
        client.services().inNamespace("prod").resource(new ServiceBuilder().withNewMetadata().withName("shop")
                .endMetadata().withNewSpec().addToSelector("app", "shop").addNewPort().withPort(80)
                .withNewTargetPort(8080).endPort().endSpec().build()).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> ready("shop") == 4);
        kubeconfig = api.writeKubeconfig(dir);
        metrics = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        metrics.createContext("/error-rate", exchange -> {
            byte[] body = ("{\"value\": " + errorRate + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        metrics.start();
    }

    @AfterEach
    void stop() {
        if (metrics != null) {
            metrics.stop(0);
        }
        if (controller != null) {
            controller.close();
        }
        api.close();
    }

    @Test
    void aCanaryThroughTheReplicaRatioEndsWithTheNewImageOnTheDeployment() throws Exception {
        Path spec = spec("""
                canary:
                  steps:
                    - setWeight: 25
                    - analysis: [error-rate]
                    - setWeight: 50
                    - analysis: [error-rate]
                """, "");
        // The kubeconfig's user may do exactly what the Role of docs/routers/replicas.md grants.
        api.bindRole("test-token", DocsManifests.role("routers/replicas.md"));
        Set<Integer> canarySizes = new ConcurrentSkipListSet<>();
        try (Watch watch = watchCanarySizes(canarySizes)) {
            CliRun run = run(spec, "--output", "json");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            JsonNode doc = Rig.json(run);
            assertThat(doc.path("rollout").asText()).isEqualTo(KEY);
            assertThat(doc.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(doc.path("measurements")).hasSize(4);
        }
        assertThat(image("shop")).isEqualTo("registry/shop:2.0");
        assertThat(client.apps().deployments().inNamespace("prod").withName("shop-canary").get())
                .as("canary removed").isNull();
        // 4 replicas: 25% is 1 canary beside 3 stable, 50% is 2 beside 2.
        assertThat(canarySizes).contains(1, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> ready("shop") == 4);
        // The state is in the cluster, not in the state directory, and the Lease was given up.
        assertThat(client.configMaps().inNamespace("prod").withLabel("progressive.jenkins.io/state", "true").list()
                .getItems()).hasSize(1);
        assertThat(client.leases().inNamespace("prod").list().getItems())
                .allMatch(l -> l.getSpec().getHolderIdentity() == null);
        // Every step is recorded as an Event on the Deployment.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(client.v1().events()
                .inNamespace("prod").withField("involvedObject.name", "shop").list().getItems())
                .anyMatch(e -> "RolloutPromoted".equals(e.getReason())));
    }

    @Test
    void aRollingUpdateRunsOnTheDeploymentItselfUnderTheDocumentedRole() throws Exception {
        Path spec = spec("""
                rolling: {batches: ["50%", "100%"], analysis: [error-rate]}
                """, "");
        api.bindRole("test-token", DocsManifests.role("routers/replicas.md"));
        Set<Integer> canarySizes = new ConcurrentSkipListSet<>();
        try (Watch watch = watchCanarySizes(canarySizes)) {
            CliRun run = run(spec, "--output", "json");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            JsonNode doc = Rig.json(run);
            assertThat(doc.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(doc.path("measurements")).hasSize(4);
        }
        assertThat(canarySizes).as("no second Deployment").isEmpty();
        assertThat(image("shop")).isEqualTo("registry/shop:2.0");
        Deployment d = client.apps().deployments().inNamespace("prod").withName("shop").get();
        assertThat(d.getSpec().getPaused()).isNotEqualTo(Boolean.TRUE);
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        // The old ReplicaSet emptied, the new one (of the same Deployment) holding every instance.
        assertThat(client.apps().replicaSets().inNamespace("prod").list().getItems())
                .extracting(rs -> rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage() + " x"
                        + rs.getSpec().getReplicas())
                .containsExactlyInAnyOrder("registry/shop:1.0 x0", "registry/shop:2.0 x4");
        await().atMost(Duration.ofSeconds(10)).until(() -> ready("shop") == 4);
    }

    @Test
    void aFailingGateRollsBackRestoresTheSnapshotAndExitsThree() throws Exception {
        errorRate = 0.2;
        Path store = dir.resolve("snapshots");
        Path spec = spec("""
                canary:
                  steps:
                    - setWeight: 25
                    - analysis: [error-rate]
                """, "snapshot: {enabled: true, store: \"file:" + store + "\"}\n");

        CliRun run = run(spec, "--output", "json");

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(3);
        JsonNode doc = Rig.json(run);
        assertThat(doc.path("status").asText()).isEqualTo("ROLLED_BACK");
        assertThat(doc.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(doc.path("snapshotId").asText()).as("the pre-rollout snapshot").isNotBlank();
        assertThat(image("shop")).isEqualTo("registry/shop:1.0");
        assertThat(client.apps().deployments().inNamespace("prod").withName("shop-canary").get())
                .as("canary removed").isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> ready("shop") == 4);

        CliRun list = CliRun.of("snapshot", "list", "--store", "file:" + store);
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains(doc.path("snapshotId").asText());
    }

    @Test
    void aManualPauseIsPromotedFromAnotherProcessAndStatusIsReadFromAThird() throws Exception {
        Path spec = spec(PAUSED, "");
        Path log = dir.resolve("run.log");
        Process run = pausedRunInAnotherProcess(spec, log);
        try {
            assertThat(replicas("shop-canary")).isEqualTo(2);
            // Another host: no state directory of the run's, only the kubeconfig and the rollout's key.
            CliRun status = CliRun.of("status", KEY, "--kubeconfig", kubeconfig.toString(), "--state-dir",
                    dir.resolve("elsewhere").toString());
            assertThat(status.exitCode()).as(status.err()).isZero();
            assertThat(status.out()).contains("PAUSED").contains("version  2.0 (stable 1.0)");

            // A second driver on another host (its own state directory) is refused by the rollout's Lease.
            CliRun second = CliRun.of("run", spec.toString(), "--kubeconfig", kubeconfig.toString(), "--state-dir",
                    dir.resolve("other-host").toString());
            assertThat(second.exitCode()).as(second.out() + second.err()).isEqualTo(2);
            assertThat(second.err()).contains("already being driven by").contains("nothing was changed");

            CliRun promote = CliRun.of("promote", "--spec", spec.toString(), "--kubeconfig", kubeconfig.toString(),
                    "--state-dir", dir.resolve("elsewhere").toString());
            assertThat(promote.exitCode()).as(promote.err()).isZero();

            assertThat(run.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            assertThat(run.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            run.destroyForcibly();
        }
        assertThat(image("shop")).isEqualTo("registry/shop:2.0");
        assertThat(phase()).isEqualTo("SUCCEEDED");
        assertThat(storedPhase()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aManualPauseIsAbortedFromAnotherProcessAndTheRunExitsFive() throws Exception {
        Path spec = spec(PAUSED, "");
        Path log = dir.resolve("run.log");
        Process run = pausedRunInAnotherProcess(spec, log);
        try {

            CliRun abort = CliRun.of("abort", KEY, "--reason", "bad smell", "--kubeconfig", kubeconfig.toString(),
                    "--state-dir", dir.resolve("elsewhere").toString());
            assertThat(abort.exitCode()).as(abort.err()).isZero();

            assertThat(run.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            assertThat(run.exitValue()).as(Files.readString(log)).isEqualTo(5);
        } finally {
            run.destroyForcibly();
        }
        assertThat(Files.readString(log)).contains("bad smell");
        assertThat(image("shop")).isEqualTo("registry/shop:1.0");
        assertThat(client.apps().deployments().inNamespace("prod").withName("shop-canary").get()).isNull();
        assertThat(phase()).isEqualTo("ABORTED");
    }

    @Test
    void aMissingDeploymentIsInvalidInputAndChangesNothing() throws Exception {
        Path spec = spec("canary: {steps: [{setWeight: 50}]}", "");
        Files.writeString(spec, Files.readString(spec).replace("deployment: shop", "deployment: nope"));
        CliRun run = refused(spec);
        assertThat(run.err()).contains("target.kubernetes").contains("deployment prod/nope not found");
    }

    @Test
    void anRbacDenialIsInvalidInputNamingTheVerbAndChangesNothing() throws Exception {
        api.deny("update", "apps", "deployments", "prod");
        CliRun run = refused(spec("canary: {steps: [{setWeight: 50}]}", ""));
        assertThat(run.err()).contains("RBAC does not allow").contains("update deployments.apps");
    }

    @Test
    void anUnknownContextIsInvalidInput() throws Exception {
        CliRun run = refused(spec("canary: {steps: [{setWeight: 50}]}", ""), "--context", "nope");
        assertThat(run.err()).contains("--kubeconfig/--context").contains("nope");
    }

    @Test
    void anUnreachableApiServerIsInvalidInput() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Files.writeString(kubeconfig, Files.readString(kubeconfig).replace(api.url(), "http://127.0.0.1:" + port));
        CliRun run = refused(spec("canary: {steps: [{setWeight: 50}]}", ""));
        assertThat(run.err()).contains("target.kubernetes").contains("127.0.0.1:" + port);
    }

    @Test
    void aSnapshotThatWouldHoldAReferencedSecretWithoutAKeyIsInvalidInput() throws Exception {
        client.secrets().inNamespace("prod").resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("shop-db").endMetadata().addToStringData("password", "s3cr3t-value").build())
                .create();
        client.apps().deployments().inNamespace("prod").withName("shop").edit(d -> new DeploymentBuilder(d).editSpec()
                .editTemplate().editSpec().editFirstContainer().addNewEnvFrom().withNewSecretRef("shop-db", false)
                .endEnvFrom().endContainer().endSpec().endTemplate().endSpec().build());
        // The controller has rolled the edit out, old Pods gone, before the run is measured against it.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Deployment d = client.apps().deployments().inNamespace("prod").withName("shop").get();
            return d.getStatus() != null && d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration())
                    && Integer.valueOf(4).equals(d.getStatus().getUpdatedReplicas())
                    && Integer.valueOf(4).equals(d.getStatus().getReplicas()) && ready("shop") == 4
                    && client.pods().inNamespace("prod").list().getItems().size() == 4;
        });
        Path store = dir.resolve("snapshots");

        CliRun run = refused(spec("canary: {steps: [{setWeight: 50}]}",
                "snapshot: {enabled: true, store: \"file:" + store + "\"}\n"));

        assertThat(run.err()).contains("snapshot.encryptionKey").contains("shop-db").doesNotContain("s3cr3t-value");
        assertThat(store).as("no snapshot was written").doesNotExist();
    }

    // ------------------------------------------------------------------ helpers

    private CliRun refused(Path spec, String... more) {
        long before = api.resourceVersion();
        CliRun run = run(spec, more);
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.err()).contains("nothing was changed").doesNotContain("Exception", "\tat ");
        assertThat(api.resourceVersion()).as("nothing in the cluster changed").isEqualTo(before);
        assertThat(image("shop")).isEqualTo("registry/shop:1.0");
        return run;
    }

    private Path spec(String strategy, String more) throws IOException {
        String yaml = """
                name: shop
                version: "2.0"
                target: {kubernetes: {namespace: prod, deployment: shop, container: shop, image: registry/shop}}
                strategy:
                %s
                analysis:
                  error-rate:
                    web: {url: "http://127.0.0.1:%d/error-rate", jsonPath: "$.value"}
                    successCondition: "result < 0.01"
                    failureCondition: "result >= 0.05"
                    interval: 300ms
                    count: 2
                %s""".formatted(strategy.indent(2).stripTrailing(), metrics.getAddress().getPort(), more);
        Path file = dir.resolve("release.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private CliRun run(Path spec, String... more) {
        List<String> args = new ArrayList<>(List.of("run", spec.toString(), "--kubeconfig", kubeconfig.toString(),
                "--state-dir", dir.resolve("state").toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** {@code progressive run SPEC} in a child JVM, once the rollout it drives waits at its manual pause. */
    private Process pausedRunInAnotherProcess(Path spec, Path log) throws IOException {
        Process run = CliRun.inChildJvm(log, "run", spec.toString(), "--kubeconfig", kubeconfig.toString(),
                "--state-dir", dir.resolve("state").toString());
        try {
            awaitPaused(log);
            return run;
        } catch (RuntimeException | AssertionError | IOException e) {
            run.destroyForcibly();
            throw e;
        }
    }

    private void awaitPaused(Path log) throws IOException {
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> storedPhase().equals("PAUSED"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the run never paused (" + phase() + "); its output:\n" + Files.readString(log), e);
        }
    }

    /** The rollout's phase as the state ConfigMap in the cluster holds it. */
    private String storedPhase() {
        return new KubernetesStateStore(client, "prod").load(KEY)
                .map(stored -> RolloutState.fromJson(stored.json()).phase().name()).orElse("none");
    }

    /** The rollout's phase as {@code progressive status} reads it from the cluster. */
    private String phase() throws IOException {
        CliRun status = CliRun.of("status", KEY, "--kubeconfig", kubeconfig.toString(), "--output", "json",
                "--state-dir", dir.resolve("elsewhere").toString());
        return status.exitCode() != 0 ? "none: " + status.err() : Rig.json(status).path("phase").asText();
    }

    private Watch watchCanarySizes(Set<Integer> sizes) {
        return client.apps().deployments().inNamespace("prod").withName("shop-canary").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
                if (d.getSpec().getReplicas() != null) {
                    sizes.add(d.getSpec().getReplicas());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // the test is over
            }
        });
    }

    private String image(String deployment) {
        Deployment d = client.apps().deployments().inNamespace("prod").withName(deployment).get();
        return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    private int replicas(String deployment) {
        Deployment d = client.apps().deployments().inNamespace("prod").withName(deployment).get();
        return d == null ? 0 : d.getSpec().getReplicas();
    }

    private int ready(String deployment) {
        Deployment d = client.apps().deployments().inNamespace("prod").withName(deployment).get();
        return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                : d.getStatus().getReadyReplicas();
    }
}
