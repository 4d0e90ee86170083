package io.jenkins.plugins.progressive.snapshot;

/**
 * A stored snapshot does not match its checksums (or a blob is missing, or cannot be decrypted): it is
 * refused as a whole before anything is applied.
 */
public class SnapshotIntegrityException extends SnapshotException {

    public SnapshotIntegrityException(String message) {
        super(message);
    }
}
