package io.jenkins.plugins.progressive.snapshot;

import static io.jenkins.plugins.progressive.snapshot.Fixtures.KEY;
import static io.jenkins.plugins.progressive.snapshot.Fixtures.OTHER_KEY;
import static io.jenkins.plugins.progressive.snapshot.Fixtures.PASSWORD;
import static io.jenkins.plugins.progressive.snapshot.Fixtures.PASSWORD_B64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotEncryptionTest {

    @TempDir
    Path dir;

    final InMemoryCluster cluster = Fixtures.shop();

    DirectorySnapshotStore store() {
        return new DirectorySnapshotStore(dir.resolve("snapshots"));
    }

    static SnapshotSpec spec() {
        return new SnapshotSpec(true, "file:snapshots", List.of("prod"), List.of(), Optional.empty(), List.of(),
                Optional.of(new SnapshotSpec.KeySource.Env("PROGRESSIVE_SNAPSHOT_KEY")), List.of(), List.of());
    }

    static KeyProvider env(String value) {
        return KeyProvider.from(spec().encryptionKey(), Map.of("PROGRESSIVE_SNAPSHOT_KEY", value)::get, Path.of(""));
    }

    @Test
    void noFileOfTheStoreHoldsASecretValueInClear() throws Exception {
        DirectorySnapshotStore store = store();
        KeyProvider keys = env(Base64.getEncoder().encodeToString(Fixtures.bytes(7)));
        Manifest m = Snapshots.capture(cluster, spec(), store, keys, CaptureOptions.forRollout("shop"));

        Manifest.Entry secret = m.objects().stream().filter(e -> e.key().kind().equals("Secret")).findFirst().orElseThrow();
        assertThat(secret.encrypted()).isTrue();
        assertThat(secret.keyId()).contains(KEY.id());
        assertThat(secret.blob()).isNotEqualTo(secret.sha256()); // addressed by HMAC, not by the plaintext hash
        List<Path> files;
        try (Stream<Path> s = Files.walk(store.root())) {
            files = s.filter(Files::isRegularFile).toList();
        }
        // what is grepped holds every stored byte: the manifest, and the pack with every blob
        assertThat(files).extracting(f -> f.getFileName().toString()).anyMatch(n -> n.endsWith(".json"));
        assertThat(files.stream().filter(f -> f.toString().endsWith(".pack")).mapToLong(f -> f.toFile().length()).sum())
                .isEqualTo(m.objects().stream().mapToLong(e -> store.getBlob(e.blob()).orElseThrow().length).sum());
        for (Path f : files) {
            String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            assertThat(content).as(f.toString()).doesNotContain(PASSWORD).doesNotContain(PASSWORD_B64)
                    .doesNotContain(Base64.getEncoder().encodeToString(Fixtures.bytes(7)));
        }
        assertThat(m.toString() + m.render()).doesNotContain(PASSWORD).doesNotContain(PASSWORD_B64);
        assertThat(KEY.toString()).isEqualTo("SnapshotKey[id=" + KEY.id() + "]");

        cluster.objects.remove(secret.key());
        SnapshotContents contents = Snapshots.load(store, m.id(), keys);
        RestorePlan plan = Snapshots.restore(store, m.id(), keys, RestoreOptions.defaults(), cluster);
        assertThat(plan.toString() + contents + contents.items()).contains("Secret prod/shop-db")
                .doesNotContain(PASSWORD_B64).doesNotContain(PASSWORD);
        assertThat(cluster.log).containsExactly("create Secret prod/shop-db");
        assertThat(cluster.get("Secret", "prod", "shop-db").path("data").path("password").asText()).isEqualTo(PASSWORD_B64);
    }

    @Test
    void unchangedSecretsShareOneBlobAcrossSnapshots() {
        DirectorySnapshotStore store = store();
        Manifest a = Snapshots.capture(cluster, spec(), store, KeyProvider.of(KEY), CaptureOptions.forRollout("shop"));
        int blobs = store.blobAddresses().size();
        Manifest b = Snapshots.capture(cluster, spec(), store, KeyProvider.of(KEY), CaptureOptions.forRollout("shop"));
        assertThat(store.blobAddresses()).hasSize(blobs);
        assertThat(b.objects()).filteredOn(Manifest.Entry::encrypted).extracting(Manifest.Entry::blob)
                .containsExactlyElementsOf(a.objects().stream().filter(Manifest.Entry::encrypted).map(Manifest.Entry::blob).toList());
    }

    @Test
    void aWrongKeyFailsNamingBothKeyIdsAndNothingIsApplied() {
        DirectorySnapshotStore store = store();
        Manifest m = Snapshots.capture(cluster, spec(), store, KeyProvider.of(KEY), CaptureOptions.forRollout("shop"));
        cluster.wipe();

        assertThatThrownBy(() -> Snapshots.restore(store, m.id(), KeyProvider.of(OTHER_KEY), RestoreOptions.defaults(), cluster))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining(KEY.id()).hasMessageContaining(OTHER_KEY.id())
                .hasMessageNotContaining(PASSWORD_B64);
        assertThatThrownBy(() -> Snapshots.restore(store, m.id(), KeyProvider.none(), RestoreOptions.defaults(), cluster))
                .isInstanceOf(SnapshotException.class).hasMessageContaining("key id " + KEY.id());
        assertThat(cluster.writes).isZero();
    }

    @Test
    void secretsWithoutAKeyAreRefusedUnlessExcluded() {
        DirectorySnapshotStore store = store();
        assertThatThrownBy(() -> Snapshots.capture(cluster, spec(), store, KeyProvider.none(), CaptureOptions.forRollout("shop")))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("snapshot.encryptionKey").hasMessageContaining("Secret prod/shop-db");
        assertThat(store.manifestIds()).isEmpty();

        Manifest m = Snapshots.capture(cluster, spec(), store, KeyProvider.none(),
                CaptureOptions.forRollout("shop").withExcludeSecrets(true));
        assertThat(m.objects()).noneMatch(e -> e.key().kind().equals("Secret"));
        assertThat(m.excludeSecrets()).isTrue();
        assertThat(m.objects()).isNotEmpty();
    }

    @Test
    void objectsTheSourceMarksSensitiveAreEncryptedToo() {
        ObjectSource marking = new ObjectSource() {
            @Override
            public Stream<com.fasterxml.jackson.databind.node.ObjectNode> objects(Selection selection) {
                return cluster.objects(selection);
            }

            @Override
            public String describe() {
                return "memory";
            }

            @Override
            public boolean sensitive(com.fasterxml.jackson.databind.node.ObjectNode object) {
                return object.path("kind").asText().equals("ConfigMap");
            }
        };
        Manifest m = Snapshots.capture(marking, spec(), store(), KeyProvider.of(KEY), CaptureOptions.forRollout("shop"));
        assertThat(m.objects()).filteredOn(e -> e.key().kind().equals("ConfigMap")).allMatch(Manifest.Entry::encrypted);
        assertThat(m.objects()).filteredOn(e -> e.key().kind().equals("Deployment")).noneMatch(Manifest.Entry::encrypted);
    }

    @Test
    void badKeysAreRejectedNamingTheFieldNeverTheValue(@TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> KeyProvider.from(spec().encryptionKey(), v -> null, tmp).key())
                .hasMessageContaining("snapshot.encryptionKey.env (PROGRESSIVE_SNAPSHOT_KEY)").hasMessageContaining("not set");
        String shortKey = Base64.getEncoder().encodeToString("sixteen-byte-key".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> env(shortKey).key()).hasMessageContaining("decodes to 16 bytes")
                .hasMessageNotContaining(shortKey);
        assertThatThrownBy(() -> env("not base64 at all!").key()).hasMessageContaining("not valid base64")
                .hasMessageNotContaining("not base64 at all!");

        Path keyFile = tmp.resolve("key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(Fixtures.bytes(7)) + "\n");
        KeyProvider fromFile = KeyProvider.from(Optional.of(new SnapshotSpec.KeySource.File("key")), v -> null, tmp);
        assertThat(fromFile.key()).contains(KEY);
        assertThatThrownBy(() -> KeyProvider.from(Optional.of(new SnapshotSpec.KeySource.File("missing")), v -> null, tmp).key())
                .hasMessageContaining("snapshot.encryptionKey.file").hasMessageContaining("no such file");
    }
}
