package io.jenkins.plugins.progressive.rollout;

import java.util.Optional;

/**
 * What runs for one role right now, as the platform reports it.
 *
 * @param version the version the role runs, empty when it runs nothing
 * @param desired instances requested
 * @param updated instances that run {@code version}
 * @param ready instances of {@code version} that pass readiness
 * @param failure why the role cannot become ready (image pull error, crash loop, exit code…), if known
 */
public record RoleStatus(Optional<String> version, int desired, int updated, int ready, Optional<String> failure) {

    public static final RoleStatus NONE = new RoleStatus(Optional.empty(), 0, 0, 0, Optional.empty());

    /** True when the role runs exactly {@code replicas} ready instances of {@code wanted}. */
    public boolean isReady(String wanted, int replicas) {
        if (replicas == 0) {
            return desired == 0 && ready == 0;
        }
        return version.filter(wanted::equals).isPresent() && desired == replicas && updated == replicas
                && ready >= replicas;
    }
}
