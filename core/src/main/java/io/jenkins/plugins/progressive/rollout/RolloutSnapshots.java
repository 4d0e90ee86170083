package io.jenkins.plugins.progressive.rollout;

import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;

/**
 * Takes and restores the pre-rollout snapshot of what a rollout touches. Both calls are idempotent:
 * capturing unchanged state again returns the same id (snapshots are content-addressed).
 */
public interface RolloutSnapshots {

    /** Snapshot what {@code spec} will touch; returns the snapshot's id. */
    String capture(RolloutSpec spec);

    /** Put back what snapshot {@code snapshotId} holds. */
    void restore(String snapshotId);

    /**
     * Checks, before the rollout changes anything, what would make {@link #capture} fail at its first action
     * (a Secret to seal and no key, say); nothing to check by default.
     *
     * @throws InvalidSpecException naming the field
     */
    default void preflight() throws InvalidSpecException {
    }
}
