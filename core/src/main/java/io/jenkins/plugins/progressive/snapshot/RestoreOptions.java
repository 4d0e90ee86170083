package io.jenkins.plugins.progressive.snapshot;

import io.jenkins.plugins.progressive.spec.SnapshotSpec.Hook;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * How to restore.
 *
 * @param namespaceMap source namespace → target namespace ({@code prod=standby}); unlisted namespaces keep their name
 * @param existing what to do with an object that already exists
 * @param dryRun plan only: nothing is written and no hook runs
 * @param objects which of the snapshot's objects to restore (by their key in the snapshot); all by default
 * @param hooks the restore hooks (the spec's {@code snapshot.hooks.restore}), run after the objects
 * @param hookTimeout how long one hook may run
 * @param podExec runs {@code exec} hooks; empty where the platform has no pods
 */
public record RestoreOptions(Map<String, String> namespaceMap, Existing existing, boolean dryRun,
        Predicate<ObjectKey> objects, List<Hook> hooks, Duration hookTimeout, Optional<PodExec> podExec) {

    /** What happens to objects that already exist: Velero's policies. */
    public enum Existing {
        /** Leave the live object alone (the default). */
        SKIP,
        /** Write the snapshot's version over the live object. */
        UPDATE,
        /** Delete the live object, then create the snapshot's version. */
        REPLACE;

        /** {@code skip|update|replace}, for CLI options and step parameters. */
        public static Existing parse(String value, String field) {
            if (value != null) {
                for (Existing e : values()) {
                    if (e.name().equalsIgnoreCase(value.strip())) {
                        return e;
                    }
                }
            }
            throw new IllegalArgumentException(field + ": '" + value + "' is not allowed; allowed: skip, update, replace");
        }
    }

    public static final Duration DEFAULT_HOOK_TIMEOUT = Duration.ofMinutes(10);

    public RestoreOptions {
        namespaceMap = Map.copyOf(namespaceMap);
        hooks = List.copyOf(hooks);
        namespaceMap.forEach((from, to) -> {
            if (from.isBlank() || !to.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
                throw new IllegalArgumentException("namespace mapping '" + from + "=" + to
                        + "': the target must be a valid namespace name (lowercase letters, digits, '-')");
            }
        });
    }

    public static RestoreOptions defaults() {
        return new RestoreOptions(Map.of(), Existing.SKIP, false, k -> true, List.of(), DEFAULT_HOOK_TIMEOUT, Optional.empty());
    }

    public RestoreOptions withNamespaceMap(Map<String, String> map) {
        return new RestoreOptions(map, existing, dryRun, objects, hooks, hookTimeout, podExec);
    }

    public RestoreOptions withExisting(Existing policy) {
        return new RestoreOptions(namespaceMap, policy, dryRun, objects, hooks, hookTimeout, podExec);
    }

    public RestoreOptions withDryRun(boolean dry) {
        return new RestoreOptions(namespaceMap, existing, dry, objects, hooks, hookTimeout, podExec);
    }

    public RestoreOptions withObjects(Predicate<ObjectKey> filter) {
        return new RestoreOptions(namespaceMap, existing, dryRun, filter, hooks, hookTimeout, podExec);
    }

    public RestoreOptions withHooks(List<Hook> restoreHooks, Duration timeout, Optional<PodExec> exec) {
        return new RestoreOptions(namespaceMap, existing, dryRun, objects, restoreHooks, timeout, exec);
    }

    /** Parses {@code prod=standby} as given on the command line. */
    public static Map.Entry<String, String> parseMapping(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new IllegalArgumentException("--map-namespace: '" + text + "' is not FROM=TO (for example prod=standby)");
        }
        return Map.entry(text.substring(0, eq).strip(), text.substring(eq + 1).strip());
    }

    String mapNamespace(String ns) {
        return ns.isEmpty() ? ns : namespaceMap.getOrDefault(ns, ns);
    }
}
