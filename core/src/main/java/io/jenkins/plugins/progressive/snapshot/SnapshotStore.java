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
