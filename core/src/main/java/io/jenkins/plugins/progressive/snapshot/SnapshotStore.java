package io.jenkins.plugins.progressive.snapshot;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where snapshots live: content-addressed blobs (an object's canonical JSON, a sealed Secret, a hook's
 * file) and one manifest per snapshot. Blobs are immutable: putting an address that exists is a no-op,
 * which is what makes a snapshot of unchanged objects cost nothing but its manifest.
 */
public interface SnapshotStore {

    /** Stores {@code bytes} under {@code address} unless it is already there; true when it wrote. */
    boolean putBlob(String address, byte[] bytes);

    boolean hasBlob(String address);

    Optional<byte[]> getBlob(String address);

    /** Every blob address in the store (for pruning). */
    Set<String> blobAddresses();

    void deleteBlob(String address);

    /**
     * Deletes every blob not in {@code live}; returns how many addresses went. Stores that keep blobs
     * together (packs) rewrite what is partly live.
     */
    default int retainBlobs(Set<String> live) {
        int deleted = 0;
        for (String address : blobAddresses()) {
            if (!live.contains(address)) {
                deleteBlob(address);
                deleted++;
            }
        }
        return deleted;
    }

    /**
     * Starts the blob writes of one capture. What is put becomes durable at {@link BlobBatch#commit()}, before
     * the manifest that names it is written; a batch closed without commit leaves nothing behind (or, in
     * stores without batches, blobs no manifest names, which prune removes).
     */
    default BlobBatch blobBatch() {
        SnapshotStore store = this;
        return new BlobBatch() {
            @Override
            public Optional<byte[]> stored(String address) {
                return store.getBlob(address);
            }

            @Override
            public void put(String address, byte[] bytes) {
                if (!store.putBlob(address, bytes)) { // a damaged copy: replace it
                    store.deleteBlob(address);
                    store.putBlob(address, bytes);
                }
            }

            @Override
            public void commit() {
            }

            @Override
            public void close() {
            }
        };
    }

    /** The blob writes of one capture (see {@link #blobBatch()}). */
    interface BlobBatch extends AutoCloseable {

        /** The copy already stored under {@code address}, to be checked before it is reused; empty if none is readable. */
        Optional<byte[]> stored(String address);

        /** Stores {@code bytes} under {@code address}; a copy already stored there is replaced or shadowed. */
        void put(String address, byte[] bytes);

        /** Makes every blob put durable. */
        void commit();

        /** Ends the batch; without {@link #commit()} its blobs are discarded where the store can. */
        @Override
        void close();
    }

    /** Writes a manifest atomically: readers see the old one, or none, or the whole new one. */
    void putManifest(String id, byte[] json);

    Optional<byte[]> getManifest(String id);

    /** Manifest ids, sorted (ids sort by creation time). */
    List<String> manifestIds();

    void deleteManifest(String id);

    /** Where this store is, for messages: {@code file:/srv/snapshots}, {@code s3://bucket/prefix}. */
    String describe();

    /** A blob address: 64 lowercase hex digits. */
    static String requireAddress(String address) {
        if (address == null || !Patterns.ADDRESS.matcher(address).matches()) {
            throw new IllegalArgumentException("not a blob address (64 lowercase hex digits): " + address);
        }
        return address;
    }

    /** A manifest id: letters, digits, '.', '_' and '-', not starting with '.'. */
    static String requireManifestId(String id) {
        if (id == null || !Patterns.MANIFEST_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a snapshot id (letters, digits, '.', '_', '-'): " + id);
        }
        return id;
    }

    /** Holder for the patterns, so the interface exposes no constants. */
    final class Patterns {
        static final Pattern ADDRESS = Pattern.compile("[0-9a-f]{64}");
        static final Pattern MANIFEST_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

        private Patterns() {
        }
    }
}
