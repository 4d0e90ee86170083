package io.jenkins.plugins.progressive.snapshot;

import io.jenkins.plugins.progressive.spec.SnapshotSpec.KeySource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Supplies the snapshot key when one is configured. Reading is lazy: a snapshot without Secrets never
 * needs the key, and a misconfigured source only fails when the key is actually needed.
 */
@FunctionalInterface
public interface KeyProvider {

    /** The key, or empty when none is configured; throws {@link SnapshotException} when configured but unusable. */
    Optional<SnapshotKey> key();

    static KeyProvider none() {
        return Optional::empty;
    }

    static KeyProvider of(SnapshotKey key) {
        Optional<SnapshotKey> k = Optional.of(key);
        return () -> k;
    }

    /** From the spec's {@code snapshot.encryptionKey}, reading the process environment and files relative to the working directory. */
    static KeyProvider from(Optional<KeySource> source) {
        return from(source, System::getenv, Path.of(""));
    }

    static KeyProvider from(Optional<KeySource> source, Function<String, String> env, Path baseDir) {
        if (source.isEmpty()) {
            return none();
        }
        return () -> Optional.of(read(source.get(), env, baseDir));
    }

    private static SnapshotKey read(KeySource source, Function<String, String> env, Path baseDir) {
        if (source instanceof KeySource.Env e) {
            String where = "snapshot.encryptionKey.env (" + e.variable() + ")";
            String value = env.apply(e.variable());
            if (value == null || value.isBlank()) {
                throw new SnapshotException(where + ": the environment variable is not set; set it to "
                        + SnapshotKey.LENGTH + " random bytes in base64");
            }
            return SnapshotKey.fromBase64(value, where);
        }
        Path file = baseDir.resolve(((KeySource.File) source).path());
        String where = "snapshot.encryptionKey.file (" + file + ")";
        try {
            return SnapshotKey.fromBase64(Files.readString(file, StandardCharsets.US_ASCII), where);
        } catch (NoSuchFileException ex) {
            throw new SnapshotException(where + ": no such file");
        } catch (IOException ex) {
            throw new SnapshotException(where + ": cannot read it: " + ex.getClass().getSimpleName());
        }
    }
}
