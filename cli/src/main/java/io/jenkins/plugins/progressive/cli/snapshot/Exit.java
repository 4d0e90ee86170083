package io.jenkins.plugins.progressive.cli.snapshot;

/** The exit codes of the snapshot commands (PRODUCT.md's list, plus 1 for a failure that changed nothing). */
final class Exit {

    static final int SUCCEEDED = 0;
    /** The cluster or the store failed (unreachable, refused); nothing was changed. */
    static final int FAILED = 1;
    /** Invalid input, or a snapshot that fails its checksums or needs another key: nothing was changed. */
    static final int INVALID = 2;
    /** A restore stopped part way: some objects were written; running it again is safe. */
    static final int NEEDS_PERSON = 4;

    private Exit() {
    }
}
