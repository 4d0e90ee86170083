package io.jenkins.plugins.progressive.rollout;

import java.util.List;
import java.util.Optional;

/**
 * Where rollout state documents are checkpointed (a directory, a ConfigMap, Jenkins' build folder).
 * A document is opaque JSON to the store; the revision makes every write a compare-and-set so two
 * drivers of the same rollout can never both win.
 */
public interface StateStore {

    /** A stored document and the revision it was stored under (revisions start at 1). */
    record Stored(String json, long revision) {
    }

    Optional<Stored> load(String key);

    /**
     * Store {@code json} under {@code key} if the stored revision is still {@code expectedRevision}
     * (0: the key must not exist yet).
     *
     * @return the new revision
     * @throws ConflictException when somebody else wrote the key in between
     */
    long save(String key, long expectedRevision, String json) throws ConflictException;

    /** Every key with a stored document. */
    List<String> keys();

    /** Another writer changed the document since it was loaded. */
    final class ConflictException extends Exception {
        private static final long serialVersionUID = 1L;

        public ConflictException(String key, long expected, long actual) {
            super("rollout state '" + key + "' was changed by another driver (expected revision " + expected
                    + ", found " + actual + ")", null, false, false);
        }
    }
}
