package io.jenkins.plugins.progressive.analysis;

/**
 * Verdicts, as Argo Rollouts defines them. A measurement is one of the last four; a run is
 * {@link #RUNNING} until its limits or its count decide.
 */
public enum Verdict {
    RUNNING, SUCCESSFUL, FAILED, INCONCLUSIVE, ERROR;

    public boolean decided() {
        return this != RUNNING;
    }
}
