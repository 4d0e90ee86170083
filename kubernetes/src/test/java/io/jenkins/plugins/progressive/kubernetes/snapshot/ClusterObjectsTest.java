package io.jenkins.plugins.progressive.kubernetes.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.snapshot.CaptureOptions;
import io.jenkins.plugins.progressive.snapshot.DirectorySnapshotStore;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.ObjectKey;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.RestorePlan;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotIntegrityException;
import io.jenkins.plugins.progressive.snapshot.SnapshotKey;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.snapshot.StoredBlobs;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Capture from and restore into the test API server: the round trips of the snapshot issue. */
class ClusterObjectsTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @TempDir
    Path dir;

    private KubernetesClient client;
    private DirectorySnapshotStore store;
    private final SnapshotKey key = randomKey();

    @BeforeEach
    void seed() {
        client = api.client();
        ShopNamespace.create(client);
        store = new DirectorySnapshotStore(dir.resolve("snapshots"));
    }

    private static SnapshotKey randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return SnapshotKey.of(k);
    }

    private static SnapshotSpec shopSpec(String store) {
        return new SnapshotSpec(true, store, List.of("shop"), List.of(), Optional.empty(), List.of(), Optional.empty(),
                List.of(), List.of());
    }

    private Manifest capture() {
        return Snapshots.capture(new ClusterObjects(client), shopSpec("file:" + store.root()), store,
                KeyProvider.of(key), CaptureOptions.forRollout("shop"));
    }

    @Test
    void capturesTheNamespacesKindsIncludingCustomResourcesAndTheirCrdButNotPodsOrOtherNamespaces() {
        Manifest m = capture();

        assertThat(m.counts()).containsExactlyInAnyOrderEntriesOf(Map.of("Namespace", 1, "Deployment.apps", 2,
                "Service", 2, "ConfigMap", 2, "Secret", 1, "Widget.example.com", 2,
                "CustomResourceDefinition.apiextensions.k8s.io", 1));
        assertThat(m.source()).startsWith("kubernetes " + api.url());
        assertThat(m.objects()).extracting(e -> e.key().toString()).contains("Widget shop/blue",
                "CustomResourceDefinition widgets.example.com").doesNotContain("Pod shop/shop-abc12",
                "ConfigMap other/elsewhere");
    }

    @Test
    void roundTripAfterTheNamespaceIsDeletedRestoresEveryObjectEqualModuloServerSetFields() {
        Map<ObjectKey, JsonNode> before = ShopNamespace.comparable(client, "shop");
        Manifest m = capture();
        client.namespaces().withName("shop").delete();
        assertThat(client.configMaps().inNamespace("shop").list().getItems()).isEmpty();

        RestorePlan plan = Snapshots.restore(store, m.id(), KeyProvider.of(key), RestoreOptions.defaults(),
                new ClusterObjects(client));

        assertThat(ShopNamespace.comparable(client, "shop")).isEqualTo(before);
        assertThat(before).hasSize(10);
        // The CRD survived the namespace: it is left alone (skip), everything else is created.
        assertThat(plan.counts()).containsEntry(RestorePlan.Action.SKIP, 1).containsEntry(RestorePlan.Action.CREATE, 10);
        assertThat(client.secrets().inNamespace("shop").withName("shop-db").get().getData())
                .containsEntry("password", ShopNamespace.SECRET_BASE64);
    }

    @Test
    void restoresIntoAnotherNamespaceCreatingIt() {
        Map<ObjectKey, JsonNode> before = ShopNamespace.comparable(client, "shop");
        Manifest m = capture();

        Snapshots.restore(store, m.id(), KeyProvider.of(key),
                RestoreOptions.defaults().withNamespaceMap(Map.of("shop", "standby")), new ClusterObjects(client));

        assertThat(client.namespaces().withName("standby").get().getMetadata().getLabels())
                .containsEntry("team", "checkout");
        assertThat(ShopNamespace.comparable(client, "standby")).isEqualTo(before);
        assertThat(ShopNamespace.comparable(client, "shop")).isEqualTo(before);
    }

    @Test
    void restoresIntoASecondApiServerAStandbyRegionCrdFirst() {
        Map<ObjectKey, JsonNode> before = ShopNamespace.comparable(client, "shop");
        Manifest m = capture();

        try (KubernetesApiServer standby = new KubernetesApiServer().start()) {
            KubernetesClient other = standby.client();
            assertThat(other.apiextensions().v1().customResourceDefinitions().list().getItems()).isEmpty();

            RestorePlan plan = Snapshots.restore(store, m.id(), KeyProvider.of(key), RestoreOptions.defaults(),
                    new ClusterObjects(other));

            assertThat(plan.steps().get(0).key().toString()).isEqualTo("CustomResourceDefinition widgets.example.com");
            assertThat(other.apiextensions().v1().customResourceDefinitions().withName("widgets.example.com").get())
                    .isNotNull();
            assertThat(ShopNamespace.comparable(other, "shop")).isEqualTo(before);
        }
    }

    @Test
    void aFlippedByteInAStoredObjectMakesRestoreRefuseNamingItBeforeAnyChange() throws Exception {
        Manifest m = capture();
        String blob = m.objects().stream().filter(e -> e.key().toString().equals("ConfigMap shop/cart-config"))
                .findFirst().orElseThrow().blob();
        StoredBlobs.flip(store, blob, StoredBlobs.length(store, blob) / 2, 0x01);
        client.namespaces().withName("shop").delete();
        long versionBefore = api.resourceVersion();

        assertThatThrownBy(() -> Snapshots.restore(store, m.id(), KeyProvider.of(key), RestoreOptions.defaults(),
                new ClusterObjects(client))).isInstanceOf(SnapshotIntegrityException.class)
                .hasMessageContaining("ConfigMap shop/cart-config").hasMessageContaining("sha256");

        assertThat(api.resourceVersion()).isEqualTo(versionBefore);
        assertThat(client.namespaces().withName("shop").get()).isNull();
    }

    @Test
    void theStoreNeverHoldsASecretValueInClearAndAWrongKeyFails() throws Exception {
        Manifest m = capture();

        List<Path> files;
        try (Stream<Path> walk = Files.walk(store.root())) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        // what is grepped holds every stored byte: the manifest, and the pack with every blob
        assertThat(files).extracting(f -> f.getFileName().toString()).anyMatch(n -> n.endsWith(".json"));
        assertThat(files.stream().filter(f -> f.toString().endsWith(".pack")).mapToLong(f -> f.toFile().length()).sum())
                .isEqualTo(m.objects().stream().mapToLong(e -> store.getBlob(e.blob()).orElseThrow().length).sum());
        for (Path f : files) {
            String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            assertThat(content).as(f.toString()).doesNotContain(ShopNamespace.SECRET_VALUE)
                    .doesNotContain(ShopNamespace.SECRET_BASE64);
        }
        assertThat(m.objects()).filteredOn(e -> e.key().kind().equals("Secret"))
                .allSatisfy(e -> assertThat(e.encrypted()).isTrue());

        SnapshotKey wrong = randomKey();
        assertThatThrownBy(() -> Snapshots.restore(store, m.id(), KeyProvider.of(wrong), RestoreOptions.defaults(),
                new ClusterObjects(client))).isInstanceOf(SnapshotException.class)
                .hasMessageContaining(key.id()).hasMessageContaining(wrong.id());
    }

    @Test
    void aSecondSnapshotOfAnUnchangedNamespaceAddsNoObjectFiles() throws Exception {
        capture();
        List<Path> objectsBefore = objectFiles();

        Manifest second = capture();

        assertThat(objectFiles()).isEqualTo(objectsBefore);
        assertThat(store.manifestIds()).hasSize(2).contains(second.id());
    }

    private ConfigMap config() {
        return client.configMaps().inNamespace("shop").withName("shop-config").get();
    }

    /** Packs, their indexes and loose blobs. */
    private List<Path> objectFiles() throws Exception {
        List<Path> files = StoredBlobs.files(store);
        assertThat(files).isNotEmpty();
        return files;
    }

    @Test
    void existingObjectsAreSkippedUpdatedOrReplacedAsAsked() {
        Manifest m = capture();
        client.configMaps().inNamespace("shop").withName("shop-config").edit(c -> {
            c.getData().put("settings.properties", "color=red");
            return c;
        });
        String uid = client.configMaps().inNamespace("shop").withName("shop-config").get().getMetadata().getUid();
        RestoreOptions onlyConfig = RestoreOptions.defaults()
                .withObjects(k -> k.toString().equals("ConfigMap shop/shop-config"));

        Snapshots.restore(store, m.id(), KeyProvider.of(key), onlyConfig, new ClusterObjects(client));
        assertThat(config().getData()).containsEntry("settings.properties", "color=red");

        Snapshots.restore(store, m.id(), KeyProvider.of(key), onlyConfig.withExisting(RestoreOptions.Existing.UPDATE),
                new ClusterObjects(client));
        assertThat(config().getData().get("settings.properties")).startsWith("color=blue");
        assertThat(config().getMetadata().getUid()).isEqualTo(uid);

        client.configMaps().inNamespace("shop").withName("shop-config").edit(c -> {
            c.getData().put("settings.properties", "color=green");
            return c;
        });
        Snapshots.restore(store, m.id(), KeyProvider.of(key), onlyConfig.withExisting(RestoreOptions.Existing.REPLACE),
                new ClusterObjects(client));
        assertThat(config().getData().get("settings.properties")).startsWith("color=blue");
        assertThat(config().getMetadata().getUid()).isNotEqualTo(uid);
    }

    @Test
    void updateCarriesOverTheLiveResourceVersionAfterAConcurrentWrite() {
        Manifest m = capture();
        client.apps().deployments().inNamespace("shop").withName("shop").scale(7);
        api.raceNextUpdate("apps", "deployments", "shop", "shop");

        Snapshots.restore(store, m.id(), KeyProvider.of(key), RestoreOptions.defaults()
                .withObjects(k -> k.kind().equals("Deployment")).withExisting(RestoreOptions.Existing.UPDATE),
                new ClusterObjects(client));

        assertThat(client.apps().deployments().inNamespace("shop").withName("shop").get().getSpec().getReplicas())
                .isEqualTo(3);
    }

    @Test
    void dryRunPlansAndChangesNothing() {
        Manifest m = capture();
        client.namespaces().withName("shop").delete();
        long versionBefore = api.resourceVersion();

        RestorePlan plan = Snapshots.restore(store, m.id(), KeyProvider.of(key), RestoreOptions.defaults()
                .withDryRun(true).withNamespaceMap(Map.of("shop", "standby")), new ClusterObjects(client));

        assertThat(plan.render()).contains("create   Namespace standby", "create   Secret standby/shop-db",
                "create   Widget standby/blue", "skip     CustomResourceDefinition widgets.example.com")
                .doesNotContain(ShopNamespace.SECRET_BASE64);
        assertThat(api.resourceVersion()).isEqualTo(versionBefore);
    }

    @Test
    void labelSelectorAndKindsNarrowTheCaptureAndListsArePaged() {
        List<ConfigMap> many = new ArrayList<>();
        for (int i = 0; i < ClusterObjects.PAGE + 17; i++) {
            many.add(new ConfigMapBuilder().withNewMetadata().withName("bulk-" + i).withNamespace("other")
                    .addToLabels("bulk", "yes").endMetadata().addToData("i", Integer.toString(i)).build());
        }
        api.preload(many);
        SnapshotSpec bulk = new SnapshotSpec(true, "file:" + store.root(), List.of(), List.of("configmaps"),
                Optional.of("bulk=yes"), List.of(), Optional.empty(), List.of(), List.of());

        Manifest m = Snapshots.capture(new ClusterObjects(client), bulk, store, KeyProvider.none(),
                CaptureOptions.forRollout("bulk"));

        assertThat(m.counts()).isEqualTo(Map.of("ConfigMap", ClusterObjects.PAGE + 17));
    }

    @Test
    void aKindThatCannotBeListedFailsTheCaptureNamingItAndNoSnapshotIsWritten() {
        api.deny("list", "", "secrets", null);

        assertThatThrownBy(this::capture).isInstanceOf(io.jenkins.plugins.progressive.kubernetes.ClusterException.class)
                .hasMessageContaining("list secrets in shop").hasMessageContaining("403");

        assertThat(store.manifestIds()).isEmpty();
    }

    @Test
    void excludedKindsAndDefaultExclusionsAreLeftOut() {
        SnapshotSpec noSecrets = new SnapshotSpec(true, "file:" + store.root(), List.of("shop"), List.of(),
                Optional.empty(), List.of("secrets", "widgets.example.com"), Optional.empty(), List.of(), List.of());

        Manifest m = Snapshots.capture(new ClusterObjects(client), noSecrets, store, KeyProvider.none(),
                CaptureOptions.forRollout("shop"));

        assertThat(m.counts()).containsOnlyKeys("Namespace", "Deployment.apps", "Service", "ConfigMap");
    }
}
