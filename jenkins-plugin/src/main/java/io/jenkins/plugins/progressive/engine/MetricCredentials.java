package io.jenkins.plugins.progressive.engine;

import io.jenkins.plugins.progressive.metrics.Credentials;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The metric providers' credentials, read from the Jenkins credentials store through the build's lookup: a secret
 * text is a bearer token, a username with password is basic authentication. A name a template gives is a credentials
 * id. Only the id is ever logged.
 */
final class MetricCredentials implements Credentials {

    private static final Logger LOGGER = Logger.getLogger(MetricCredentials.class.getName());

    private final Supplier<RolloutDriver.CredentialLookup> lookup;

    /** @param lookup the lookup of the build that drives the rollout now (read at each use) */
    MetricCredentials(Supplier<RolloutDriver.CredentialLookup> lookup) {
        this.lookup = lookup;
    }

    @Override
    public Optional<Secret> find(String credentialsId) {
        RolloutDriver.Credential credential;
        try {
            credential = lookup.get().find(credentialsId);
        } catch (IOException e) {
            // the provider then reports the id as unknown: the message names the id, never a value
            LOGGER.log(Level.FINE, "credential {0} cannot be read: {1}", new Object[] {credentialsId, e.getMessage()});
            return Optional.empty();
        }
        if (credential instanceof RolloutDriver.Credential.Token token) {
            return Optional.of(new BearerToken(token.value()));
        }
        if (credential instanceof RolloutDriver.Credential.UsernamePassword user) {
            return Optional.of(new UsernamePassword(user.username(), user.password()));
        }
        LOGGER.log(Level.FINE, "credential {0} is neither a secret text nor a username with password", credentialsId);
        return Optional.empty();
    }
}
