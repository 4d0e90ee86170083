package io.jenkins.plugins.progressive.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** For tests that damage a directory store on disk: where a blob is, in a pack or a loose file. */
public final class StoredBlobs {

    private StoredBlobs() {
    }

    /** Changes a stored blob's bytes in place (same length), wherever it is stored. */
    public static void rewrite(DirectorySnapshotStore store, String address, UnaryOperator<byte[]> change)
            throws IOException {
        DirectorySnapshotStore.Location at = store.locate(address);
        Path file = at == null ? store.blob(address) : store.packFile(at.pack(), Pack.PACK_SUFFIX);
        long offset = at == null ? 0 : at.offset();
        int length = at == null ? (int) Files.size(file) : at.length();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.allocate(length);
            ch.read(bytes, offset);
            byte[] changed = change.apply(bytes.array());
            if (changed.length != length) {
                throw new IllegalArgumentException("a blob rewritten in place keeps its length");
            }
            ch.write(ByteBuffer.wrap(changed), offset);
        }
    }

    /** Flips bits of one byte of a stored blob ({@code position} from its start). */
    public static void flip(DirectorySnapshotStore store, String address, int position, int bits) throws IOException {
        rewrite(store, address, b -> {
            b[position] ^= (byte) bits;
            return b;
        });
    }

    /** How long a stored blob is. */
    public static int length(DirectorySnapshotStore store, String address) {
        return store.getBlob(address).orElseThrow().length;
    }

    /** The index file of the pack holding {@code address}. */
    public static Path indexOf(DirectorySnapshotStore store, String address) {
        return store.packFile(store.locate(address).pack(), Pack.INDEX_SUFFIX);
    }

    /** Every file that holds blobs (packs, their indexes, loose blobs), sorted. */
    public static List<Path> files(DirectorySnapshotStore store) throws IOException {
        try (Stream<Path> walk = Files.walk(store.root())) {
            return walk.filter(Files::isRegularFile).filter(f -> !f.getParent().getFileName().toString().equals("manifests"))
                    .sorted().toList();
        }
    }
}
