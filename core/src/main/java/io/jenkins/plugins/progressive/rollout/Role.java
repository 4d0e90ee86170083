package io.jenkins.plugins.progressive.rollout;

/**
 * The two sides of every strategy: the version that serves now, and the new one. Blue-green's
 * active and preview, and rolling's old and new instances, are the same two roles.
 */
public enum Role {
    STABLE, CANARY
}
