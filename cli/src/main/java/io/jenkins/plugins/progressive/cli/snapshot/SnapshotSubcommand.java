package io.jenkins.plugins.progressive.cli.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotIntegrityException;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.SnapshotStores;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSubject;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * What every snapshot command shares: finding the store, the key, the spec and the cluster, and turning
 * failures into one line on standard error and an exit code (never a stack trace).
 */
abstract class SnapshotSubcommand implements Callable<Integer> {

    static final String KEY_VARIABLE = "PROGRESSIVE_SNAPSHOT_KEY";
    static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    StoreOptions storeOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    private SnapshotSubject subject;

    /** The command's work; returns the exit code. */
    abstract int run() throws Exception;

    @Override
    public final Integer call() {
        try {
            return run();
        } catch (InvalidSpecException e) {
            err().println(storeOptions.spec + ": " + e.problems().size()
                    + (e.problems().size() == 1 ? " problem" : " problems"));
            e.problems().forEach(p -> err().println("  " + p));
            return Exit.INVALID;
        } catch (SnapshotIntegrityException e) {
            err().println("refused: " + e.getMessage() + " (nothing was changed)");
            return Exit.INVALID;
        } catch (SnapshotException | IllegalArgumentException e) {
            err().println(e.getMessage());
            return Exit.INVALID;
        } catch (ClusterException e) {
            err().println(e.getMessage());
            return Exit.FAILED;
        } catch (UncheckedIOException e) {
            err().println(e.getMessage());
            return Exit.FAILED;
        } catch (Exception e) {
            err().println(e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : ""));
            return Exit.FAILED;
        }
    }

    PrintWriter out() {
        return command.commandLine().getOut();
    }

    PrintWriter err() {
        return command.commandLine().getErr();
    }

    boolean json() {
        return storeOptions.output == Output.json;
    }

    void printJson(JsonNode doc) throws Exception {
        out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        out().flush();
    }

    /** The spec's name, target and snapshot section; empty without {@code --spec}. */
    Optional<SnapshotSubject> subject() throws InvalidSpecException {
        if (storeOptions.spec == null) {
            return Optional.empty();
        }
        if (subject == null) {
            if (!Files.isRegularFile(storeOptions.spec)) {
                throw new IllegalArgumentException("--spec: " + storeOptions.spec + " does not exist");
            }
            subject = SpecReader.readSnapshotSubject(storeOptions.spec, Map.of());
        }
        return Optional.of(subject);
    }

    /** {@code --store}, else the spec's {@code snapshot.store}. */
    SnapshotStore store() throws InvalidSpecException {
        if (storeOptions.store != null) {
            return SnapshotStores.open(storeOptions.store);
        }
        Optional<SnapshotSubject> s = subject();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("give --store URI (file:DIR or s3://bucket/prefix) or --spec SPEC");
        }
        SnapshotSpec snapshot = s.get().snapshot();
        return SnapshotStores.open(snapshot.store());
    }

    /** {@code --key-file}, else the spec's {@code snapshot.encryptionKey}, else {@code PROGRESSIVE_SNAPSHOT_KEY}. */
    KeyProvider keys() throws InvalidSpecException {
        if (storeOptions.keyFile != null) {
            return KeyProvider.from(Optional.of(new SnapshotSpec.KeySource.File(storeOptions.keyFile.toString())));
        }
        Optional<SnapshotSubject> s = subject();
        if (s.isPresent() && s.get().snapshot().encryptionKey().isPresent()) {
            return KeyProvider.from(s.get().snapshot().encryptionKey());
        }
        String env = System.getenv(KEY_VARIABLE);
        return env == null || env.isBlank() ? KeyProvider.none()
                : KeyProvider.from(Optional.of(new SnapshotSpec.KeySource.Env(KEY_VARIABLE)));
    }
}
