package io.jenkins.plugins.progressive.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSpec.Hook;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HooksTest {

    @TempDir
    Path dir;

    final InMemoryCluster cluster = Fixtures.shop();

    SnapshotSpec spec(List<Hook> pre, List<Hook> restore) {
        return new SnapshotSpec(true, "file:x", List.of("prod"), List.of("configmaps"), Optional.empty(), List.of(),
                Optional.empty(), pre, restore);
    }

    @Test
    void aFailingPreHookFailsTheCaptureWithItsStderrAndStoresNoSnapshot() {
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);
        SnapshotSpec spec = spec(List.of(new Hook.Local(List.of("sh", "-c", "echo 'pg_dump: connection refused' >&2; exit 3"))),
                List.of());

        assertThatThrownBy(() -> Snapshots.capture(cluster, spec, store, KeyProvider.none(), CaptureOptions.forRollout("shop")))
                .isInstanceOf(SnapshotException.class).hasMessageContaining("snapshot.hooks.pre[0]")
                .hasMessageContaining("exited with 3").hasMessageContaining("pg_dump: connection refused");
        assertThat(store.manifestIds()).isEmpty();
    }

    @Test
    void aHookThatHangsIsStoppedAtItsTimeout() {
        SnapshotSpec spec = spec(List.of(new Hook.Local(List.of("sleep", "30"))), List.of());
        long start = System.nanoTime();
        assertThatThrownBy(() -> Snapshots.capture(cluster, spec, new DirectorySnapshotStore(dir), KeyProvider.none(),
                CaptureOptions.forRollout("shop").withHooks(Duration.ofMillis(300), Optional.empty())))
                .hasMessageContaining("did not finish within PT0.3S");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aMissingCommandIsNamed() {
        SnapshotSpec spec = spec(List.of(new Hook.Local(List.of("no-such-dump-tool", "{{out}}"))), List.of());
        assertThatThrownBy(() -> Snapshots.capture(cluster, spec, new DirectorySnapshotStore(dir), KeyProvider.none(),
                CaptureOptions.forRollout("shop"))).hasMessageContaining("cannot start 'no-such-dump-tool'");
    }

    @Test
    void preHookFilesAreStoredContentAddressedAndHandedToRestoreHooks() throws Exception {
        Path seen = dir.resolve("seen.txt");
        SnapshotSpec spec = spec(
                List.of(new Hook.Local(List.of("sh", "-c", "mkdir -p {{out}}/static && printf 'logo' > {{out}}/static/logo.svg")),
                        new Hook.Local(List.of("sh", "-c", "printf 'rows' > {{out}}/db.sql"))),
                List.of(new Hook.Local(List.of("sh", "-c", "cat {{in}}/db.sql {{in}}/static/logo.svg > " + seen))));
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir.resolve("store"));

        Manifest a = Snapshots.capture(cluster, spec, store, KeyProvider.none(), CaptureOptions.forRollout("shop"));
        int blobs = store.blobAddresses().size();
        Manifest b = Snapshots.capture(cluster, spec, store, KeyProvider.none(), CaptureOptions.forRollout("shop"));

        assertThat(a.hooks()).extracting(Manifest.HookFile::name).containsExactlyInAnyOrder("static/logo.svg", "db.sql");
        assertThat(a.hooks().stream().filter(h -> h.name().equals("db.sql")).findFirst().orElseThrow().sha256())
                .isEqualTo(Canonical.sha256("rows".getBytes(StandardCharsets.UTF_8)));
        assertThat(store.blobAddresses()).hasSize(blobs); // same files, same blobs
        assertThat(Snapshots.diff(store, a.id(), b.id(), KeyProvider.none()).empty()).isTrue();
        Snapshots.restore(store, b.id(), KeyProvider.none(), RestoreOptions.defaults()
                .withHooks(spec.restoreHooks(), Duration.ofSeconds(30), Optional.empty()), cluster);
        assertThat(seen).hasContent("rowslogo");

        Snapshots.restore(store, b.id(), KeyProvider.none(), RestoreOptions.defaults().withDryRun(true)
                .withHooks(List.of(new Hook.Local(List.of("sh", "-c", "echo ran > " + dir.resolve("dry.txt")))),
                        Duration.ofSeconds(30), Optional.empty()), cluster);
        assertThat(dir.resolve("dry.txt")).doesNotExist();
    }

    @Test
    void execHooksGoThroughThePodExecPort() {
        List<String> calls = new ArrayList<>();
        PodExec exec = (hook, phase, localDir, timeout) -> {
            calls.add(phase + " " + hook.pod() + " " + String.join(" ", hook.command()));
            Files.writeString(localDir.resolve("redis.rdb"), "dump");
            return new PodExec.Result(0, "");
        };
        SnapshotSpec spec = spec(List.of(new Hook.Exec("redis-0", Optional.of("redis"), List.of("redis-cli", "save"))), List.of());
        Manifest m = Snapshots.capture(cluster, spec, new DirectorySnapshotStore(dir), KeyProvider.none(),
                CaptureOptions.forRollout("shop").withHooks(Duration.ofSeconds(5), Optional.of(exec)));
        assertThat(calls).containsExactly("PRE redis-0 redis-cli save");
        assertThat(m.hooks()).extracting(Manifest.HookFile::name).containsExactly("redis.rdb");

        assertThatThrownBy(() -> Snapshots.capture(cluster, spec, new DirectorySnapshotStore(dir), KeyProvider.none(),
                CaptureOptions.forRollout("shop"))).hasMessageContaining("snapshot.hooks.pre[0]")
                .hasMessageContaining("pod redis-0");
    }
}
