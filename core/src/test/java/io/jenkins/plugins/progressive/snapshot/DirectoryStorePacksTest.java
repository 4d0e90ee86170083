package io.jenkins.plugins.progressive.snapshot;

import static io.jenkins.plugins.progressive.snapshot.Fixtures.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory store's packs: layout, stores written before packs, damage, concurrent writers. */
class DirectoryStorePacksTest {

    @TempDir
    Path dir;

    final InMemoryCluster cluster = Fixtures.shop();

    static SnapshotSpec spec() {
        return SnapshotDiffPruneTest.spec();
    }

    Manifest capture(SnapshotStore store) {
        return Snapshots.capture(cluster, spec(), store, KeyProvider.of(KEY), CaptureOptions.forRollout("shop"));
    }

    Manifest.Entry entry(Manifest m, String kind) {
        return m.objects().stream().filter(e -> e.key().kind().equals(kind)).findFirst().orElseThrow();
    }

    @Test
    void aCaptureWritesOnePackAndItsIndexAndNoOtherBlobFile() throws Exception {
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);
        Manifest m = capture(store);

        List<Path> files = StoredBlobs.files(store);
        assertThat(files).extracting(f -> dir.relativize(f).toString().replaceAll("[0-9a-f]{16}", "X")
                .replaceAll("[0-9]{8}T[0-9]{12}Z", "T")).containsExactly("packs/T-X.idx", "packs/T-X.pack");
        assertThat(Files.size(files.get(1))).isEqualTo(m.objects().stream()
                .mapToLong(e -> store.getBlob(e.blob()).orElseThrow().length).sum());
        cluster.wipe();
        Snapshots.restore(new DirectorySnapshotStore(dir), m.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster);
        assertThat(cluster.objects).hasSize(m.objects().size());
    }

    @Test
    void aStoreOfLooseBlobsWrittenBeforePacksStaysReadableAndIsReused() throws Exception {
        DirectorySnapshotStore packed = new DirectorySnapshotStore(dir.resolve("packed"));
        Manifest m = capture(packed);
        // the same snapshot in the layout of earlier versions: one file per blob
        DirectorySnapshotStore loose = new DirectorySnapshotStore(dir.resolve("loose"));
        for (String address : packed.blobAddresses()) {
            assertThat(loose.putBlob(address, packed.getBlob(address).orElseThrow())).isTrue();
        }
        loose.putManifest(m.id(), packed.getManifest(m.id()).orElseThrow());
        List<Path> files = StoredBlobs.files(loose);
        assertThat(files).allMatch(f -> f.startsWith(loose.root().resolve("objects"))).hasSize(m.objects().size());

        Manifest second = capture(loose);

        assertThat(StoredBlobs.files(loose)).as("unchanged objects are not stored again").isEqualTo(files);
        cluster.wipe();
        Snapshots.restore(loose, second.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster);
        assertThat(cluster.objects).hasSize(m.objects().size());

        Manifest.Entry configMap = entry(m, "ConfigMap");
        StoredBlobs.flip(loose, configMap.blob(), 5, 0x01);
        cluster.wipe();
        assertThatThrownBy(() -> Snapshots.restore(loose, m.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster))
                .isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("ConfigMap prod/shop-config")
                .hasMessageContaining("sha256");
        assertThat(cluster.writes).isZero();
    }

    @Test
    void aDamagedBlobIsNotReusedTheNextCaptureStoresItAgain() throws Exception {
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);
        Manifest first = capture(store);
        Manifest.Entry configMap = entry(first, "ConfigMap");
        Manifest.Entry secret = entry(first, "Secret");
        StoredBlobs.flip(store, configMap.blob(), 3, 0x01);
        StoredBlobs.flip(store, secret.blob(), StoredBlobs.length(store, secret.blob()) - 3, 0x40);
        List<Path> before = StoredBlobs.files(store);

        Manifest second = capture(store);

        List<Path> after = StoredBlobs.files(store);
        assertThat(after).as("a new pack and its index").hasSize(before.size() + 2);
        Path newPack = after.stream().filter(f -> !before.contains(f) && f.toString().endsWith(".pack")).findFirst()
                .orElseThrow();
        assertThat(Files.size(newPack)).as("holding the two damaged blobs, written again")
                .isEqualTo(store.getBlob(configMap.blob()).orElseThrow().length
                        + store.getBlob(secret.blob()).orElseThrow().length);
        // the fresh copies are read from now on, for both snapshots (same addresses)
        for (Manifest m : List.of(second, first)) {
            cluster.wipe();
            Snapshots.restore(new DirectorySnapshotStore(dir), m.id(), KeyProvider.of(KEY), RestoreOptions.defaults(),
                    cluster);
            assertThat(cluster.objects).hasSize(first.objects().size());
        }
    }

    @Test
    void aDamagedPackIndexIsNamedAndTheNextCaptureStoresItsBlobsAgain() throws Exception {
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);
        Manifest m = capture(store);
        Path index = StoredBlobs.indexOf(store, entry(m, "ConfigMap").blob());
        byte[] bytes = Files.readAllBytes(index);
        bytes[20] ^= 0x01;
        Files.write(index, bytes);
        cluster.wipe();

        DirectorySnapshotStore reopened = new DirectorySnapshotStore(dir);
        assertThatThrownBy(() -> Snapshots.restore(reopened, m.id(), KeyProvider.of(KEY), RestoreOptions.defaults(),
                cluster)).isInstanceOf(SnapshotIntegrityException.class)
                .hasMessageContaining("snapshot " + m.id() + ": ")
                .hasMessageContaining("pack index packs/" + index.getFileName() + " does not match its sha256");
        assertThat(cluster.writes).isZero();

        cluster.objects.putAll(Fixtures.shop().objects);
        Manifest again = capture(reopened);
        cluster.wipe();
        Snapshots.restore(reopened, again.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster);
        assertThat(cluster.objects).hasSize(again.objects().size());
    }

    @Test
    void twoStoresOnOneDirectoryLikeTwoProcessesSeeEachOthersPacks() {
        DirectorySnapshotStore a = new DirectorySnapshotStore(dir);
        DirectorySnapshotStore b = new DirectorySnapshotStore(dir);
        assertThat(a.blobAddresses()).isEmpty(); // a has looked: no packs yet

        Manifest byB = capture(b);
        cluster.wipe();
        Snapshots.restore(a, byB.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster);
        assertThat(cluster.objects).hasSize(byB.objects().size());

        InMemoryCluster other = Fixtures.shop();
        other.put("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"only-a","namespace":"prod"},"data":{"x":"1"}}""");
        CompletableFuture<Manifest> inA = CompletableFuture.supplyAsync(() -> Snapshots.capture(other, spec(), a,
                KeyProvider.of(KEY), CaptureOptions.forRollout("shop")));
        Manifest inB = capture(b);
        Manifest byA = inA.join();
        for (Manifest m : List.of(byA, inB)) {
            for (DirectorySnapshotStore s : List.of(a, b)) {
                assertThat(Snapshots.load(s, m.id(), KeyProvider.of(KEY)).items()).hasSize(m.objects().size());
            }
        }
    }

    @Test
    void largeBlobsStayLooseFilesAndAnUncommittedBatchLeavesNothing() throws Exception {
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);
        byte[] dump = new byte[DirectorySnapshotStore.LOOSE_ABOVE + 1];
        Arrays.fill(dump, (byte) 'x');
        byte[] small = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        try (SnapshotStore.BlobBatch batch = store.blobBatch()) {
            batch.put(Canonical.sha256(small), small);
            batch.put(Canonical.sha256(dump), dump);
            batch.commit();
        }
        assertThat(store.root().resolve("objects").resolve(Canonical.sha256(dump).substring(0, 2))
                .resolve(Canonical.sha256(dump))).hasBinaryContent(dump);
        assertThat(store.getBlob(Canonical.sha256(small))).hasValueSatisfying(b -> assertThat(b).isEqualTo(small));
        List<Path> files = StoredBlobs.files(store);

        assertThatThrownBy(() -> Snapshots.capture(cluster, spec(), store, KeyProvider.none(),
                CaptureOptions.forRollout("shop"))).hasMessageContaining("snapshot.encryptionKey");

        try (Stream<Path> all = Files.walk(dir)) {
            assertThat(all.filter(Files::isRegularFile).sorted().toList()).as("no half pack, no temporary file").isEqualTo(files);
        }
    }
}
