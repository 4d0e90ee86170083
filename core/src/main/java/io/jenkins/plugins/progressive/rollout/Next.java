package io.jenkins.plugins.progressive.rollout;

import java.time.Instant;

/**
 * What {@link RolloutEngine#advance} wants next: to be called again at {@code wakeAt} (or earlier, on a
 * metric answer, a command or a watch event), or nothing because the rollout ended with {@code result}.
 *
 * @param phase the phase after this call; {@link Phase#PAUSED} waits for a person
 */
public record Next(Instant wakeAt, RolloutResult result, Phase phase) {

    public static Next at(Instant wakeAt, Phase phase) {
        return new Next(wakeAt, null, phase);
    }

    public static Next done(RolloutResult result) {
        return new Next(null, result, result.status());
    }

    public boolean isDone() {
        return result != null;
    }
}
