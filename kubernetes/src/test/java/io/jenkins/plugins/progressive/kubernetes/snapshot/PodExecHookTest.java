package io.jenkins.plugins.progressive.kubernetes.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.ContainerExec;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.snapshot.CaptureOptions;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotKey;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.SnapshotStores;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSpec.Hook;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exec} hooks through {@code pods/exec} of the test API server: the pre hook's file moves out of the
 * pod into the snapshot, the restore hook finds it in the pod again, a post hook runs after the objects
 * were read, and a failing command's exit status and (redacted, capped) stderr reach the message.
 */
class PodExecHookTest {

    private static final String PASSWORD = "correct-horse-battery-staple";
    private static final byte[] DUMP = "CREATE TABLE orders (id int);\nINSERT INTO orders VALUES (1);\n"
            .getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @TempDir
    Path dir;

    private KubernetesClient client;
    /** The container's files, as the scripted commands see them. */
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** Every command the container ran, in order. */
    private final List<List<String>> ran = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, byte[]> restored = new TreeMap<>();
    private SnapshotStore store;

    @BeforeEach
    void seed() {
        client = api.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build())
                .create();
        client.pods().inNamespace("prod").resource(new PodBuilder().withNewMetadata().withName("db-0").endMetadata()
                .withNewSpec().addNewContainer().withName("postgres").withImage("postgres:16").endContainer().endSpec()
                .build()).create();
        client.secrets().inNamespace("prod").resource(new SecretBuilder().withNewMetadata().withName("db")
                .endMetadata().addToData("password", Base64.getEncoder().encodeToString(
                        PASSWORD.getBytes(StandardCharsets.UTF_8))).build()).create();
        api.onExec(this::container);
        store = SnapshotStores.open("file:" + dir.resolve("snapshots"));
    }

    /** A container with a shell, coreutils and two database tools, over an in-memory file system. */
    private ContainerExec.Result container(String namespace, String pod, String container, List<String> argv,
            InputStream stdin) throws IOException {
        assertThat(namespace).isEqualTo("prod");
        assertThat(pod).isEqualTo("db-0");
        assertThat(container).isEqualTo("postgres");
        ran.add(argv);
        switch (argv.get(0)) {
            case "mkdir" -> {
                return ContainerExec.Result.ok(new byte[0]);
            }
            case "rm" -> {
                String root = argv.get(argv.size() - 1) + "/";
                files.keySet().removeIf(f -> f.startsWith(root));
                return ContainerExec.Result.ok(new byte[0]);
            }
            case "find" -> {
                String root = argv.get(1) + "/";
                StringBuilder out = new StringBuilder();
                files.keySet().stream().filter(f -> f.startsWith(root)).sorted().forEach(f -> out.append(f).append('\n'));
                return ContainerExec.Result.ok(out.toString().getBytes(StandardCharsets.UTF_8));
            }
            case "cat" -> {
                return ContainerExec.Result.ok(files.get(argv.get(1)));
            }
            case "sh" -> {
                // sh -c 'mkdir -p "$(dirname "$1")" && head -c "$2" > "$1"' sh FILE SIZE
                assertThat(argv.get(2)).contains("head -c \"$2\" > \"$1\"");
                files.put(argv.get(4), stdin.readNBytes(Integer.parseInt(argv.get(5))));
                return ContainerExec.Result.ok(new byte[0]);
            }
            case "pg_dump" -> {
                files.put(argv.get(2), DUMP);
                return ContainerExec.Result.ok(new byte[0]);
            }
            case "psql" -> {
                restored.put("db.sql", files.get(argv.get(2)));
                return ContainerExec.Result.ok(new byte[0]);
            }
            case "unfreeze" -> {
                files.put(argv.get(1), "unfrozen".getBytes(StandardCharsets.UTF_8));
                return ContainerExec.Result.ok(new byte[0]);
            }
            case "fail" -> {
                StringBuilder err = new StringBuilder();
                for (int i = 0; i < 200; i++) {
                    err.append("row ").append(i).append(": INSERT INTO users VALUES ('alice', 'secret-row-data')\n");
                }
                err.append("FATAL: password authentication failed for password ").append(PASSWORD).append('\n');
                return ContainerExec.Result.failed(3, err.toString());
            }
            default -> {
                return ContainerExec.Result.failed(127, "sh: " + argv.get(0) + ": not found");
            }
        }
    }

    private static Hook exec(String... command) {
        return new Hook.Exec("db-0", Optional.of("postgres"), List.of(command));
    }

    private static SnapshotSpec spec(List<Hook> pre, List<Hook> post) {
        return new SnapshotSpec(true, "file:unused", List.of("prod"), List.of("secrets"), Optional.empty(), List.of(),
                Optional.empty(), pre, List.of(), false, post);
    }

    private CaptureOptions options() {
        return CaptureOptions.forRollout("shop").withHooks(Duration.ofSeconds(30),
                Optional.of(new PodExecHook(client, "prod")));
    }

    @Test
    void aPreHooksFileIsStoredAndARestoreHookFindsItInThePod() throws Exception {
        KeyProvider keys = KeyProvider.of(SnapshotKey.of(new byte[32]));

        Manifest m = Snapshots.capture(new ClusterObjects(client), spec(List.of(exec("pg_dump", "-f", "{{out}}/db.sql")),
                List.of(exec("unfreeze", "{{out}}/post.log"))), store, keys, options());

        assertThat(m.hooks()).extracting(Manifest.HookFile::name).containsExactly("db.sql", "post.log");
        assertThat(Snapshots.load(store, m.id(), keys).hookFiles()).containsKey("db.sql")
                .satisfies(f -> assertThat(f.get("db.sql")).isEqualTo(DUMP));
        List<String> programs = ran.stream().map(c -> c.get(0)).toList();
        assertThat(programs.indexOf("unfreeze")).as("the post hook runs after the pre hook").isGreaterThan(
                programs.indexOf("pg_dump"));
        assertThat(files).as("the hook folders are removed from the pod").isEmpty();

        Snapshots.restore(store, m.id(), keys, RestoreOptions.defaults().withHooks(List.of(exec("psql", "-f",
                "{{in}}/db.sql")), Duration.ofSeconds(30), Optional.of(new PodExecHook(client, "prod"))),
                new ClusterObjects(client));

        assertThat(restored.get("db.sql")).isEqualTo(DUMP);
        assertThat(files).isEmpty();
    }

    @Test
    void aFailingCommandReportsItsExitStatusWithAShortRedactedStderrAndThePostHookStillRuns() {
        KeyProvider keys = KeyProvider.of(SnapshotKey.of(new byte[32]));

        assertThatThrownBy(() -> Snapshots.capture(new ClusterObjects(client), spec(List.of(exec("fail")), List.of()),
                store, keys, options()))
                .isInstanceOf(SnapshotException.class)
                .hasMessageStartingWith("snapshot.hooks.pre[0]: 'fail' in pod db-0 exited with 3: …")
                .hasMessageContaining("password authentication failed for password [redacted]")
                .hasMessageNotContaining(PASSWORD)
                .hasMessageNotContaining("row 0:")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(420));
        assertThat(store.manifestIds()).isEmpty();

        ran.clear();
        assertThatThrownBy(() -> Snapshots.capture(new ClusterObjects(client), spec(List.of(), List.of(exec(
                "unfreeze", "{{out}}/post.log"))), store, KeyProvider.none(), options()))
                .isInstanceOf(SnapshotException.class).hasMessageContaining("Secret prod/db");
        assertThat(ran).as("the post hook ran although reading the objects failed")
                .anySatisfy(c -> assertThat(c.get(0)).isEqualTo("unfreeze"));
        assertThat(store.manifestIds()).isEmpty();
    }

    @Test
    void aMissingPodIsReportedByName() {
        assertThatThrownBy(() -> Snapshots.capture(new ClusterObjects(client), spec(List.of(
                new Hook.Exec("db-9", Optional.empty(), List.of("pg_dump"))), List.of()), store,
                KeyProvider.of(SnapshotKey.of(new byte[32])), options()))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("snapshot.hooks.pre[0]: cannot run 'pg_dump' in pod db-9");
    }
}
