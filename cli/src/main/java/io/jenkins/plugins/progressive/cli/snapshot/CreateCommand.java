package io.jenkins.plugins.progressive.cli.snapshot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.cli.ClusterOptions;
import io.jenkins.plugins.progressive.kubernetes.snapshot.ClusterObjects;
import io.jenkins.plugins.progressive.kubernetes.snapshot.PodExecHook;
import io.jenkins.plugins.progressive.snapshot.CaptureOptions;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSubject;
import io.jenkins.plugins.progressive.spec.Target;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(mixinStandardHelpOptions = true, name = "create", description = {"Snapshot what a spec names (only name, target and snapshot are needed).",
    "Without include.namespaces the target's namespace is taken. Prints the new snapshot's id as its last line."})
final class CreateCommand extends SnapshotSubcommand {

    @Parameters(paramLabel = "SPEC", description = "The spec file (.yaml, .yml or .json).")
    Path file;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--exclude-secrets", description = "Leave Secrets out instead of requiring an encryption key.")
    boolean excludeSecrets;

    @Override
    int run() throws Exception {
        storeOptions.spec = file;
        SnapshotSubject subject = subject().orElseThrow();
        if (!(subject.target() instanceof Target.Kubernetes target)) {
            throw new IllegalArgumentException("target: snapshot create supports kubernetes targets only; this spec's "
                    + "target is " + subject.target().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
        }
        SnapshotSpec s = subject.snapshot();
        SnapshotSpec spec = new SnapshotSpec(true, storeOptions.store != null ? storeOptions.store : s.store(),
                s.includeNamespaces().isEmpty() ? List.of(target.namespace()) : s.includeNamespaces(), s.includeKinds(),
                s.labelSelector(), s.excludeKinds(), s.encryptionKey(), s.preHooks(), s.restoreHooks());
        SnapshotStore store = store();
        Manifest m;
        try (KubernetesClient client = cluster.connect()) {
            m = Snapshots.capture(new ClusterObjects(client), spec, store, keys(),
                    CaptureOptions.forRollout(subject.name()).withExcludeSecrets(excludeSecrets)
                            .withHooks(RestoreOptions.DEFAULT_HOOK_TIMEOUT,
                                    Optional.of(new PodExecHook(client, target.namespace()))));
        }
        if (json()) {
            ObjectNode doc = JSON.createObjectNode().put("id", m.id()).put("name", m.name())
                    .put("createdAt", m.createdAt().toString()).put("source", m.source()).put("store", store.describe())
                    .put("objects", m.objects().size()).put("hookFiles", m.hooks().size());
            ObjectNode counts = doc.putObject("counts");
            m.counts().forEach(counts::put);
            printJson(doc);
        } else {
            out().println("snapshot of " + m.name() + " from " + m.source() + " into " + store.describe());
            m.counts().forEach((k, n) -> out().println("  " + k + ": " + n));
            out().println("  " + m.objects().size() + " objects, " + m.hooks().size() + " hook files");
            out().println(m.id());
        }
        return Exit.SUCCEEDED;
    }
}
