package io.jenkins.plugins.progressive.snapshot;

import java.util.List;

/** What a prune removed: whole snapshots, and the blobs no remaining snapshot references. */
public record PruneResult(List<String> deletedSnapshots, int deletedBlobs, int keptSnapshots) {

    public PruneResult {
        deletedSnapshots = List.copyOf(deletedSnapshots);
    }
}
