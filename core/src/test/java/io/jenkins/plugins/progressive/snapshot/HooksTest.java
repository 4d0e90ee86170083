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

    @Test
    void aFailingHooksStderrIsCutToItsLastLinesAndTheSecretsTheSnapshotReadsAreRedacted() {
        // psql echoes the statements it ran, rows included, before the error
        String script = "for i in $(seq 1 500); do echo \"LINE $i: INSERT INTO users VALUES ('alice', 'row-data')\" >&2; done;"
                + " echo \"FATAL: password authentication failed for $PW ($PWB64)\" >&2; exit 2";
        SnapshotSpec spec = spec(List.of(new Hook.Local(List.of("sh", "-c", script.replace("$PWB64", Fixtures.PASSWORD_B64)
                .replace("$PW", Fixtures.PASSWORD)))), List.of());
        SnapshotSpec withSecrets = new SnapshotSpec(true, "file:x", List.of("prod"), List.of("configmaps", "secrets"),
                Optional.empty(), List.of(), Optional.empty(), spec.preHooks(), List.of());

        assertThatThrownBy(() -> Snapshots.capture(cluster, withSecrets, new DirectorySnapshotStore(dir),
                KeyProvider.of(Fixtures.KEY), CaptureOptions.forRollout("shop")))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("exited with 2: …")
                .hasMessageContaining("FATAL: password authentication failed for [redacted] ([redacted])")
                .hasMessageNotContaining(Fixtures.PASSWORD).hasMessageNotContaining(Fixtures.PASSWORD_B64)
                .hasMessageNotContaining("LINE 1:")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(Hooks.STDERR_TAIL + 120));
    }

    @Test
    void postHooksRunAfterTheObjectsAreReadAndAlsoWhenThatFails() throws Exception {
        Path log = dir.resolve("order.log");
        Hook pre = new Hook.Local(List.of("sh", "-c", "echo freeze >> " + log));
        Hook post = new Hook.Local(List.of("sh", "-c", "echo unfreeze >> " + log + "; echo done > {{out}}/post.txt"));
        SnapshotSpec spec = new SnapshotSpec(true, "file:x", List.of("prod"), List.of("configmaps"), Optional.empty(),
                List.of(), Optional.empty(), List.of(pre), List.of(), false, List.of(post));
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir.resolve("store"));

        Manifest m = Snapshots.capture(cluster, spec, store, KeyProvider.none(), CaptureOptions.forRollout("shop"));

        assertThat(Files.readAllLines(log)).containsExactly("freeze", "unfreeze");
        assertThat(m.hooks()).extracting(Manifest.HookFile::name).containsExactly("post.txt");

        // Secrets selected without a key: the capture fails, and the database is unfrozen all the same.
        SnapshotSpec failing = new SnapshotSpec(true, "file:x", List.of("prod"), List.of("secrets"), Optional.empty(),
                List.of(), Optional.empty(), List.of(pre), List.of(), false, List.of(post));
        assertThatThrownBy(() -> Snapshots.capture(cluster, failing, store, KeyProvider.none(),
                CaptureOptions.forRollout("shop"))).hasMessageContaining("snapshot.encryptionKey");
        assertThat(Files.readAllLines(log)).containsExactly("freeze", "unfreeze", "freeze", "unfreeze");
        assertThat(store.manifestIds()).containsExactly(m.id());

        // excludeSecrets in the spec leaves them out instead
        SnapshotSpec excluded = new SnapshotSpec(true, "file:x", List.of("prod"), List.of("secrets"), Optional.empty(),
                List.of(), Optional.empty(), List.of(), List.of(), true, List.of());
        Manifest without = Snapshots.capture(cluster, excluded, store, KeyProvider.none(), CaptureOptions.forRollout("shop"));
        assertThat(without.excludeSecrets()).isTrue();
        assertThat(without.objects()).isEmpty();
    }
}
