package io.jenkins.plugins.progressive.cli.snapshot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.snapshot.PruneResult;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(mixinStandardHelpOptions = true, name = "prune", description = {"Delete old snapshots, then the blobs no remaining snapshot uses.",
    "Per rollout name a snapshot is kept when it is among the last N or younger than the age.",
    "Do not prune while a capture into the same store is running."})
final class PruneCommand extends SnapshotSubcommand {

    @Option(names = "--keep-last", paramLabel = "N", description = "Keep the last N snapshots of each name.")
    Integer keepLast;

    @Option(names = "--max-age", paramLabel = "AGE", description = "Keep snapshots younger than AGE (500ms, 30s, 2m, 1h, 30d).")
    String maxAge;

    @Override
    int run() throws Exception {
        Optional<Duration> age = maxAge == null ? Optional.empty() : Optional.of(Snapshots.parseAge(maxAge, "--max-age"));
        PruneResult r = Snapshots.prune(store(), Optional.ofNullable(keepLast), age, Instant.now());
        if (json()) {
            ObjectNode doc = JSON.createObjectNode();
            r.deletedSnapshots().forEach(doc.putArray("deletedSnapshots")::add);
            doc.put("deletedBlobs", r.deletedBlobs()).put("keptSnapshots", r.keptSnapshots());
            printJson(doc);
        } else {
            r.deletedSnapshots().forEach(id -> out().println("deleted " + id));
            out().println(r.deletedSnapshots().size() + " snapshots deleted, " + r.deletedBlobs() + " blobs deleted, "
                    + r.keptSnapshots() + " snapshots kept");
        }
        return Exit.SUCCEEDED;
    }
}
