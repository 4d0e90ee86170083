package io.jenkins.plugins.progressive.cli.snapshot;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import java.util.Locale;
import picocli.CommandLine.Command;

@Command(mixinStandardHelpOptions = true, name = "list", description = "List the snapshots in the store, oldest first (a damaged manifest is marked).")
final class ListCommand extends SnapshotSubcommand {

    @Override
    int run() throws Exception {
        SnapshotStore store = store();
        // Read the store before printing anything: a store that fails leaves no half table behind.
        java.util.List<String> ids = store.manifestIds();
        ArrayNode docs = JSON.createArrayNode();
        if (!json()) {
            out().println(String.format(Locale.ROOT, "%-28s %-20s %-24s %8s  %s", "ID", "NAME", "CREATED", "OBJECTS",
                    "SOURCE"));
        }
        for (String id : ids) {
            try {
                Manifest m = Snapshots.show(store, id);
                if (json()) {
                    ObjectNode d = docs.addObject().put("id", id).put("name", m.name())
                            .put("createdAt", m.createdAt().toString()).put("createdBy", m.createdBy())
                            .put("source", m.source()).put("objects", m.objects().size())
                            .put("hookFiles", m.hooks().size());
                    ObjectNode counts = d.putObject("counts");
                    m.counts().forEach(counts::put);
                } else {
                    out().println(String.format(Locale.ROOT, "%-28s %-20s %-24s %8d  %s", id, m.name(),
                            m.createdAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                            m.objects().size(), m.source()));
                }
            } catch (SnapshotException e) {
                if (json()) {
                    docs.addObject().put("id", id).put("damaged", e.getMessage());
                } else {
                    out().println(String.format(Locale.ROOT, "%-28s DAMAGED: %s", id, e.getMessage()));
                }
            }
        }
        if (json()) {
            printJson(docs);
        }
        return Exit.SUCCEEDED;
    }
}
