package io.jenkins.plugins.progressive.snapshot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot read back and verified: every blob matched its sha256 (and decrypted under the right key)
 * before this object exists, so whatever uses it never sees half-good data.
 */
public final class SnapshotContents {

    /** One object as captured; {@code object} is empty only for a sealed object read without its key (diff). */
    public record Item(Manifest.Entry entry, Optional<ObjectNode> object) {
        public ObjectKey key() {
            return entry.key();
        }

        /** Without the object: it may be a Secret. */
        @Override
        public String toString() {
            return key() + (entry.encrypted() ? " (encrypted)" : "");
        }
    }

    private final Manifest manifest;
    private final List<Item> items;
    private final Map<String, byte[]> hookFiles;

    private SnapshotContents(Manifest manifest, List<Item> items, Map<String, byte[]> hookFiles) {
        this.manifest = manifest;
        this.items = List.copyOf(items);
        this.hookFiles = Collections.unmodifiableMap(hookFiles);
    }

    public Manifest manifest() {
        return manifest;
    }

    public List<Item> items() {
        return items;
    }

    @Override
    public String toString() {
        return "SnapshotContents[" + manifest.id() + ", " + items.size() + " objects, " + hookFiles.size() + " hook files]";
    }

    /** The pre hooks' files by relative path. */
    public Map<String, byte[]> hookFiles() {
        return hookFiles;
    }

    /** Reads and verifies a whole snapshot; sealed objects need the key the snapshot was taken with. */
    static SnapshotContents load(SnapshotStore store, String id, KeyProvider keys) {
        return load(store, readManifest(store, id), keys, true);
    }

    static Manifest readManifest(SnapshotStore store, String id) {
        SnapshotStore.requireManifestId(id);
        byte[] bytes = store.getManifest(id).orElseThrow(() -> new SnapshotException(
                "snapshot " + id + " is not in " + store.describe()));
        Manifest m = Manifest.parse(id, bytes);
        if (!m.id().equals(id) || !m.checksumMatches()) {
            throw new SnapshotIntegrityException("snapshot " + id + ": the manifest does not match its sha256 "
                    + "(it was changed or damaged after the snapshot was taken); refusing it");
        }
        return m;
    }

    /**
     * @param requireKey false lets {@code diff} read a snapshot without its key: sealed objects are then
     *                   checked for presence only, and their content stays empty
     */
    static SnapshotContents load(SnapshotStore store, Manifest m, KeyProvider keys, boolean requireKey) {
        Optional<SnapshotKey> key = Optional.empty();
        List<String> keyIds = m.keyIds();
        if (!keyIds.isEmpty()) {
            key = keys.key();
            if (key.isEmpty() && requireKey) {
                throw new SnapshotException("snapshot " + m.id() + " holds encrypted objects (key id "
                        + String.join(", ", keyIds) + "); supply that key (snapshot.encryptionKey, or PROGRESSIVE_SNAPSHOT_KEY)");
            }
            if (key.isPresent() && !keyIds.equals(List.of(key.get().id()))) {
                throw new SnapshotException("snapshot " + m.id() + " was encrypted with key id " + String.join(", ", keyIds)
                        + ", but the key supplied has id " + key.get().id() + "; supply the key the snapshot was taken with");
            }
        }
        List<Item> items = new ArrayList<>();
        for (Manifest.Entry e : m.objects()) {
            String what = "snapshot " + m.id() + ": " + e.key();
            byte[] blob = blob(store, what, e.blob()).orElseThrow(() -> new SnapshotIntegrityException(what
                    + ": its blob " + e.blob() + " is missing from " + store.describe()));
            if (e.encrypted() && key.isEmpty()) {
                items.add(new Item(e, Optional.empty()));
                continue;
            }
            byte[] plain = plaintext(what, e.key().id(), e.sha256(), e.blob(), e.encrypted(), blob, key);
            ObjectNode object;
            try {
                object = Canonical.parseObject(plain);
            } catch (IOException ex) {
                throw new SnapshotIntegrityException(what + ": the stored object is not JSON");
            }
            if (!ObjectKey.of(object).equals(e.key())) {
                throw new SnapshotIntegrityException(what + ": the stored object is " + ObjectKey.of(object));
            }
            items.add(new Item(e, Optional.of(object)));
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (Manifest.HookFile h : m.hooks()) {
            String what = "snapshot " + m.id() + ": hook file " + Hooks.requireFileName(h.name());
            byte[] blob = blob(store, what, h.blob())
                    .orElseThrow(() -> new SnapshotIntegrityException(what + ": its blob " + h.blob() + " is missing"));
            if (h.encrypted() && key.isEmpty()) {
                continue;
            }
            files.put(h.name(), plaintext(what, hookAad(h.name()), h.sha256(), h.blob(), h.encrypted(), blob, key));
        }
        return new SnapshotContents(m, items, files);
    }

    /** A store that cannot read a blob (a damaged pack index) says why; the message then names the object too. */
    private static Optional<byte[]> blob(SnapshotStore store, String what, String address) {
        try {
            return store.getBlob(SnapshotStore.requireAddress(address));
        } catch (SnapshotIntegrityException e) {
            throw new SnapshotIntegrityException(what + ": " + e.getMessage() + "; refusing the snapshot");
        }
    }

    static String hookAad(String name) {
        return "hook-file/" + name;
    }

    private static byte[] plaintext(String what, String aad, String sha256, String address, boolean encrypted,
            byte[] blob, Optional<SnapshotKey> key) {
        byte[] plain;
        if (encrypted) {
            try {
                plain = Sealing.open(key.orElseThrow(), aad, blob);
            } catch (GeneralSecurityException ex) {
                throw new SnapshotIntegrityException(what + ": the encrypted blob fails authentication "
                        + "(it was changed or damaged); refusing the snapshot");
            }
            if (!Sealing.address(key.get(), aad, plain).equals(address)) {
                throw new SnapshotIntegrityException(what + ": the encrypted blob is stored under the wrong address");
            }
        } else {
            plain = blob;
            if (!sha256.equals(address)) {
                throw new SnapshotIntegrityException(what + ": the manifest names blob " + address + " for sha256 " + sha256);
            }
        }
        if (!Canonical.sha256(plain).equals(sha256)) {
            throw new SnapshotIntegrityException(what + ": the stored content does not match its sha256 "
                    + "(it was changed or damaged); refusing the snapshot");
        }
        return plain;
    }
}
