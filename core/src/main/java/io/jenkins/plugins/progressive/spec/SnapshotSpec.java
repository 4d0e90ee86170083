package io.jenkins.plugins.progressive.spec;

import java.util.List;
import java.util.Optional;

/**
 * What a rollout snapshots before its first action, where the snapshot goes and how Secrets are sealed.
 *
 * @param store {@code file:<dir>} or {@code s3://bucket/prefix?endpoint=...&region=...}
 * @param includeKinds empty means every discovered kind minus the default exclusions
 * @param encryptionKey where the 32-byte base64 key is read from; never the key itself
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
        List<Hook> restoreHooks) {

    public static final String DEFAULT_STORE = "file:.progressive/snapshots";
    public static final SnapshotSpec DISABLED = new SnapshotSpec(false, DEFAULT_STORE, List.of(), List.of(),
            Optional.empty(), List.of(), Optional.empty(), List.of(), List.of());

    public SnapshotSpec {
        includeNamespaces = List.copyOf(includeNamespaces);
        includeKinds = List.copyOf(includeKinds);
        excludeKinds = List.copyOf(excludeKinds);
        preHooks = List.copyOf(preHooks);
        restoreHooks = List.copyOf(restoreHooks);
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
