package io.jenkins.plugins.progressive.rollout;

/**
 * Splits requests between the roles (Flagger's router shape: set, then read back what is really served).
 * Implementations live in the platform modules, one folder per router.
 */
public interface TrafficRouter {

    /**
     * Make the router serve {@code routes}. Idempotent; returns once the router has accepted the change
     * (HAProxy answered, nginx reloaded, the API server stored the object).
     */
    void setRoutes(Routes routes);

    /** What the router serves now, read from the router itself (not from memory). */
    Routes getRoutes();

    /**
     * False while the router is still carrying out the last {@link #setRoutes} (servers that left are draining
     * their connections). The engine then calls {@link #setRoutes} again later with the same routes, which
     * finishes what is due without waiting, and changes nothing else before this is true.
     */
    default boolean settled() {
        return true;
    }

    /**
     * True when the split follows the ratio of ready instances (no router in front): the engine then
     * sizes the roles to the weight instead of calling {@link #setRoutes}.
     */
    default boolean followsReplicas() {
        return false;
    }
}
