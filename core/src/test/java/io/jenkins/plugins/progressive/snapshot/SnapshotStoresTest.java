package io.jenkins.plugins.progressive.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoresTest {

    @TempDir
    Path dir;

    @Test
    void fileUrisOpenADirectoryStoreWithItsLayout() throws Exception {
        SnapshotStore store = SnapshotStores.open("file:.progressive/snapshots", dir);
        byte[] blob = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        String sha = Canonical.sha256(blob);

        assertThat(store.putBlob(sha, blob)).isTrue();
        assertThat(store.putBlob(sha, blob)).isFalse();
        store.putManifest("20261125T100000000Z-abcdef", "{}".getBytes(StandardCharsets.UTF_8));

        Path root = dir.resolve(".progressive/snapshots");
        assertThat(root.resolve("objects").resolve(sha.substring(0, 2)).resolve(sha)).hasBinaryContent(blob);
        assertThat(root.resolve("manifests/20261125T100000000Z-abcdef.json")).exists();
        assertThat(store.getBlob(sha)).hasValueSatisfying(b -> assertThat(b).isEqualTo(blob));
        assertThat(store.manifestIds()).containsExactly("20261125T100000000Z-abcdef");
        try (var files = Files.walk(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp-"));
        }
        store.deleteBlob(sha);
        store.deleteManifest("20261125T100000000Z-abcdef");
        assertThat(store.blobAddresses()).isEmpty();
        assertThat(store.manifestIds()).isEmpty();
        assertThat(SnapshotStores.open("file://" + dir.resolve("abs")).describe()).isEqualTo("file:" + dir.resolve("abs"));
    }

    @Test
    void addressesAndIdsCannotEscapeTheStore() {
        SnapshotStore store = new DirectorySnapshotStore(dir);
        assertThatThrownBy(() -> store.getBlob("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.getManifest("../x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownSchemesNameTheFieldAndTheAllowedOnes() {
        assertThatThrownBy(() -> SnapshotStores.open("ftp://host/x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot.store").hasMessageContaining("file");
        assertThatThrownBy(() -> SnapshotStores.open("s3://bucket/prefix")).hasMessageContaining("progressive-s3");
    }

    @Test
    void labelSelectorsAndKindNamesFollowKubectl() {
        Selection s = new Selection(java.util.List.of(), java.util.List.of("deployments", "Ingress", "networkpolicies"),
                java.util.Optional.of("app in (shop, cart),tier!=db,!legacy"), java.util.List.of());
        assertThat(s.includesKind("apps", "Deployment")).isTrue();
        assertThat(s.includesKind("networking.k8s.io", "Ingress")).isTrue();
        assertThat(s.includesKind("networking.k8s.io", "NetworkPolicy")).isTrue();
        assertThat(s.includesKind("", "Service")).isFalse();
        assertThat(Selection.ALL.includesKind("", "Pod")).isFalse();
        assertThat(Selection.ALL.includesKind("", "Event")).isFalse();
        assertThat(Selection.ALL.includesKind("", "Service")).isTrue();
        var json = InMemoryCluster.JSON;
        assertThat(s.matches(json.createObjectNode().put("apiVersion", "apps/v1").put("kind", "Deployment")
                .set("metadata", json.createObjectNode().put("name", "a").set("labels",
                        json.createObjectNode().put("app", "cart").put("tier", "web"))))).isTrue();
        assertThat(s.matches(json.createObjectNode().put("apiVersion", "apps/v1").put("kind", "Deployment")
                .set("metadata", json.createObjectNode().put("name", "a").set("labels",
                        json.createObjectNode().put("app", "cart").put("legacy", "yes"))))).isFalse();
        assertThatThrownBy(() -> new Selection(java.util.List.of(), java.util.List.of(), java.util.Optional.of("a=(b"),
                java.util.List.of())).hasMessageContaining("snapshot.include.labelSelector");
    }
}
