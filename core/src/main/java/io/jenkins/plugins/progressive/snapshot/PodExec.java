package io.jenkins.plugins.progressive.snapshot;

import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs an {@code exec} hook inside a pod (implemented by the kubernetes module). The implementation
 * substitutes {@code {{out}}}/{@code {{in}}} with a folder inside the container and moves files across:
 * after a {@link Phase#PRE} or {@link Phase#POST} hook, whatever the command wrote there must be copied into
 * {@code localDir};
 * before a {@link Phase#RESTORE} hook, the files of {@code localDir} must be copied there.
 */
@FunctionalInterface
public interface PodExec {

    enum Phase {
        /** Before the objects are read (freeze, dump). */
        PRE,
        /** After the objects were read, also when that failed (unfreeze). */
        POST,
        RESTORE
    }

    /** What the command did: exit status and its standard error (the caller keeps only the tail). */
    record Result(int exitCode, String stderr) {
    }

    Result exec(SnapshotSpec.Hook.Exec hook, Phase phase, Path localDir, Duration timeout)
            throws IOException, InterruptedException;
}
