package io.jenkins.plugins.progressive.rollout;

/**
 * The instances of one target (a Deployment, local processes, fixed endpoints), seen as two roles.
 * Implementations live in the platform modules.
 *
 * <p>Every method is idempotent and returns after <em>requesting</em> a change, never after waiting
 * for it: the engine observes progress with {@link #status} and calls again later.
 */
public interface Workload {

    /** What runs for {@code role} now. */
    RoleStatus status(Role role);

    /**
     * Make {@code role} run {@code replicas} instances of {@code version}; 0 removes the role's instances.
     * Called again with the same arguments it changes nothing.
     */
    void scale(Role role, String version, int replicas);

    /**
     * How many instances the stable role has when nothing is rolling out (the Deployment's replicas,
     * {@code instances} of a local target). The canary and rolling batches are sized from it.
     */
    int size();

    /** Called once the rollout has ended (any outcome), to release watches and other resources. */
    default void close() {
    }
}
