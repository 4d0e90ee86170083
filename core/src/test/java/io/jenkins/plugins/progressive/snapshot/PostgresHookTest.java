package io.jenkins.plugins.progressive.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSpec.Hook;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A database hook with a real PostgreSQL (Debian package {@code postgresql}) started in a temporary
 * folder: {@code pg_dump} runs as a pre hook into the snapshot, {@code psql} restores the dump into an
 * empty database as a restore hook.
 */
class PostgresHookTest {

    static Path home;
    static Path bin;
    static Path sockets;
    static int port;

    @BeforeAll
    static void startPostgres() throws Exception {
        bin = findBin();
        home = Files.createTempDirectory("progressive-pg-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        sockets = home.resolve("sockets");
        Files.createDirectories(sockets);
        if (isRoot()) { // postgres refuses to run as root: the cluster belongs to the postgres user
            run(List.of("chown", "-R", "postgres", home.toString()));
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        asOwner(bin.resolve("initdb").toString(), "-D", home.resolve("data").toString(), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--locale=C", "--no-sync");
        asOwner(bin.resolve("pg_ctl").toString(), "-D", home.resolve("data").toString(), "-l", home.resolve("log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + sockets + " -c listen_addresses='' -c fsync=off", "start");
        psql("postgres", "CREATE DATABASE shop");
        psql("postgres", "CREATE DATABASE shop_restored");
        psql("shop", "CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL, qty int NOT NULL);"
                + "INSERT INTO orders VALUES (1, 'widget-4711', 3), (2, 'gadget ''quoted''', 1), (3, 'ünïcode', 12);");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (home == null) {
            return;
        }
        if (bin != null && Files.exists(home.resolve("data/postmaster.pid"))) {
            asOwner(bin.resolve("pg_ctl").toString(), "-D", home.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        }
        try (Stream<Path> walk = Files.walk(home)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aPreHookDumpsTheDatabaseIntoTheSnapshotAndARestoreHookLoadsIt() throws Exception {
        List<String> conn = List.of("-h", sockets.toString(), "-p", Integer.toString(port), "-U", "postgres");
        List<String> dump = new ArrayList<>(List.of(bin.resolve("pg_dump").toString()));
        dump.addAll(conn);
        dump.addAll(List.of("--no-owner", "-f", "{{out}}/db.sql", "shop"));
        List<String> load = new ArrayList<>(List.of(bin.resolve("psql").toString()));
        load.addAll(conn);
        load.addAll(List.of("-v", "ON_ERROR_STOP=1", "-q", "-d", "shop_restored", "-f", "{{in}}/db.sql"));
        SnapshotSpec spec = new SnapshotSpec(true, "file:x", List.of("prod"), List.of("configmaps"), Optional.empty(),
                List.of(), Optional.empty(), List.of(new Hook.Local(dump)), List.of(new Hook.Local(load)));
        Path storeDir = Files.createTempDirectory("progressive-pg-store-");
        try {
            DirectorySnapshotStore store = new DirectorySnapshotStore(storeDir);
            InMemoryCluster cluster = Fixtures.shop();

            Manifest m = Snapshots.capture(cluster, spec, store, KeyProvider.of(Fixtures.KEY), CaptureOptions.forRollout("shop"));

            assertThat(m.hooks()).singleElement().satisfies(h -> {
                assertThat(h.name()).isEqualTo("db.sql");
                assertThat(h.encrypted()).isTrue(); // a dump is as sensitive as a Secret
            });
            try (Stream<Path> files = Files.walk(storeDir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).doesNotContain("widget-4711");
                }
            }
            assertThat(psql("shop_restored", "SELECT count(*) FROM pg_tables WHERE tablename = 'orders'")).isEqualTo("0");

            cluster.wipe();
            Snapshots.restore(store, m.id(), KeyProvider.of(Fixtures.KEY), RestoreOptions.defaults()
                    .withHooks(spec.restoreHooks(), Duration.ofMinutes(1), Optional.empty()), cluster);

            psql("shop", "UPDATE orders SET qty = 4 WHERE id = 1");
            Manifest after = Snapshots.capture(cluster, spec, store, KeyProvider.of(Fixtures.KEY), CaptureOptions.forRollout("shop"));
            assertThat(Snapshots.diff(store, m.id(), after.id(), KeyProvider.of(Fixtures.KEY)).render())
                    .contains("~ hook file db.sql").doesNotContain("widget-4711");
            psql("shop", "UPDATE orders SET qty = 3 WHERE id = 1");

            String rows = "SELECT id, item, qty FROM orders ORDER BY id";
            assertThat(psql("shop_restored", rows)).isEqualTo(psql("shop", rows))
                    .contains("1|widget-4711|3").contains("3|ünïcode|12");
            assertThat(cluster.log).contains("create ConfigMap prod/shop-config");
        } finally {
            try (Stream<Path> walk = Files.walk(storeDir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Path findBin() throws IOException {
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> versions = Files.list(lib)) {
                Optional<Path> found = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_dump")))
                        .max(Comparator.naturalOrder());
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        return fail("PostgreSQL is not installed: /usr/lib/postgresql/*/bin/initdb is missing; "
                + "install the Debian package 'postgresql' (apt-get install -y postgresql)");
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String asOwner(String... argv) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (isRoot()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(argv));
        return run(cmd);
    }

    static String psql(String db, String sql) throws Exception {
        return run(List.of(bin.resolve("psql").toString(), "-h", sockets.toString(), "-p", Integer.toString(port), "-U",
                "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql)).strip();
    }

    private static String run(List<String> cmd) throws Exception {
        Path out = Files.createTempFile("progressive-pg-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish in 90 s");
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                fail(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + output);
            }
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
