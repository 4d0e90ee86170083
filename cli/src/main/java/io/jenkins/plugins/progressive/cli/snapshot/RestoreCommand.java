package io.jenkins.plugins.progressive.cli.snapshot;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.cli.ClusterOptions;
import io.jenkins.plugins.progressive.kubernetes.snapshot.ClusterObjects;
import io.jenkins.plugins.progressive.kubernetes.snapshot.PodExecHook;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.RestorePlan;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotIntegrityException;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.SnapshotSubject;
import io.jenkins.plugins.progressive.spec.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(mixinStandardHelpOptions = true, name = "restore", description = {"Restore a snapshot into the cluster, in dependency order.",
    "Every checksum is verified first: a damaged snapshot is refused (exit 2) before anything is changed.",
    "Missing namespaces are created. With --spec, its snapshot.hooks.restore run after the objects."})
final class RestoreCommand extends SnapshotSubcommand {

    @Parameters(paramLabel = "ID")
    String id;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--map-namespace", paramLabel = "FROM=TO",
            description = "Restore the objects of namespace FROM into TO (repeatable), e.g. prod=standby.")
    List<String> mappings = List.of();

    @Option(names = "--existing", paramLabel = "POLICY", defaultValue = "skip",
            description = "What to do with objects that exist: skip (default), update or replace.")
    String existing;

    @Option(names = "--dry-run", description = "Print the plan (create/skip/update/replace per object); change nothing.")
    boolean dryRun;

    @Override
    int run() throws Exception {
        Map<String, String> map = new LinkedHashMap<>();
        for (String m : mappings) {
            Map.Entry<String, String> e = RestoreOptions.parseMapping(m);
            if (map.put(e.getKey(), e.getValue()) != null) {
                throw new IllegalArgumentException("--map-namespace: namespace " + e.getKey() + " is mapped twice");
            }
        }
        RestoreOptions options = RestoreOptions.defaults().withNamespaceMap(map)
                .withExisting(RestoreOptions.Existing.parse(existing, "--existing")).withDryRun(dryRun);
        SnapshotStore store = store();
        KeyProvider keys = keys();
        Optional<SnapshotSubject> subject = subject();
        RestorePlan plan;
        try (KubernetesClient client = cluster.connect()) {
            if (subject.isPresent() && subject.get().target() instanceof Target.Kubernetes k) {
                String ns = map.getOrDefault(k.namespace(), k.namespace());
                options = options.withHooks(subject.get().snapshot().restoreHooks(), RestoreOptions.DEFAULT_HOOK_TIMEOUT,
                        Optional.of(new PodExecHook(client, ns)));
            }
            try {
                plan = Snapshots.restore(store, id, keys, options, new ClusterObjects(client));
            } catch (SnapshotIntegrityException e) {
                throw e;
            } catch (SnapshotException e) {
                if (e.getCause() != null || e.getMessage().startsWith("snapshot.hooks.restore")) {
                    // Objects were written before it stopped: a person decides; running it again is safe.
                    err().println(e.getMessage());
                    return Exit.NEEDS_PERSON;
                }
                throw e;
            }
        }
        if (json()) {
            ObjectNode doc = JSON.createObjectNode().put("snapshot", plan.snapshotId()).put("dryRun", dryRun);
            ObjectNode counts = doc.putObject("counts");
            plan.counts().forEach((a, n) -> counts.put(a.name().toLowerCase(Locale.ROOT), n));
            ArrayNode steps = doc.putArray("steps");
            plan.steps().forEach(s -> steps.addObject().put("action", s.action().name().toLowerCase(Locale.ROOT))
                    .put("object", s.key().toString()).put("addedNamespace", s.added()));
            printJson(doc);
        } else {
            out().print(plan.render());
            out().println(dryRun ? "dry run: nothing was changed" : "restored snapshot " + plan.snapshotId());
        }
        return Exit.SUCCEEDED;
    }
}
