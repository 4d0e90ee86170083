package io.jenkins.plugins.progressive.cli.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.cli.Progressive;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.snapshot.DirectorySnapshotStore;
import io.jenkins.plugins.progressive.snapshot.StoredBlobs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code progressive snapshot …} end to end against the test API server, through a kubeconfig file. */
class SnapshotCommandTest {

    private static final String PASSWORD = "s3cr3t-cli-password";
    private static final String PASSWORD_B64 = Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @TempDir
    Path dir;

    private KubernetesClient client;
    private Path kubeconfig;
    private Path spec;
    private Path keyFile;
    private Path storeDir;

    /** What a user sees: exit code, standard output and standard error. */
    record Run(int exitCode, String out, String err) {
        String lastLine() {
            List<String> lines = out.strip().lines().toList();
            return lines.get(lines.size() - 1);
        }

        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    static synchronized Run cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Progressive.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeEach
    void seed() throws Exception {
        client = api.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build())
                .create();
        client.apps().deployments().inNamespace("prod").resource(new DeploymentBuilder().withNewMetadata()
                .withName("shop").endMetadata().withNewSpec().withReplicas(3).withNewSelector()
                .addToMatchLabels("app", "shop").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "shop").endMetadata().withNewSpec().addNewContainer().withName("shop")
                .withImage("registry/shop:1.0").endContainer().endSpec().endTemplate().endSpec().build()).create();
        client.configMaps().inNamespace("prod").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("shop-config").endMetadata().addToData("color", "blue").build()).create();
        client.secrets().inNamespace("prod").resource(new SecretBuilder().withNewMetadata().withName("shop-db")
                .endMetadata().addToData("password", PASSWORD_B64).build()).create();
        client.services().inNamespace("prod").resource(new ServiceBuilder().withNewMetadata().withName("shop")
                .endMetadata().withNewSpec().addToSelector("app", "shop").addNewPort().withPort(80).endPort().endSpec()
                .build()).create();
        kubeconfig = api.writeKubeconfig(dir);
        keyFile = dir.resolve("snapshot.key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        storeDir = dir.resolve("snapshots");
        spec = dir.resolve("shop.yaml");
        Files.writeString(spec, """
                name: shop
                target:
                  kubernetes: {namespace: prod, deployment: shop, container: shop, image: registry/shop}
                snapshot:
                  store: "file:%s"
                  encryptionKey: {file: "%s"}
                """.formatted(storeDir, keyFile));
    }

    private String create() {
        Run run = cli("snapshot", "create", spec.toString(), "--kubeconfig", kubeconfig.toString());
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.lastLine()).matches("\\d{8}T\\d{9}Z-[0-9a-f]{6}");
        return run.lastLine();
    }

    @Test
    void createPrintsTheIdLastAndListShowDiffDescribeTheSnapshots() throws Exception {
        String first = create();
        client.configMaps().inNamespace("prod").withName("shop-config").edit(c -> {
            c.getData().put("color", "green");
            return c;
        });
        client.secrets().inNamespace("prod").withName("shop-db").edit(s -> {
            s.getData().put("password", Base64.getEncoder().encodeToString("another".getBytes(StandardCharsets.UTF_8)));
            return s;
        });
        String second = create();

        Run list = cli("snapshot", "list", "--spec", spec.toString());
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains(first, second, "shop");

        Run show = cli("snapshot", "show", first, "--spec", spec.toString());
        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).contains("snapshot " + first, "Namespace: 1", "Deployment.apps: 1",
                "ConfigMap prod/shop-config", "Secret prod/shop-db").contains("(encrypted, key ")
                .doesNotContain(PASSWORD_B64);

        Run diff = cli("snapshot", "diff", first, second, "--spec", spec.toString());
        assertThat(diff.exitCode()).isZero();
        assertThat(diff.out()).contains("~ ConfigMap prod/shop-config", "data.color: blue → green",
                "~ Secret prod/shop-db", "data.password: (changed)").doesNotContain(PASSWORD_B64);

        JsonNode listJson = cli("snapshot", "list", "--spec", spec.toString(), "-o", "json").json();
        assertThat(listJson).hasSize(2);
        assertThat(listJson.get(0).path("id").asText()).isEqualTo(first);
        assertThat(listJson.get(0).path("counts").path("Secret").asInt()).isEqualTo(1);
        JsonNode diffJson = cli("snapshot", "diff", first, second, "--spec", spec.toString(), "--output", "json").json();
        assertThat(diffJson.path("changed")).hasSize(2);
        JsonNode createJson = cli("snapshot", "create", spec.toString(), "--kubeconfig", kubeconfig.toString(),
                "-o", "json").json();
        assertThat(createJson.path("objects").asInt()).isEqualTo(5);
    }

    @Test
    void restoreDryRunPrintsThePlanAndChangesNothingThenRestoresIntoAStandbyNamespace() {
        String id = create();
        long before = api.resourceVersion();

        Run dry = cli("snapshot", "restore", id, "--spec", spec.toString(), "--kubeconfig", kubeconfig.toString(),
                "--map-namespace", "prod=standby", "--dry-run");

        assertThat(dry.exitCode()).isZero();
        assertThat(dry.out()).contains("restore plan for snapshot " + id, "create   Namespace standby",
                "create   Secret standby/shop-db", "create   Deployment standby/shop", "5 create",
                "dry run: nothing was changed");
        assertThat(api.resourceVersion()).isEqualTo(before);

        Run real = cli("snapshot", "restore", id, "--spec", spec.toString(), "--kubeconfig", kubeconfig.toString(),
                "--map-namespace", "prod=standby");

        assertThat(real.exitCode()).isZero();
        assertThat(client.secrets().inNamespace("standby").withName("shop-db").get().getData())
                .containsEntry("password", PASSWORD_B64);
        assertThat(client.apps().deployments().inNamespace("standby").withName("shop").get().getSpec().getReplicas())
                .isEqualTo(3);
    }

    @Test
    void restoreWithStoreKubeconfigAndKeyFileIntoASecondClusterUpdatingExisting() throws Exception {
        String id = create();
        try (KubernetesApiServer standby = new KubernetesApiServer().start()) {
            Path standbyConfig = standby.writeKubeconfig(Files.createDirectory(dir.resolve("standby")));

            Run run = cli("snapshot", "restore", id, "--store", "file:" + storeDir, "--key-file", keyFile.toString(),
                    "--kubeconfig", standbyConfig.toString(), "--existing", "update", "-o", "json");

            assertThat(run.err()).isEmpty();
            assertThat(run.exitCode()).isZero();
            assertThat(run.json().path("counts").path("create").asInt()).isEqualTo(5);
            assertThat(standby.client().configMaps().inNamespace("prod").withName("shop-config").get().getData())
                    .containsEntry("color", "blue");
        }
    }

    @Test
    void aDamagedSnapshotIsRefusedWithExit2NamingTheObjectAndNothingChanges() throws Exception {
        String id = create();
        DirectorySnapshotStore store = new DirectorySnapshotStore(storeDir);
        List<String> shopConfig = store.blobAddresses().stream().filter(blob -> new String(store.getBlob(blob)
                .orElseThrow(), StandardCharsets.ISO_8859_1).contains("\"shop-config\"")).toList();
        assertThat(shopConfig).isNotEmpty();
        for (String blob : shopConfig) {
            StoredBlobs.rewrite(store, blob, bytes -> new String(bytes, StandardCharsets.ISO_8859_1).replace("blue", "blux")
                    .getBytes(StandardCharsets.ISO_8859_1));
        }
        client.namespaces().withName("prod").delete();
        long before = api.resourceVersion();

        Run run = cli("snapshot", "restore", id, "--spec", spec.toString(), "--kubeconfig", kubeconfig.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("ConfigMap prod/shop-config", "sha256", "nothing was changed");
        assertThat(api.resourceVersion()).isEqualTo(before);
    }

    @Test
    void createRunsTheSpecsPreHooksAndRestoreItsRestoreHooksWithTheDumpSealed() throws Exception {
        Path restored = dir.resolve("restored.sql");
        Files.writeString(spec, Files.readString(spec) + """
                  hooks:
                    pre:     [{local: ["sh", "-c", "echo 'INSERT INTO orders VALUES (42);' > {{out}}/db.sql"]}]
                    restore: [{local: ["sh", "-c", "cp {{in}}/db.sql %s"]}]
                """.formatted(restored));
        String id = create();
        try (Stream<Path> files = Files.walk(storeDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).doesNotContain("INSERT INTO orders");
            }
        }
        assertThat(cli("snapshot", "show", id, "--spec", spec.toString()).out()).contains("hook files:", "db.sql");

        Run dry = cli("snapshot", "restore", id, "--spec", spec.toString(), "--kubeconfig", kubeconfig.toString(),
                "--dry-run");
        assertThat(dry.exitCode()).isZero();
        assertThat(restored).doesNotExist();

        Run run = cli("snapshot", "restore", id, "--spec", spec.toString(), "--kubeconfig", kubeconfig.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(Files.readString(restored)).isEqualTo("INSERT INTO orders VALUES (42);\n");
    }

    @Test
    void pruneKeepsTheLastNAndBadOptionsExit2() {
        String first = create();
        String second = create();

        Run none = cli("snapshot", "prune", "--spec", spec.toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("--keep-last", "--max-age");
        Run badAge = cli("snapshot", "prune", "--spec", spec.toString(), "--max-age", "30 days");
        assertThat(badAge.exitCode()).isEqualTo(2);
        assertThat(badAge.err()).contains("--max-age", "30d");

        Run prune = cli("snapshot", "prune", "--spec", spec.toString(), "--keep-last", "1");

        assertThat(prune.exitCode()).isZero();
        assertThat(prune.out()).contains("deleted " + first, "1 snapshots deleted").doesNotContain("deleted " + second);
        assertThat(cli("snapshot", "list", "--spec", spec.toString()).out()).contains(second).doesNotContain(first);
        assertThat(cli("snapshot", "prune", "--spec", spec.toString(), "--max-age", "30d").exitCode()).isZero();
    }

    @Test
    void invalidInputExits2WithTheAllowedValues() throws Exception {
        String id = create();

        Run policy = cli("snapshot", "restore", id, "--spec", spec.toString(), "--kubeconfig", kubeconfig.toString(),
                "--existing", "overwrite");
        assertThat(policy.exitCode()).isEqualTo(2);
        assertThat(policy.err()).contains("--existing", "skip, update, replace");

        Run mapping = cli("snapshot", "restore", id, "--spec", spec.toString(), "--kubeconfig", kubeconfig.toString(),
                "--map-namespace", "prod");
        assertThat(mapping.exitCode()).isEqualTo(2);
        assertThat(mapping.err()).contains("prod=standby");

        Run help = cli("snapshot", "restore", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--map-namespace", "--existing", "--dry-run", "--kubeconfig", "--store");

        Run noStore = cli("snapshot", "list");
        assertThat(noStore.exitCode()).isEqualTo(2);
        assertThat(noStore.err()).contains("--store", "--spec");

        Run unknown = cli("snapshot", "show", "20991231T000000000Z-000000", "--spec", spec.toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("20991231T000000000Z-000000");

        Path wrongKey = dir.resolve("wrong.key");
        byte[] k = new byte[32];
        k[0] = 1;
        Files.writeString(wrongKey, Base64.getEncoder().encodeToString(k));
        Run wrong = cli("snapshot", "restore", id, "--store", "file:" + storeDir, "--key-file", wrongKey.toString(),
                "--kubeconfig", kubeconfig.toString());
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err()).contains("key id");

        Run context = cli("snapshot", "create", spec.toString(), "--kubeconfig", kubeconfig.toString(),
                "--context", "nope");
        assertThat(context.exitCode()).isEqualTo(2);
        assertThat(context.err()).contains("no context named 'nope'");
        Run noConfig = cli("snapshot", "create", spec.toString(), "--kubeconfig", dir.resolve("missing").toString());
        assertThat(noConfig.exitCode()).isEqualTo(2);
        assertThat(noConfig.err()).contains("--kubeconfig", "does not exist");

        Path badSpec = dir.resolve("bad.yaml");
        Files.writeString(badSpec, "name: shop\n");
        Run invalid = cli("snapshot", "create", badSpec.toString(), "--kubeconfig", kubeconfig.toString());
        assertThat(invalid.exitCode()).isEqualTo(2);
        assertThat(invalid.err()).contains("target");
        assertThat(invalid.err()).doesNotContain("Exception");
    }

    private Path specWithoutKey(String extra) throws Exception {
        Path noKey = dir.resolve("no-key.yaml");
        Files.writeString(noKey, """
                name: shop
                target:
                  kubernetes: {namespace: prod, deployment: shop, container: shop, image: registry/shop}
                snapshot:
                  store: "file:%s"
                %s
                """.formatted(storeDir, extra.indent(2).stripTrailing()));
        return noKey;
    }

    private List<String> storedFiles() throws Exception {
        if (!Files.exists(storeDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(storeDir)) {
            return files.filter(Files::isRegularFile).map(Path::toString).toList();
        }
    }

    @Test
    void secretsWithoutAKeyExit2NamingTheWaysOutAndNothingIsStored() throws Exception {
        assertThat(System.getenv("PROGRESSIVE_SNAPSHOT_KEY")).as("this test needs no key in the environment").isNull();

        Run refused = cli("snapshot", "create", specWithoutKey("").toString(), "--kubeconfig", kubeconfig.toString());

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("snapshot.encryptionKey: Secret prod/shop-db is a Secret and no encryption"
                + " key is configured").contains("--exclude-secrets").contains("snapshot.excludeSecrets: true")
                .doesNotContain("Exception", "\tat ");
        assertThat(refused.out()).isEmpty();
        assertThat(storedFiles()).as("no manifest, no blob").noneMatch(f -> f.contains("manifest"));
    }

    @Test
    void excludeSecretsOnTheCommandLineOrInTheSpecLeavesThemOutAndNeedsNoKey() throws Exception {
        Run flag = cli("snapshot", "create", specWithoutKey("").toString(), "--kubeconfig", kubeconfig.toString(),
                "--exclude-secrets", "--output", "json");
        assertThat(flag.exitCode()).as(flag.err()).isZero();
        assertThat(flag.json().path("counts").has("Secret")).isFalse();
        assertThat(flag.json().path("counts").path("ConfigMap").asInt()).isEqualTo(1);

        Run inSpec = cli("snapshot", "create", specWithoutKey("excludeSecrets: true").toString(), "--kubeconfig",
                kubeconfig.toString());
        assertThat(inSpec.exitCode()).as(inSpec.err()).isZero();
        Run shown = cli("snapshot", "show", inSpec.lastLine(), "--store", "file:" + storeDir);
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("ConfigMap prod/shop-config").doesNotContain("Secret prod/shop-db");
        for (String f : storedFiles()) {
            assertThat(Files.readString(Path.of(f), StandardCharsets.ISO_8859_1)).doesNotContain(PASSWORD, PASSWORD_B64);
        }
    }

    @Test
    void anUnreachableStoreExits1WithoutPrintingAHalfTable() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String store = "s3://snapshots/shop?endpoint=http://127.0.0.1:" + closed + "&region=us-east-1";
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test-secret");
        try {
            Run list = cli("snapshot", "list", "--store", store);

            assertThat(list.exitCode()).isEqualTo(1);
            assertThat(list.out()).isEmpty();
            assertThat(list.err()).contains("s3://snapshots/shop").contains("cannot list")
                    .doesNotContain("\tat ");
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }
}
