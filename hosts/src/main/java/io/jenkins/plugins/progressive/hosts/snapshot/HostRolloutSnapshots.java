package io.jenkins.plugins.progressive.hosts.snapshot;

import io.jenkins.plugins.progressive.rollout.RolloutSnapshots;
import io.jenkins.plugins.progressive.snapshot.CaptureOptions;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.SnapshotContents;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.SnapshotStores;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.nio.file.Path;

/**
 * The pre-rollout snapshot of a {@code local} or {@code endpoints} target: the router's configuration and
 * the instances (see {@link HostObjects}).
 *
 * <p>Rollback restores the router's configuration from it, once traffic is back on stable and the new
 * version is scaled down — but only when every server it lists still answers: when the stable instances
 * were replaced during the rollout (promotion had begun), the snapshot's addresses are gone, and the router
 * as the rollback left it (all traffic on the stable instances that run now) is kept. Rollback does not
 * start instances (the workload has just brought stable back); an explicit {@code snapshot restore} does.
 */
public final class HostRolloutSnapshots implements RolloutSnapshots {

    private final RolloutSpec spec;
    private final HostObjects objects;
    private final KeyProvider keys;
    private final Path baseDir;

    /** @param baseDir what a relative {@code file:} store is relative to */
    public HostRolloutSnapshots(RolloutSpec spec, HostObjects objects, KeyProvider keys, Path baseDir) {
        this.spec = spec;
        this.objects = objects;
        this.keys = keys;
        this.baseDir = baseDir;
    }

    @Override
    public String capture(RolloutSpec rollout) {
        SnapshotSpec snapshot = rollout.snapshot();
        try {
            HostObjects.validate(rollout.target(), rollout.traffic(), snapshot);
        } catch (InvalidSpecException e) {
            throw new SnapshotException(e.getMessage());
        }
        SnapshotStore store = SnapshotStores.open(snapshot.store(), baseDir);
        Manifest m = Snapshots.capture(objects, snapshot, store, keys,
                CaptureOptions.forRollout(rollout.name())
                        .withCreatedBy("progressive rollout " + rollout.name() + " " + rollout.version()));
        return Snapshots.reuseIfUnchanged(store, m);
    }

    @Override
    public void restore(String snapshotId) {
        SnapshotStore store = SnapshotStores.open(spec.snapshot().store(), baseDir);
        SnapshotContents contents = Snapshots.load(store, snapshotId, keys);
        boolean serversAnswer = contents.items().stream()
                .filter(i -> i.key().group().equals(HostObjects.ROUTERS))
                .flatMap(i -> i.object().stream())
                .flatMap(o -> HostObjects.serverAddresses(o).stream())
                .allMatch(HostObjects::answers);
        if (!serversAnswer) {
            return;
        }
        Snapshots.restore(store, snapshotId, keys, RestoreOptions.defaults()
                .withExisting(RestoreOptions.Existing.UPDATE)
                .withObjects(k -> k.group().equals(HostObjects.ROUTERS)), objects);
    }
}
