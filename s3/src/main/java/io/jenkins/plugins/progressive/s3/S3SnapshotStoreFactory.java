package io.jenkins.plugins.progressive.s3;

import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.SnapshotStoreFactory;

/** Lets {@code SnapshotStores.open("s3://…")} in core find the S3 store (registered in META-INF/services). */
public final class S3SnapshotStoreFactory implements SnapshotStoreFactory {

    @Override
    public String scheme() {
        return "s3";
    }

    @Override
    public SnapshotStore open(String uri) {
        return S3SnapshotStore.open(uri);
    }
}
