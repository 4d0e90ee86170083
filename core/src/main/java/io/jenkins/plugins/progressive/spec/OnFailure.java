package io.jenkins.plugins.progressive.spec;

/** What a rollout does when a gate fails or the rollout is aborted. */
public enum OnFailure {
    /** Traffic back to stable, new version scaled down, snapshot restored (the default). */
    ROLLBACK,
    /** Hold where it is and wait for a person to promote or abort. */
    PAUSE,
    /** Leave everything as it is and report the failure. */
    FAIL;

    public String specName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
