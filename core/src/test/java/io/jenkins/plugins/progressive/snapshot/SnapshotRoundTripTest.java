package io.jenkins.plugins.progressive.snapshot;

import static io.jenkins.plugins.progressive.snapshot.Fixtures.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotRoundTripTest {

    static final List<String> KINDS = List.of("customresourcedefinitions", "namespaces", "deployments", "services",
            "configmaps", "secrets", "widgets.example.com");

    @TempDir
    Path dir;

    InMemoryCluster cluster;
    DirectorySnapshotStore store;

    @BeforeEach
    void setUp() {
        cluster = Fixtures.shop();
        store = new DirectorySnapshotStore(dir.resolve("snapshots"));
    }

    static SnapshotSpec spec() {
        return new SnapshotSpec(true, "file:snapshots", List.of("prod"), KINDS, Optional.of("app=shop"), List.of(),
                Optional.empty(), List.of(), List.of());
    }

    Manifest capture() {
        return Snapshots.capture(cluster, spec(), store, KeyProvider.of(KEY), CaptureOptions.forRollout("shop"));
    }

    @Test
    void captureWipeRestoreGivesBackEveryObjectInDependencyOrder() {
        Map<ObjectKey, ObjectNode> before = Map.copyOf(cluster.objects);
        Manifest m = capture();

        assertThat(m.counts()).containsEntry("Deployment.apps", 1).containsEntry("Service", 2)
                .containsEntry("ConfigMap", 1).containsEntry("Secret", 1).containsEntry("Widget.example.com", 1)
                .containsEntry("CustomResourceDefinition.apiextensions.k8s.io", 1).containsEntry("Namespace", 1)
                .doesNotContainKey("Pod"); // pods are re-created by their controllers, never snapshotted
        assertThat(m.objects()).extracting(e -> e.key().namespace()).doesNotContain("dev");

        cluster.wipe();
        Snapshots.restore(store, m.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster);

        assertThat(cluster.log).containsExactly(
                "create CustomResourceDefinition widgets.example.com",
                "create Namespace prod",
                "create Secret prod/shop-db",
                "create ConfigMap prod/shop-config",
                "create Deployment prod/shop",
                "create Service prod/shop",
                "create Service prod/shop-headless",
                "create Widget prod/blue");
        for (Manifest.Entry e : m.objects()) {
            assertThat(ServerFields.strip(cluster.objects.get(e.key())))
                    .as("%s after restore", e.key())
                    .isEqualTo(ServerFields.strip(before.get(e.key())));
        }
        ObjectNode shop = cluster.get("Deployment", "prod", "shop");
        assertThat(shop.path("metadata").has("ownerReferences")).isFalse();
        assertThat(shop.has("status")).isFalse();
        assertThat(shop.path("metadata").path("annotations").has("kubectl.kubernetes.io/last-applied-configuration")).isTrue();
        assertThat(shop.path("spec").path("replicas").asInt()).isEqualTo(3);
        // the cluster assigns a new address to a normal Service; a headless one stays headless
        assertThat(cluster.get("Service", "prod", "shop").path("spec").path("clusterIP").asText())
                .isNotEqualTo(before.get(new ObjectKey("", "v1", "Service", "prod", "shop")).path("spec").path("clusterIP").asText());
        assertThat(cluster.get("Service", "prod", "shop-headless").path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(cluster.get("Secret", "prod", "shop-db").path("data").path("password").asText()).isEqualTo(Fixtures.PASSWORD_B64);
    }

    @Test
    void restoresIntoAnotherNamespaceAndCreatesIt() {
        Manifest m = capture();
        cluster.objects.remove(new ObjectKey("", "v1", "Namespace", "", "standby"));

        RestorePlan plan = Snapshots.restore(store, m.id(), KeyProvider.of(KEY),
                RestoreOptions.defaults().withNamespaceMap(Map.of("prod", "standby")), cluster);

        assertThat(plan.steps()).filteredOn(s -> s.key().kind().equals("Namespace")).singleElement()
                .satisfies(s -> {
                    assertThat(s.key().name()).isEqualTo("standby");
                    assertThat(s.action()).isEqualTo(RestorePlan.Action.CREATE);
                });
        assertThat(cluster.get("Namespace", "", "standby").path("metadata").path("labels")
                .path("kubernetes.io/metadata.name").asText()).isEqualTo("standby");
        for (String kind : List.of("Deployment", "Service", "ConfigMap", "Secret", "Widget")) {
            assertThat(cluster.objects.keySet()).as(kind).anyMatch(k -> k.kind().equals(kind) && k.namespace().equals("standby"));
        }
        assertThat(cluster.get("Deployment", "standby", "shop").path("metadata").path("namespace").asText()).isEqualTo("standby");
        // prod is untouched: its objects were already there and nothing was written to them
        assertThat(cluster.log).noneMatch(l -> l.contains(" prod/") || l.endsWith("Namespace prod"));
    }

    @Test
    void addsAMissingNamespaceTheSnapshotDoesNotHold() {
        SnapshotSpec noNamespaces = new SnapshotSpec(true, "file:x", List.of("prod"), List.of("configmaps"),
                Optional.empty(), List.of(), Optional.empty(), List.of(), List.of());
        Manifest m = Snapshots.capture(cluster, noNamespaces, store, KeyProvider.none(), CaptureOptions.forRollout("shop"));
        cluster.wipe();

        RestorePlan plan = Snapshots.restore(store, m.id(), KeyProvider.none(), RestoreOptions.defaults(), cluster);

        assertThat(plan.steps()).extracting(s -> s.key().toString(), RestorePlan.Step::added)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Namespace prod", true),
                        org.assertj.core.groups.Tuple.tuple("ConfigMap prod/shop-config", false));
        assertThat(cluster.log).containsExactly("create Namespace prod", "create ConfigMap prod/shop-config");
    }

    @Test
    void theDefinitionOfACapturedCustomResourceComesAlong() {
        SnapshotSpec widgetsOnly = new SnapshotSpec(true, "file:x", List.of("prod"), List.of("widgets"),
                Optional.empty(), List.of(), Optional.empty(), List.of(), List.of());
        Manifest m = Snapshots.capture(cluster, widgetsOnly, store, KeyProvider.none(), CaptureOptions.forRollout("shop"));
        assertThat(m.objects()).extracting(e -> e.key().toString())
                .containsExactlyInAnyOrder("Widget prod/blue", "CustomResourceDefinition widgets.example.com");
        cluster.wipe();

        Snapshots.restore(store, m.id(), KeyProvider.none(), RestoreOptions.defaults(), cluster);

        assertThat(cluster.log).containsExactly("create CustomResourceDefinition widgets.example.com",
                "create Namespace prod", "create Widget prod/blue");
    }

    @Test
    void existingObjectsAreSkippedUpdatedOrReplacedAsAsked() {
        Manifest m = capture();
        ObjectKey deployment = new ObjectKey("apps", "v1", "Deployment", "prod", "shop");
        ((ObjectNode) cluster.objects.get(deployment).get("spec")).put("replicas", 9);
        String uidBefore = cluster.objects.get(deployment).path("metadata").path("uid").asText();

        RestorePlan skipped = Snapshots.restore(store, m.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster);
        assertThat(skipped.steps()).allMatch(s -> s.action() == RestorePlan.Action.SKIP);
        assertThat(cluster.writes).isZero();
        assertThat(cluster.objects.get(deployment).path("spec").path("replicas").asInt()).isEqualTo(9);

        Snapshots.restore(store, m.id(), KeyProvider.of(KEY),
                RestoreOptions.defaults().withExisting(RestoreOptions.Existing.UPDATE), cluster);
        assertThat(cluster.objects.get(deployment).path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(cluster.objects.get(deployment).path("metadata").path("uid").asText()).isEqualTo(uidBefore);

        ((ObjectNode) cluster.objects.get(deployment).get("spec")).put("replicas", 7);
        cluster.log.clear();
        RestorePlan replaced = Snapshots.restore(store, m.id(), KeyProvider.of(KEY),
                RestoreOptions.defaults().withExisting(RestoreOptions.Existing.REPLACE), cluster);
        assertThat(cluster.objects.get(deployment).path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(cluster.objects.get(deployment).path("metadata").path("uid").asText()).isNotEqualTo(uidBefore);
        assertThat(cluster.log).containsSubsequence("delete Deployment prod/shop", "create Deployment prod/shop");
        // deleting a Namespace or a CRD would delete everything in it: they are updated in place instead
        assertThat(replaced.steps()).filteredOn(s -> s.key().kind().equals("Namespace")
                || s.key().kind().equals("CustomResourceDefinition")).allMatch(s -> s.action() == RestorePlan.Action.UPDATE);
        assertThat(cluster.log).noneMatch(l -> l.startsWith("delete Namespace") || l.startsWith("delete CustomResourceDefinition"));
    }

    @Test
    void dryRunPrintsThePlanAndWritesNothing() {
        Manifest m = capture();
        cluster.objects.remove(new ObjectKey("", "v1", "ConfigMap", "prod", "shop-config"));

        RestorePlan plan = Snapshots.restore(store, m.id(), KeyProvider.of(KEY),
                RestoreOptions.defaults().withExisting(RestoreOptions.Existing.UPDATE).withDryRun(true), cluster);

        assertThat(cluster.writes).isZero();
        assertThat(plan.render()).contains("create   ConfigMap prod/shop-config")
                .contains("update   Deployment prod/shop").contains("1 create").contains("7 update");
    }

    @Test
    void aFlippedByteInAStoredObjectIsRefusedBeforeAnythingIsApplied() throws Exception {
        Manifest m = capture();
        Manifest.Entry configMap = m.objects().stream().filter(e -> e.key().kind().equals("ConfigMap")).findFirst().orElseThrow();
        StoredBlobs.flip(store, configMap.blob(), StoredBlobs.length(store, configMap.blob()) / 2, 0x01);
        cluster.wipe();

        assertThatThrownBy(() -> Snapshots.restore(store, m.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster))
                .isInstanceOf(SnapshotIntegrityException.class)
                .hasMessageContaining("ConfigMap prod/shop-config").hasMessageContaining("sha256");
        assertThat(cluster.writes).isZero();
        assertThat(cluster.objects).isEmpty();
    }

    @Test
    void aFlippedByteInAnEncryptedSecretIsRefusedNamingIt() throws Exception {
        Manifest m = capture();
        Manifest.Entry secret = m.objects().stream().filter(Manifest.Entry::encrypted).findFirst().orElseThrow();
        StoredBlobs.flip(store, secret.blob(), StoredBlobs.length(store, secret.blob()) - 3, 0x40);
        cluster.wipe();

        assertThatThrownBy(() -> Snapshots.restore(store, m.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster))
                .isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("Secret prod/shop-db");
        assertThat(cluster.writes).isZero();
    }

    @Test
    void aManifestEditedByHandIsRefused() throws Exception {
        Manifest m = capture();
        assertThat(m.checksumMatches()).isTrue();
        assertThat(Snapshots.show(store, m.id()).sha256()).isEqualTo(m.sha256());
        Path file = store.root().resolve("manifests").resolve(m.id() + ".json");
        Files.writeString(file, Files.readString(file).replace("\"shop\"", "\"shop2\""));

        assertThat(Snapshots.list(store)).singleElement().satisfies(x -> assertThat(x.checksumMatches()).isFalse());
        assertThatThrownBy(() -> Snapshots.show(store, m.id())).isInstanceOf(SnapshotIntegrityException.class)
                .hasMessageContaining("does not match its sha256");
        cluster.wipe();
        assertThatThrownBy(() -> Snapshots.restore(store, m.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster))
                .isInstanceOf(SnapshotIntegrityException.class);
        assertThat(cluster.writes).isZero();
    }

    @Test
    void aSecondCaptureOfUnchangedObjectsStoresNoNewObjectFile() throws Exception {
        Manifest first = capture();
        List<Path> filesAfterFirst = StoredBlobs.files(store);
        assertThat(filesAfterFirst).extracting(f -> f.getFileName().toString()).as("one pack and its index")
                .hasSize(2).anyMatch(n -> n.endsWith(".pack")).anyMatch(n -> n.endsWith(".idx"));
        Manifest second = capture();

        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(StoredBlobs.files(store)).isEqualTo(filesAfterFirst);
        assertThat(second.objects()).extracting(Manifest.Entry::blob)
                .containsExactlyElementsOf(first.objects().stream().map(Manifest.Entry::blob).toList());
        assertThat(store.manifestIds()).containsExactly(first.id(), second.id());

        int blobs = store.blobAddresses().size();
        ((ObjectNode) cluster.get("ConfigMap", "prod", "shop-config").get("data")).put("LOG_LEVEL", "debug");
        capture();
        assertThat(StoredBlobs.files(store)).as("a second pack and its index").hasSize(filesAfterFirst.size() + 2);
        assertThat(store.blobAddresses()).as("holding the changed ConfigMap only").hasSize(blobs + 1);
    }

    @Test
    void objectsSelectedByLabelAndNamespaceOnly() {
        cluster.put("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"unrelated","namespace":"prod","labels":{"app":"cart"}},"data":{}}""");
        Manifest m = capture();
        assertThat(m.objects()).extracting(e -> e.key().name()).doesNotContain("unrelated", "other", "shop-abc");
        assertThat(m.selection().labelSelector()).contains("app=shop");
        assertThat(m.source()).isEqualTo("memory://test-cluster");
        assertThat(m.name()).isEqualTo("shop");
        assertThat(m.render()).contains("Secret prod/shop-db").contains("encrypted (key " + KEY.id() + ")");
    }
}
