package io.jenkins.plugins.progressive.cli.snapshot;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.hosts.snapshot.HostObjects;
import io.jenkins.plugins.progressive.cli.ClusterOptions;
import io.jenkins.plugins.progressive.kubernetes.snapshot.ClusterObjects;
import io.jenkins.plugins.progressive.kubernetes.snapshot.PodExecHook;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.ObjectSink;
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
    "With --spec of a local or endpoints target: put back its router configuration (use --existing update) and",
    "start instances that are gone; what cannot be put back is listed and exits 4.",
    "Every checksum is verified first: a damaged snapshot is refused (exit 2) before anything is changed.",
    "Missing namespaces are created. With --spec, its snapshot.hooks.restore run after the objects."})
final class RestoreCommand extends SnapshotSubcommand {

    @Parameters(paramLabel = "ID")
    String id;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    HostOptions host;

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
        List<String> notPutBack = List.of();
        if (subject.isPresent() && !(subject.get().target() instanceof Target.Kubernetes)) {
            if (!map.isEmpty()) {
                throw new IllegalArgumentException("--map-namespace: a target." + hostKind(subject.get().target())
                        + " has no namespaces");
            }
            HostObjects objects = host.objects(subject.get());
            plan = restore(store, keys, options.withHooks(subject.get().snapshot().restoreHooks(),
                    RestoreOptions.DEFAULT_HOOK_TIMEOUT, Optional.empty()), objects);
            notPutBack = objects.notes();
        } else {
            try (KubernetesClient client = cluster.connect()) {
                if (subject.isPresent() && subject.get().target() instanceof Target.Kubernetes k) {
                    String ns = map.getOrDefault(k.namespace(), k.namespace());
                    options = options.withHooks(subject.get().snapshot().restoreHooks(),
                            RestoreOptions.DEFAULT_HOOK_TIMEOUT, Optional.of(new PodExecHook(client, ns)));
                }
                plan = restore(store, keys, options, new ClusterObjects(client));
            }
        }
        if (plan == null) {
            return Exit.NEEDS_PERSON;
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
        if (!notPutBack.isEmpty()) {
            err().println("not put back as the snapshot holds it (a person decides):");
            notPutBack.forEach(n -> err().println("  " + n));
            return Exit.NEEDS_PERSON;
        }
        return Exit.SUCCEEDED;
    }

    /** The restore; null when it stopped part way (reported on standard error). */
    private RestorePlan restore(SnapshotStore store, KeyProvider keys, RestoreOptions options, ObjectSink sink) {
        try {
            return Snapshots.restore(store, id, keys, options, sink);
        } catch (SnapshotIntegrityException e) {
            throw e;
        } catch (SnapshotException e) {
            if (e.getCause() != null || e.getMessage().startsWith("snapshot.hooks.restore")) {
                // Objects were written before it stopped: a person decides; running it again is safe.
                err().println(e.getMessage());
                return null;
            }
            throw e;
        }
    }

    private static String hostKind(Target t) {
        return t instanceof Target.Local ? "local" : "endpoints";
    }
}
