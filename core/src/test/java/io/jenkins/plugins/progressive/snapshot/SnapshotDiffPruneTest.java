package io.jenkins.plugins.progressive.snapshot;

import static io.jenkins.plugins.progressive.snapshot.Fixtures.KEY;
import static io.jenkins.plugins.progressive.snapshot.Fixtures.PASSWORD_B64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotDiffPruneTest {

    @TempDir
    Path dir;

    final InMemoryCluster cluster = Fixtures.shop();

    static SnapshotSpec spec() {
        return new SnapshotSpec(true, "file:snapshots", List.of("prod"), List.of(), Optional.empty(), List.of(),
                Optional.empty(), List.of(), List.of());
    }

    Manifest capture(SnapshotStore store, String name, Instant at) {
        return Snapshots.capture(cluster, spec(), store, KeyProvider.of(KEY),
                CaptureOptions.forRollout(name).withClock(Clock.fixed(at, ZoneOffset.UTC)));
    }

    @Test
    void diffShowsAddedRemovedAndChangedFieldsButNoSecretValue() {
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);
        Manifest a = capture(store, "shop", Instant.parse("2026-11-01T10:00:00Z"));

        ((ObjectNode) cluster.get("Deployment", "prod", "shop").get("spec")).put("replicas", 5);
        ((ObjectNode) cluster.get("Deployment", "prod", "shop").get("metadata")).put("resourceVersion", "99999");
        ((ObjectNode) cluster.get("Secret", "prod", "shop-db").get("data"))
                .put("password", Base64.getEncoder().encodeToString("new-password-123".getBytes()));
        cluster.objects.remove(new ObjectKey("", "v1", "ConfigMap", "prod", "shop-config"));
        cluster.put("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shop-flags","namespace":"prod"},"data":{"x":"1"}}""");
        ((ObjectNode) cluster.get("Service", "prod", "shop").get("metadata")).put("resourceVersion", "123456");
        Manifest b = capture(store, "shop", Instant.parse("2026-11-02T10:00:00Z"));

        SnapshotDiff diff = Snapshots.diff(store, a.id(), b.id(), KeyProvider.of(KEY));
        String text = diff.render();

        assertThat(diff.added()).extracting(ObjectKey::toString).containsExactly("ConfigMap prod/shop-flags");
        assertThat(diff.removed()).extracting(ObjectKey::toString).containsExactly("ConfigMap prod/shop-config");
        assertThat(diff.changed()).extracting(c -> c.key().toString())
                .containsExactlyInAnyOrder("Deployment prod/shop", "Secret prod/shop-db"); // Service: server fields only
        assertThat(text).contains("spec.replicas: 3 → 5").contains("data.password: (changed)")
                .doesNotContain(PASSWORD_B64).doesNotContain("bmV3LXBhc3N3b3JkLTEyMw==").doesNotContain("resourceVersion")
                .contains("1 added, 1 removed, 2 changed");

        SnapshotDiff withoutKey = Snapshots.diff(store, a.id(), b.id(), KeyProvider.none());
        assertThat(withoutKey.render()).contains("spec.replicas: 3 → 5").contains("Secret prod/shop-db")
                .doesNotContain(PASSWORD_B64);
        assertThat(Snapshots.diff(store, a.id(), a.id(), KeyProvider.of(KEY)).empty()).isTrue();
    }

    @Test
    void capturingUnchangedStateAgainGivesTheSameIdAndLeavesNoSecondManifest() {
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);
        Instant t0 = Instant.parse("2026-10-01T00:00:00Z");
        Manifest first = capture(store, "shop", t0);
        assertThat(Snapshots.reuseIfUnchanged(store, first)).isEqualTo(first.id());
        Manifest cart = capture(store, "cart", t0.plusSeconds(1)); // another rollout's snapshot in between

        Manifest again = capture(store, "shop", t0.plusSeconds(2));
        assertThat(Snapshots.reuseIfUnchanged(store, again)).isEqualTo(first.id());
        assertThat(store.manifestIds()).containsExactly(first.id(), cart.id());

        ((ObjectNode) cluster.get("Deployment", "prod", "shop").get("spec")).put("replicas", 5);
        Manifest changed = capture(store, "shop", t0.plusSeconds(3));
        assertThat(Snapshots.reuseIfUnchanged(store, changed)).isEqualTo(changed.id());
        assertThat(store.manifestIds()).containsExactly(first.id(), cart.id(), changed.id());

        ((ObjectNode) cluster.get("Deployment", "prod", "shop").get("spec")).put("replicas", 3);
        Manifest back = capture(store, "shop", t0.plusSeconds(4));
        assertThat(Snapshots.reuseIfUnchanged(store, back)).as("only the last snapshot of the name is compared")
                .isEqualTo(back.id());
        assertThat(Snapshots.show(store, back.id()).objects()).isEqualTo(first.objects());
    }

    @Test
    void pruneKeepsTheLastNPerRolloutAndDeletesBlobsNoSnapshotNeeds() {
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);
        Instant t0 = Instant.parse("2026-10-01T00:00:00Z");
        Manifest old = capture(store, "shop", t0);
        Manifest cart = capture(store, "cart", t0);
        ((ObjectNode) cluster.get("ConfigMap", "prod", "shop-config").get("data")).put("LOG_LEVEL", "debug");
        Manifest mid = capture(store, "shop", t0.plus(Duration.ofDays(10)));
        ((ObjectNode) cluster.get("ConfigMap", "prod", "shop-config").get("data")).put("LOG_LEVEL", "warn");
        Manifest last = capture(store, "shop", t0.plus(Duration.ofDays(20)));
        int blobsBefore = store.blobAddresses().size();

        PruneResult r = Snapshots.prune(store, Optional.of(1), Optional.empty(), t0.plus(Duration.ofDays(21)));

        assertThat(r.deletedSnapshots()).containsExactlyInAnyOrder(old.id(), mid.id());
        assertThat(store.manifestIds()).containsExactlyInAnyOrder(last.id(), cart.id());
        // the two older ConfigMap versions: "info" is still held by the cart snapshot, "debug" is not
        assertThat(r.deletedBlobs()).isEqualTo(1);
        assertThat(store.blobAddresses()).hasSize(blobsBefore - 1);
        cluster.wipe();
        Snapshots.restore(store, last.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster);
        assertThat(cluster.get("ConfigMap", "prod", "shop-config").path("data").path("LOG_LEVEL").asText()).isEqualTo("warn");
        cluster.wipe();
        Snapshots.restore(store, cart.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster);
        assertThat(cluster.get("ConfigMap", "prod", "shop-config").path("data").path("LOG_LEVEL").asText()).isEqualTo("info");
    }

    @Test
    void pruneByAgeDeletesOlderSnapshotsAndTheirUnsharedBlobs() {
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);
        Instant t0 = Instant.parse("2026-10-01T00:00:00Z");
        capture(store, "shop", t0);
        cluster.wipe();
        cluster.put("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fresh","namespace":"prod"},"data":{"x":"1"}}""");
        Manifest young = capture(store, "shop", t0.plus(Duration.ofDays(40)));

        PruneResult r = Snapshots.prune(store, Optional.empty(), Optional.of(Snapshots.parseAge("30d", "--max-age")),
                t0.plus(Duration.ofDays(41)));

        assertThat(store.manifestIds()).containsExactly(young.id());
        assertThat(r.keptSnapshots()).isEqualTo(1);
        assertThat(store.blobAddresses()).containsExactlyInAnyOrderElementsOf(
                young.objects().stream().map(Manifest.Entry::blob).toList());
    }

    @Test
    void pruneRewritesAPartlyLivePackAndDeletesADeadOne() throws Exception {
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);
        Instant t0 = Instant.parse("2026-10-01T00:00:00Z");
        capture(store, "shop", t0); // first pack: every object, LOG_LEVEL info
        ObjectNode data = (ObjectNode) cluster.get("ConfigMap", "prod", "shop-config").get("data");
        data.put("LOG_LEVEL", "debug");
        capture(store, "shop", t0.plus(Duration.ofDays(1))); // second pack: the debug ConfigMap only
        data.put("LOG_LEVEL", "warn");
        Manifest last = capture(store, "shop", t0.plus(Duration.ofDays(2))); // third pack: the warn ConfigMap
        List<Path> before = StoredBlobs.files(store); // packs and indexes, oldest first
        assertThat(before).hasSize(6);

        PruneResult r = Snapshots.prune(store, Optional.of(1), Optional.empty(), t0.plus(Duration.ofDays(3)));

        assertThat(r.deletedBlobs()).as("the info and debug ConfigMaps").isEqualTo(2);
        List<Path> after = StoredBlobs.files(store);
        assertThat(after).as("the third pack, untouched, and the first one's live blobs in a new pack").hasSize(4)
                .startsWith(before.get(4), before.get(5)).doesNotContainAnyElementsOf(before.subList(0, 4));
        String warn = last.objects().stream().filter(e -> e.key().name().equals("shop-config")).findFirst()
                .orElseThrow().blob();
        assertThat(java.nio.file.Files.size(after.get(3))).isEqualTo(last.objects().stream().map(Manifest.Entry::blob)
                .filter(b -> !b.equals(warn)).mapToLong(b -> store.getBlob(b).orElseThrow().length).sum());
        DirectorySnapshotStore reopened = new DirectorySnapshotStore(dir);
        assertThat(reopened.blobAddresses()).containsExactlyInAnyOrderElementsOf(
                last.objects().stream().map(Manifest.Entry::blob).toList());
        cluster.wipe();
        Snapshots.restore(reopened, last.id(), KeyProvider.of(KEY), RestoreOptions.defaults(), cluster);
        assertThat(cluster.get("ConfigMap", "prod", "shop-config").path("data").path("LOG_LEVEL").asText()).isEqualTo("warn");
        assertThat(cluster.objects).hasSize(last.objects().size());
    }

    @Test
    void pruneNeedsAPolicy() {
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);
        assertThatThrownBy(() -> Snapshots.prune(store, Optional.empty(), Optional.empty(), Instant.now()))
                .hasMessageContaining("--keep-last").hasMessageContaining("--max-age");
        assertThatThrownBy(() -> Snapshots.parseAge("thirty days", "--max-age")).hasMessageContaining("--max-age")
                .hasMessageContaining("30d");
    }
}
