package io.jenkins.plugins.progressive.engine;

import hudson.AbortException;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotKey;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.SnapshotStores;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How the controller reaches a snapshot's store, key and hooks. The engine runs on the controller, so:
 * <ul>
 * <li>a relative {@code file:} store is relative to the build's workspace, which must then be on the controller's
 * own file system; otherwise the store is an absolute path on the controller or {@code s3://} (when the
 * progressive-s3 module is on the plugin's class path);</li>
 * <li>the key is a Jenkins credential ({@code encryptionKeyCredentialsId}: secret text or secret file, 32 bytes in
 * base64), read in the build's context when a Secret is met; the spec's {@code encryptionKey: {env|file}} would be
 * read from the controller's environment and disk, so it is refused here;</li>
 * <li>{@code local} hooks would run on the controller, which no build may do: they are refused, and {@code exec}
 * hooks (a command in a pod of the target's namespace) run through the API server.</li>
 * </ul>
 */
final class SnapshotSetup {

    static final String KEY_OPTION = "encryptionKeyCredentialsId";

    private SnapshotSetup() {
    }

    /** Refuses what cannot run on the controller before anything is changed: local hooks, an unreachable store. */
    static void check(String function, SnapshotSpec spec, Map<String, String> options) throws AbortException {
        List<String> problems = new ArrayList<>();
        hooks(spec.preHooks(), "snapshot.hooks.pre", problems);
        hooks(spec.postHooks(), "snapshot.hooks.post", problems);
        hooks(spec.restoreHooks(), "snapshot.hooks.restore", problems);
        try {
            location(spec.store(), options);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new AbortException(function + ": " + (problems.size() == 1 ? "1 problem" : problems.size()
                    + " problems") + ", nothing was changed:\n  - " + String.join("\n  - ", problems));
        }
    }

    private static void hooks(List<SnapshotSpec.Hook> hooks, String path, List<String> problems) {
        for (int i = 0; i < hooks.size(); i++) {
            if (hooks.get(i) instanceof SnapshotSpec.Hook.Local) {
                problems.add(path + "[" + i + "].local: local hooks would run on the Jenkins controller, which a build"
                        + " must not do; use an exec hook (a command in a pod: {exec: {pod, container, command}}) or"
                        + " run the command in an sh step on the agent before the snapshot");
            }
        }
    }

    /** Opens the spec's store as the controller sees it. */
    static SnapshotStore open(String uri, Map<String, String> options) {
        return SnapshotStores.open(uri, location(uri, options));
    }

    /** What a {@code file:} store is relative to (the workspace), after checking that the controller can reach it. */
    static Path location(String uri, Map<String, String> options) {
        if (uri == null || !uri.startsWith("file:")) {
            return Path.of("");
        }
        String path = uri.substring("file:".length());
        path = path.startsWith("//") ? path.substring(2) : path;
        if (path.startsWith("/")) {
            return Path.of("");
        }
        if (Arrays.asList(path.replace('\\', '/').split("/")).contains("..")) {
            throw new IllegalArgumentException("snapshot.store: '" + uri + "' leaves the workspace ('..'); give a"
                    + " path inside it, an absolute path on the controller (file:/var/lib/snapshots) or s3://…");
        }
        String workspace = options.getOrDefault(RolloutDriver.Request.WORKSPACE, "");
        if (workspace.isEmpty()) {
            throw new IllegalArgumentException("snapshot.store: '" + uri + "' is relative to the workspace, and this"
                    + " build's workspace is not on the controller (or there is none): the controller writes the"
                    + " snapshots, so give an absolute path on the controller (file:/var/lib/snapshots) or an s3://"
                    + " store");
        }
        return Path.of(workspace);
    }

    /**
     * The key of the credential {@code encryptionKeyCredentialsId}, read when first needed through the lookup of
     * the build that drives the work then.
     */
    static KeyProvider keys(Map<String, String> options, SnapshotSpec spec,
            Supplier<RolloutDriver.CredentialLookup> lookup) {
        String id = options.getOrDefault(KEY_OPTION, "");
        if (id.isEmpty()) {
            if (spec.encryptionKey().isEmpty()) {
                return KeyProvider.none();
            }
            return () -> {
                throw new SnapshotException("snapshot.encryptionKey: in Jenkins the snapshot key comes from a"
                        + " credential, not from the controller's environment or disk: give encryptionKeyCredentialsId"
                        + " (a secret text or secret file credential holding 32 bytes in base64)");
            };
        }
        return () -> Optional.of(read(id, lookup.get()));
    }

    private static SnapshotKey read(String id, RolloutDriver.CredentialLookup lookup) {
        String where = KEY_OPTION + " '" + id + "'";
        RolloutDriver.Credential credential;
        try {
            credential = lookup.find(id);
        } catch (IOException e) {
            throw new SnapshotException(KEY_OPTION + ": " + e.getMessage());
        }
        if (credential instanceof RolloutDriver.Credential.Token token) {
            return SnapshotKey.fromBase64(token.value(), where);
        }
        if (credential instanceof RolloutDriver.Credential.File file) {
            return SnapshotKey.fromBase64(new String(file.content(), StandardCharsets.US_ASCII), where);
        }
        throw new SnapshotException(where + ": not a secret text or a secret file credential; the key is 32 random"
                + " bytes in base64 (openssl rand -base64 32) in one of those");
    }
}
