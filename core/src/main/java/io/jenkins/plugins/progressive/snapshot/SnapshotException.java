package io.jenkins.plugins.progressive.snapshot;

/**
 * A snapshot operation refused or failed for a reason the user can act on (bad option, missing key,
 * failing hook). Messages name the object, field or hook, never a secret value.
 */
public class SnapshotException extends RuntimeException {

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
