package io.jenkins.plugins.progressive.snapshot;

/**
 * Opens stores of one URI scheme. Modules that bring a store (for example {@code s3://} in the s3
 * module) register an implementation in {@code META-INF/services}, so core needs none of their libraries.
 */
public interface SnapshotStoreFactory {

    /** The scheme handled, without colon: {@code s3}. */
    String scheme();

    /** Opens the store; throws {@link IllegalArgumentException} naming {@code snapshot.store} for a bad URI. */
    SnapshotStore open(String uri);
}
