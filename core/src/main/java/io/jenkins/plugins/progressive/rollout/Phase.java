package io.jenkins.plugins.progressive.rollout;

/** Where a rollout is; the last four are end states. */
public enum Phase {
    PROGRESSING, PAUSED, PROMOTING, ROLLING_BACK,
    SUCCEEDED, ROLLED_BACK, FAILED_NEEDS_PERSON, ABORTED;

    public boolean ended() {
        return ordinal() >= SUCCEEDED.ordinal();
    }
}
