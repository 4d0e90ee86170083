package io.jenkins.plugins.progressive.engine;

import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per rollout, where its cluster is and whose credentials it may read: the running build's lookup, replaced at every
 * advance (a resumed build brings a new one) and dropped when the rollout ends. In memory only; secrets are read
 * through it when used, never kept.
 */
public final class Contexts {

    /**
     * The cluster a step named, the lookup of the build that drives the rollout now, and the step's options that
     * the platforms read when they act ({@code encryptionKeyCredentialsId}, {@code workspace}; never a secret).
     */
    public record Context(Optional<RolloutDriver.ClusterConnection> cluster, RolloutDriver.CredentialLookup credentials,
            Map<String, String> options) {
        public Context {
            options = Map.copyOf(options);
        }

        public Context(Optional<RolloutDriver.ClusterConnection> cluster, RolloutDriver.CredentialLookup credentials) {
            this(cluster, credentials, Map.of());
        }

        /** The same, with the lookup of the build that drives it now. */
        Context with(RolloutDriver.CredentialLookup lookup) {
            return new Context(cluster, lookup, options);
        }
    }

    private static final Context NONE = new Context(Optional.empty(), RolloutDriver.CredentialLookup.NONE);

    private final ConcurrentHashMap<String, Context> contexts = new ConcurrentHashMap<>();

    void put(String key, Context context) {
        contexts.put(key, context);
    }

    /** When the rollout ends: the build whose lookup it holds is then free to go. */
    void remove(String key) {
        contexts.remove(key);
    }

    /** Null when the rollout is unknown here. */
    Context get(String key) {
        return contexts.get(key);
    }

    /** The context of {@code key}, or one without cluster and credentials. */
    Context of(String key) {
        return contexts.getOrDefault(key, NONE);
    }
}
