package io.jenkins.plugins.progressive.cli.snapshot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.hosts.snapshot.HostObjects;
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
    "Without include.namespaces the target's namespace is taken. A local or endpoints target's snapshot holds its",
    "router configuration (HAProxy servers, nginx upstream file) and its instances.",
    "Prints the new snapshot's id as its last line."})
final class CreateCommand extends SnapshotSubcommand {

    @Parameters(paramLabel = "SPEC", description = "The spec file (.yaml, .yml or .json).")
    Path file;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    HostOptions host;

    @Option(names = "--exclude-secrets", description = "Leave Secrets out instead of requiring an encryption key.")
    boolean excludeSecrets;

    @Override
    int run() throws Exception {
        storeOptions.spec = file;
        SnapshotSubject subject = subject().orElseThrow();
        SnapshotSpec s = subject.snapshot();
        String storeUri = storeOptions.store != null ? storeOptions.store : s.store();
        CaptureOptions options = CaptureOptions.forRollout(subject.name()).withExcludeSecrets(excludeSecrets);
        Manifest m;
        SnapshotStore store;
        if (subject.target() instanceof Target.Kubernetes target) {
            SnapshotSpec spec = s.withSelection(storeUri,
                    s.includeNamespaces().isEmpty() ? List.of(target.namespace()) : s.includeNamespaces(),
                    s.includeKinds(), s.labelSelector(), s.excludeKinds());
            store = store();
            try (KubernetesClient client = cluster.connect()) {
                m = Snapshots.capture(new ClusterObjects(client), spec, store, keys(), options.withHooks(
                        RestoreOptions.DEFAULT_HOOK_TIMEOUT, Optional.of(new PodExecHook(client, target.namespace()))));
            }
        } else {
            HostObjects.validate(subject.target(), subject.traffic(), s);
            store = store();
            m = Snapshots.capture(host.objects(subject), s.withSelection(storeUri, List.of(), List.of(),
                    Optional.empty(), List.of()), store, keys(), options);
        }
        print(m, store.describe());
        return Exit.SUCCEEDED;
    }

    private void print(Manifest m, String store) throws Exception {
        if (json()) {
            ObjectNode doc = JSON.createObjectNode().put("id", m.id()).put("name", m.name())
                    .put("createdAt", m.createdAt().toString()).put("source", m.source()).put("store", store)
                    .put("objects", m.objects().size()).put("hookFiles", m.hooks().size());
            ObjectNode counts = doc.putObject("counts");
            m.counts().forEach(counts::put);
            printJson(doc);
        } else {
            out().println("snapshot of " + m.name() + " from " + m.source() + " into " + store);
            m.counts().forEach((k, n) -> out().println("  " + k + ": " + n));
            out().println("  " + m.objects().size() + " objects, " + m.hooks().size() + " hook files");
            out().println(m.id());
        }
    }
}
