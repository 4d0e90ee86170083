package io.jenkins.plugins.progressive.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A pack of {@link DirectorySnapshotStore}: {@code packs/<id>.pack} holds blobs back to back, and its index
 * {@code packs/<id>.idx} says where each one is: {@code "PROGIDX1" | int count | long packLength |
 * count × (32-byte address, long offset, int length) | sha256 of everything before}. Ids sort by creation
 * time and carry a random part, so concurrent writers never collide.
 */
final class Pack {

    static final String PACK_SUFFIX = ".pack";
    static final String INDEX_SUFFIX = ".idx";

    private static final byte[] MAGIC = "PROGIDX1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 4 + 8;
    private static final int ENTRY = 32 + 8 + 4;
    private static final int CHECKSUM = 32;
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    final String id;
    final long packLength;
    final String[] addresses;
    final long[] offsets;
    final int[] lengths;

    private Pack(String id, long packLength, String[] addresses, long[] offsets, int[] lengths) {
        this.id = id;
        this.packLength = packLength;
        this.addresses = addresses;
        this.offsets = offsets;
        this.lengths = lengths;
    }

    int size() {
        return addresses.length;
    }

    static boolean isId(String name) {
        return name.matches("[0-9]{8}T[0-9]{12}Z-[0-9a-f]{16}");
    }

    /** Parses an index file's bytes; a damaged index is refused with a message naming it. */
    static Pack readIndex(String id, byte[] bytes) {
        String damaged = "pack index packs/" + id + INDEX_SUFFIX + " ";
        if (bytes.length < HEADER + CHECKSUM || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new SnapshotIntegrityException(damaged + "is not a pack index (it was changed or damaged)");
        }
        byte[] sum = Canonical.digest().digest(Arrays.copyOf(bytes, bytes.length - CHECKSUM));
        if (!Arrays.equals(sum, 0, CHECKSUM, bytes, bytes.length - CHECKSUM, bytes.length)) {
            throw new SnapshotIntegrityException(damaged + "does not match its sha256 (it was changed or damaged)");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, MAGIC.length, bytes.length - MAGIC.length - CHECKSUM);
        int count = in.getInt();
        long packLength = in.getLong();
        if (count < 0 || in.remaining() != (long) count * ENTRY) {
            throw new SnapshotIntegrityException(damaged + "has a wrong length (it was changed or damaged)");
        }
        String[] addresses = new String[count];
        long[] offsets = new long[count];
        int[] lengths = new int[count];
        byte[] address = new byte[32];
        for (int i = 0; i < count; i++) {
            in.get(address);
            addresses[i] = HEX.formatHex(address);
            offsets[i] = in.getLong();
            lengths[i] = in.getInt();
            if (offsets[i] < 0 || lengths[i] < 0 || offsets[i] + lengths[i] > packLength) {
                throw new SnapshotIntegrityException(damaged + "points outside its pack (it was changed or damaged)");
            }
        }
        return new Pack(id, packLength, addresses, offsets, lengths);
    }

    private byte[] indexBytes() {
        ByteBuffer out = ByteBuffer.allocate(HEADER + size() * ENTRY + CHECKSUM);
        out.put(MAGIC).putInt(size()).putLong(packLength);
        for (int i = 0; i < size(); i++) {
            out.put(HEX.parseHex(addresses[i])).putLong(offsets[i]).putInt(lengths[i]);
        }
        MessageDigest sha = Canonical.digest();
        sha.update(out.array(), 0, out.position());
        out.put(sha.digest());
        return out.array();
    }

    /**
     * Writes one pack: blobs go to a temporary file as they come (only their positions stay in memory);
     * {@link #commit} flushes it and its index, renames both into place (pack first) and flushes the folder,
     * so an index is never visible before the blobs it names are durable.
     */
    static final class Writer implements AutoCloseable {
        private static final int BUFFER = 1 << 20;

        private final Path dir;
        private final String tmp;
        private final Path tmpPack;
        private final Path tmpIndex;
        private FileChannel out;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        private long written;
        private final List<String> addresses = new ArrayList<>();
        private final List<long[]> positions = new ArrayList<>();

        Writer(Path dir) {
            this.dir = dir;
            this.tmp = ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
            this.tmpPack = dir.resolve(tmp + PACK_SUFFIX);
            this.tmpIndex = dir.resolve(tmp + INDEX_SUFFIX);
        }

        void add(String address, byte[] bytes) throws IOException {
            if (out == null) {
                Files.createDirectories(dir);
                out = FileChannel.open(tmpPack, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
            }
            addresses.add(address);
            positions.add(new long[] {written, bytes.length});
            written += bytes.length;
            if (bytes.length > buffer.remaining()) {
                drain();
                if (bytes.length > buffer.remaining()) {
                    writeFully(out, ByteBuffer.wrap(bytes));
                    return;
                }
            }
            buffer.put(bytes);
        }

        /** Makes the pack and its index durable under their real names; returns the pack, or null when empty. */
        Pack commit() throws IOException {
            if (out == null) {
                return null;
            }
            drain();
            out.force(true);
            out.close();
            String[] a = addresses.toArray(String[]::new);
            long[] offsets = new long[a.length];
            int[] lengths = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                offsets[i] = positions.get(i)[0];
                lengths[i] = (int) positions.get(i)[1];
            }
            // named when complete: of two copies of one address, the later is the one read
            String id = ID_TIME.format(Instant.now()) + "-" + String.format("%016x", ThreadLocalRandom.current().nextLong());
            Pack pack = new Pack(id, written, a, offsets, lengths);
            try (FileChannel index = FileChannel.open(tmpIndex, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                writeFully(index, ByteBuffer.wrap(pack.indexBytes()));
                index.force(true);
            }
            move(tmpPack, dir.resolve(id + PACK_SUFFIX));
            move(tmpIndex, dir.resolve(id + INDEX_SUFFIX));
            DirectorySnapshotStore.force(dir, false);
            return pack;
        }

        private void drain() throws IOException {
            buffer.flip();
            writeFully(out, buffer);
            buffer.clear();
        }

        /** Discards an uncommitted pack. */
        @Override
        public void close() throws IOException {
            if (out != null) {
                out.close();
            }
            Files.deleteIfExists(tmpPack);
            Files.deleteIfExists(tmpIndex);
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }
}
