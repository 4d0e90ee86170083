package io.jenkins.plugins.progressive.spec;

import java.util.List;
import java.util.Optional;

/**
 * What a rollout snapshots before its first action, where the snapshot goes and how Secrets are sealed.
 *
 * @param store {@code file:<dir>} or {@code s3://bucket/prefix?endpoint=...&region=...}
 * @param includeKinds empty means every discovered kind minus the default exclusions
 * @param encryptionKey where the 32-byte base64 key is read from; never the key itself
 * @param excludeSecrets leave Secrets out instead of requiring a key (the CLI's {@code --exclude-secrets})
 * @param postHooks run after the objects are captured, also when capture fails (e.g. to unfreeze a database)
 */
public record SnapshotSpec(
        boolean enabled,
        String store,
        List<String> includeNamespaces,
        List<String> includeKinds,
        Optional<String> labelSelector,
        List<String> excludeKinds,
        Optional<KeySource> encryptionKey,
        List<Hook> preHooks,
        List<Hook> restoreHooks,
        boolean excludeSecrets,
        List<Hook> postHooks) {

    public static final String DEFAULT_STORE = "file:.progressive/snapshots";
    public static final SnapshotSpec DISABLED = new SnapshotSpec(false, DEFAULT_STORE, List.of(), List.of(),
            Optional.empty(), List.of(), Optional.empty(), List.of(), List.of(), false, List.of());

    public SnapshotSpec {
        includeNamespaces = List.copyOf(includeNamespaces);
        includeKinds = List.copyOf(includeKinds);
        excludeKinds = List.copyOf(excludeKinds);
        preHooks = List.copyOf(preHooks);
        restoreHooks = List.copyOf(restoreHooks);
        postHooks = List.copyOf(postHooks);
    }

    /** Without {@code excludeSecrets} and post hooks. */
    public SnapshotSpec(boolean enabled, String store, List<String> includeNamespaces, List<String> includeKinds,
            Optional<String> labelSelector, List<String> excludeKinds, Optional<KeySource> encryptionKey,
            List<Hook> preHooks, List<Hook> restoreHooks) {
        this(enabled, store, includeNamespaces, includeKinds, labelSelector, excludeKinds, encryptionKey, preHooks,
                restoreHooks, false, List.of());
    }

    /** The same section with another selection (what a command or a rollout actually takes). */
    public SnapshotSpec withSelection(String store, List<String> namespaces, List<String> kinds,
            Optional<String> selector, List<String> excluded) {
        return new SnapshotSpec(enabled, store, namespaces, kinds, selector, excluded, encryptionKey, preHooks,
                restoreHooks, excludeSecrets, postHooks);
    }

    /** Where the encryption key comes from. */
    public sealed interface KeySource {
        record Env(String variable) implements KeySource {
        }

        record File(String path) implements KeySource {
        }
    }

    /** A data hook: a local command, or a command executed in a pod. {@code {{out}}}/{@code {{in}}} name the hook's folder. */
    public sealed interface Hook {
        record Local(List<String> command) implements Hook {
            public Local {
                command = List.copyOf(command);
            }
        }

        record Exec(String pod, Optional<String> container, List<String> command) implements Hook {
            public Exec {
                command = List.copyOf(command);
            }
        }
    }
}
