package io.jenkins.plugins.progressive.rollout;

/**
 * Commands for a rollout driven elsewhere (the CLI's {@code progressive promote} while {@code run} is in
 * another process, a Jenkins button): compare-and-set writes into the stored state, which the driver
 * picks up on its next advance.
 */
public final class RolloutCommands {

    private RolloutCommands() {
    }

    /** Pass the current pause or gate; with {@code full}, skip the remaining steps and promote. */
    public static RolloutState promote(StateStore store, String key, boolean full) {
        return write(store, key, s -> {
            requireLive(s, "promote");
            RolloutState.Requests q = s.requests;
            s.requests = new RolloutState.Requests(full || (q != null && "full".equals(q.promote())) ? "full" : "step",
                    q == null ? null : q.abort());
        });
    }

    /** Stop and roll back: traffic to stable first. */
    public static RolloutState abort(StateStore store, String key, String reason) {
        String why = reason == null || reason.isBlank() ? "by request" : reason;
        return write(store, key, s -> {
            requireLive(s, "abort");
            s.requests = new RolloutState.Requests(s.requests == null ? null : s.requests.promote(), why);
        });
    }

    /**
     * Roll back: a live rollout is aborted; a succeeded one goes back to its previous stable version; one
     * that needs a person after an incomplete rollback tries the rollback again.
     */
    public static RolloutState rollback(StateStore store, String key) {
        return write(store, key, s -> {
            if (!s.phase.ended()) {
                s.requests = new RolloutState.Requests(null, "rollback requested");
                return;
            }
            switch (s.phase) {
                case SUCCEEDED -> {
                    if (s.stableVersion == null) {
                        throw new IllegalStateException("rollout '" + key + "' was a first release: there is no "
                                + "previous version to roll back to");
                    }
                    s.rollbackRequested = true;
                    s.failureReason = "rollback of " + s.version + " requested";
                }
                case FAILED_NEEDS_PERSON -> s.rollbackErrors.clear();
                default -> throw new IllegalStateException("rollout '" + key + "' already ended " + s.phase
                        + ": nothing to roll back");
            }
            s.phase = Phase.ROLLING_BACK;
            s.rollbackStep = Rollback.ROUTES;
            s.result = null;
            s.endedAt = null;
        });
    }

    private static void requireLive(RolloutState s, String what) {
        if (s.phase.ended()) {
            throw new IllegalStateException("cannot " + what + " rollout '" + s.key + "': it already ended "
                    + s.phase);
        }
    }

    private static RolloutState write(StateStore store, String key, java.util.function.Consumer<RolloutState> change) {
        for (int attempt = 0; attempt < 20; attempt++) {
            StateStore.Stored st = store.load(key).orElseThrow(() -> new IllegalStateException("no rollout '" + key
                    + "' in the state store"));
            RolloutState s = RolloutState.fromJson(st.json());
            change.accept(s);
            try {
                store.save(key, st.revision(), s.toJson());
                return s;
            } catch (StateStore.ConflictException e) {
                // the driver checkpointed in between: read again
            }
        }
        throw new IllegalStateException("rollout '" + key + "' keeps changing; the command was not written");
    }
}
