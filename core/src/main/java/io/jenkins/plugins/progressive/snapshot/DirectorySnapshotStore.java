package io.jenkins.plugins.progressive.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A snapshot store in a directory ({@code .progressive/snapshots} by default). Blobs written by a capture go
 * into one pack ({@code packs/<id>.pack}, blobs back to back, with {@code packs/<id>.idx} saying where each
 * one is; see {@link Pack}); blobs larger than {@value #LOOSE_ABOVE} bytes (database dumps) and blobs put
 * one at a time are loose files {@code objects/<sha[0:2]>/<sha>}, as in stores written before packs, which
 * stay readable. {@code manifests/<id>.json} holds the manifests. Every file is written to a temporary
 * name and renamed into place, so a crash never leaves a half file under a real name; packs and loose
 * blobs are flushed before the next manifest is written, so a manifest is only ever durable after every
 * blob it names (one file per blob, each renamed and flushed, made a 10,000-object capture take 5 s).
 *
 * <p>Reads are answered from an in-memory index of every pack index, read again when an address is not
 * found and the packs folder changed (another process may have written a pack). An address in several
 * packs (concurrent captures, or a damaged copy written again) is read from the newest pack, and from a
 * pack before a loose file.
 */
public final class DirectorySnapshotStore implements SnapshotStore {

    /** Blobs above this size stay loose files instead of going into a pack. */
    static final int LOOSE_ABOVE = 1 << 20;

    private static final String MANIFEST_SUFFIX = ".json";

    private static final int SYNC_THREADS = 16;
    private static final int OPEN_PACKS = 64;
    /** A folder modified this close to our last look may have changed again within its clock's tick. */
    private static final long RACY_MILLIS = 2000;
    /** Leftovers of a crashed writer (a temporary file, a pack without index) older than this are garbage. */
    private static final Duration ABANDONED = Duration.ofHours(1);

    /** Where one blob is in a pack. */
    record Location(String pack, long offset, int length) {
    }

    private final Path root;
    private final Path packsDir;
    private final Set<Path> unsynced = ConcurrentHashMap.newKeySet();

    private final Object indexLock = new Object();
    private final Map<String, Pack> packs = new HashMap<>();
    private final Map<String, String> damagedIndexes = new TreeMap<>();
    private final Map<String, Location> locations = new ConcurrentHashMap<>();
    private boolean scanned;
    /** Whether loose blobs may exist (a store written before packs, or large blobs). */
    private volatile boolean hasLoose;
    private long scannedModified;
    private long scannedAt;
    private final Map<String, ByteBuffer> openPacks = new ConcurrentHashMap<>();

    public DirectorySnapshotStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.packsDir = this.root.resolve("packs");
    }

    public Path root() {
        return root;
    }

    /** Writes one loose blob (flushed before the next manifest); a capture writes a pack instead. */
    @Override
    public boolean putBlob(String address, byte[] bytes) {
        Path file = blob(address);
        if (locate(address) != null || Files.exists(file)) {
            return false;
        }
        return writeLoose(file, bytes, false);
    }

    @Override
    public boolean hasBlob(String address) {
        Path file = blob(address);
        if (locate(address) != null || file.toFile().isFile()) {
            return true;
        }
        return rescan(false) && locate(address) != null;
    }

    /**
     * The blob, positionally read from its pack or from its loose file.
     *
     * @throws SnapshotIntegrityException when the blob is in no readable place and a pack index is damaged,
     *                                    or its pack is shorter than its index says
     */
    @Override
    public Optional<byte[]> getBlob(String address) {
        Optional<byte[]> found = find(address, true);
        if (found.isEmpty()) {
            synchronized (indexLock) {
                if (!damagedIndexes.isEmpty()) {
                    throw new SnapshotIntegrityException("blob " + address + " is in no readable pack or file of "
                            + describe() + ": " + String.join("; ", damagedIndexes.values()));
                }
            }
        }
        return found;
    }

    /**
     * @param readAgain whether a miss reads the packs folder again; a capture's batch does that once when it
     *                  starts (a pack written by another process meanwhile only means a duplicate blob)
     */
    private Optional<byte[]> find(String address, boolean readAgain) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Location at = locate(address);
            if (at != null) {
                try {
                    return Optional.of(read(at));
                } catch (NoSuchFileException e) {
                    rescan(true); // the pack went (a prune elsewhere); look again
                    continue;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + packFile(at.pack(), Pack.PACK_SUFFIX) + ": "
                            + e.getMessage(), e);
                }
            }
            // java.io's stat: a missing file costs no exception (most addresses of a first capture are new)
            Path file = readAgain || hasLoose ? blob(address) : null;
            Optional<byte[]> loose = file != null && file.toFile().isFile() ? read(file) : Optional.empty();
            if (loose.isPresent() || !readAgain || !rescan(attempt == 0)) {
                return loose;
            }
        }
        return Optional.empty();
    }

    @Override
    public Set<String> blobAddresses() {
        rescan(true);
        Set<String> out = new TreeSet<>(locations.keySet());
        out.addAll(looseAddresses());
        return out;
    }

    @Override
    public void deleteBlob(String address) {
        SnapshotStore.requireAddress(address);
        dropBlobs(address::equals);
    }

    /**
     * Repacks: packs holding only dead blobs are deleted; the live blobs of partly-live packs are copied into
     * one new pack, which is durable (pack, then index) before the old packs are deleted (index first).
     * Loose blobs that are dead, or also in a pack, are deleted.
     */
    @Override
    public int retainBlobs(Set<String> live) {
        return dropBlobs(a -> !live.contains(a));
    }

    private int dropBlobs(Predicate<String> dead) {
        Set<String> dropped = new HashSet<>();
        try {
            synchronized (indexLock) {
                rescan(true);
                List<Pack> deleted = new ArrayList<>();
                try (Pack.Writer survivors = new Pack.Writer(packsDir)) {
                    for (Pack pack : List.copyOf(packs.values())) {
                        List<Integer> kept = new ArrayList<>(); // live, and read from this pack (not a newer copy)
                        for (int i = 0; i < pack.size(); i++) {
                            String a = pack.addresses[i];
                            if (dead.test(a)) {
                                dropped.add(a);
                            } else if (locations.get(a).pack().equals(pack.id)) {
                                kept.add(i);
                            }
                        }
                        if (kept.size() == pack.size()) {
                            continue;
                        }
                        for (int i : kept) {
                            survivors.add(pack.addresses[i], read(location(pack, i)));
                        }
                        deleted.add(pack);
                    }
                    Pack merged = survivors.commit();
                    if (merged != null) {
                        add(merged);
                    }
                }
                for (Pack pack : deleted) {
                    Files.deleteIfExists(packFile(pack.id, Pack.INDEX_SUFFIX));
                    openPacks.remove(pack.id);
                    Files.deleteIfExists(packFile(pack.id, Pack.PACK_SUFFIX));
                }
                if (!deleted.isEmpty()) {
                    force(packsDir, false);
                }
                deleteAbandoned();
                rescan(true);
                for (String a : looseAddresses()) {
                    if (dead.test(a)) {
                        dropped.add(a);
                        delete(blob(a));
                    } else if (locations.containsKey(a)) {
                        delete(blob(a));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repack " + packsDir + ": " + e.getMessage(), e);
        }
        return dropped.size();
    }

    /** Packs without an index and temporary files that no running writer can still own. */
    private void deleteAbandoned() throws IOException {
        if (!Files.isDirectory(packsDir)) {
            return;
        }
        Instant old = Instant.now().minus(ABANDONED);
        try (Stream<Path> files = Files.list(packsDir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                boolean orphan = name.endsWith(Pack.PACK_SUFFIX) && !name.startsWith(".")
                        && !Files.exists(f.resolveSibling(name.substring(0, name.length() - Pack.PACK_SUFFIX.length())
                        + Pack.INDEX_SUFFIX));
                if ((orphan || name.startsWith(".tmp-")) && Files.getLastModifiedTime(f).toInstant().isBefore(old)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    @Override
    public BlobBatch blobBatch() {
        return new PackBatch();
    }

    /** One capture's blobs: small ones into one new pack, large ones loose. */
    private final class PackBatch implements BlobBatch {
        private final Pack.Writer pack = new Pack.Writer(packsDir);
        private final Set<String> put = new HashSet<>();

        PackBatch() {
            rescan(false);
        }

        @Override
        public Optional<byte[]> stored(String address) {
            return find(address, false);
        }

        @Override
        public synchronized void put(String address, byte[] bytes) {
            if (!put.add(SnapshotStore.requireAddress(address))) {
                return;
            }
            if (bytes.length > LOOSE_ABOVE) {
                writeLoose(blob(address), bytes, true);
                return;
            }
            try {
                pack.add(address, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write snapshot pack in " + packsDir + ": " + e.getMessage(), e);
            }
        }

        @Override
        public synchronized void commit() {
            try {
                Pack written = pack.commit();
                if (written != null) {
                    force(root, false); // the packs folder may be new
                    synchronized (indexLock) {
                        add(written);
                    }
                }
                syncBlobs();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write snapshot pack in " + packsDir + ": " + e.getMessage(), e);
            }
        }

        @Override
        public synchronized void close() {
            try {
                pack.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove an unfinished pack in " + packsDir + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void putManifest(String id, byte[] json) {
        Path file = manifest(id);
        try {
            Files.createDirectories(file.getParent());
            syncBlobs();
            writeAtomically(file, json, true);
            force(file.getParent(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write snapshot manifest " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<byte[]> getManifest(String id) {
        return read(manifest(id));
    }

    @Override
    public List<String> manifestIds() {
        Path dir = root.resolve("manifests");
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(MANIFEST_SUFFIX))
                    .map(n -> n.substring(0, n.length() - MANIFEST_SUFFIX.length()))
                    .filter(n -> SnapshotStore.Patterns.MANIFEST_ID.matcher(n).matches()).sorted().forEach(ids::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return ids;
    }

    @Override
    public void deleteManifest(String id) {
        delete(manifest(id));
    }

    @Override
    public String describe() {
        return "file:" + root;
    }

    // ---- the pack index in memory -------------------------------------------------------------------

    /** Where {@code address} is in a pack, or null; the first call reads every pack index. */
    Location locate(String address) {
        SnapshotStore.requireAddress(address);
        if (!scanned) {
            rescan(true);
        }
        return locations.get(address);
    }

    /**
     * Reads the pack indexes added since the last look and forgets the packs that went; unless
     * {@code always}, only when the packs folder changed since. True when the packs changed.
     */
    private boolean rescan(boolean always) {
        synchronized (indexLock) {
            long modified = modified(packsDir);
            long now = System.currentTimeMillis();
            if (scanned && !always && modified == scannedModified && scannedAt - modified > RACY_MILLIS) {
                return false;
            }
            scanned = true;
            hasLoose = hasLoose || Files.isDirectory(root.resolve("objects"));
            scannedModified = modified;
            scannedAt = now;
            Set<String> ids = new TreeSet<>();
            if (modified != 0) {
                try (Stream<Path> files = Files.list(packsDir)) {
                    files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(Pack.INDEX_SUFFIX))
                            .map(n -> n.substring(0, n.length() - Pack.INDEX_SUFFIX.length())).filter(Pack::isId)
                            .forEach(ids::add);
                } catch (NoSuchFileException e) {
                    // deleted meanwhile: no packs
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + packsDir + ": " + e.getMessage(), e);
                }
            }
            boolean changed = packs.keySet().retainAll(ids) | damagedIndexes.keySet().retainAll(ids);
            if (changed) {
                locations.clear();
                packs.values().stream().sorted(Comparator.comparing(p -> p.id)).forEach(this::index);
            }
            for (String id : ids) {
                if (!packs.containsKey(id) && !damagedIndexes.containsKey(id)) {
                    Optional<byte[]> bytes = read(packFile(id, Pack.INDEX_SUFFIX));
                    if (bytes.isEmpty()) {
                        continue;
                    }
                    try {
                        add(Pack.readIndex(id, bytes.get()));
                    } catch (SnapshotIntegrityException e) {
                        damagedIndexes.put(id, e.getMessage());
                    }
                    changed = true;
                }
            }
            return changed;
        }
    }

    /** Registers a pack (under indexLock). */
    private void add(Pack pack) {
        packs.put(pack.id, pack);
        index(pack);
    }

    /** The newest pack holding an address is where it is read from. */
    private void index(Pack pack) {
        for (int i = 0; i < pack.size(); i++) {
            locations.merge(pack.addresses[i], location(pack, i),
                    (old, now) -> old.pack().compareTo(now.pack()) > 0 ? old : now);
        }
    }

    private static Location location(Pack pack, int i) {
        return new Location(pack.id, pack.offsets[i], pack.lengths[i]);
    }

    private byte[] read(Location at) throws IOException {
        ByteBuffer pack = openPacks.get(at.pack());
        if (pack == null) {
            pack = map(at.pack());
        }
        byte[] out = new byte[at.length()];
        if (pack.capacity() > 0 || at.length() == 0) {
            if (at.offset() + at.length() > pack.capacity()) {
                throw shorter(at);
            }
            pack.get((int) at.offset(), out); // absolute: safe for concurrent readers
            return out;
        }
        try (FileChannel ch = FileChannel.open(packFile(at.pack(), Pack.PACK_SUFFIX), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.wrap(out);
            while (buf.hasRemaining()) {
                if (ch.read(buf, at.offset() + buf.position()) < 0) {
                    throw shorter(at);
                }
            }
            return out;
        }
    }

    private SnapshotIntegrityException shorter(Location at) {
        return new SnapshotIntegrityException(describe() + ": pack packs/" + at.pack() + Pack.PACK_SUFFIX
                + " is shorter than its index says (it was truncated or damaged)");
    }

    /**
     * Packs are read through a memory mapping (a copy per blob, no system call); the mapping stays valid
     * when a repack deletes the file. A pack over 2 GiB gets an empty buffer: it is read with positional reads.
     */
    private ByteBuffer map(String id) throws IOException {
        try (FileChannel ch = FileChannel.open(packFile(id, Pack.PACK_SUFFIX), StandardOpenOption.READ)) {
            ByteBuffer mapped = ch.size() > Integer.MAX_VALUE ? ByteBuffer.allocate(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            if (openPacks.size() >= OPEN_PACKS) {
                openPacks.clear();
            }
            openPacks.put(id, mapped);
            return mapped;
        }
    }

    /** Milliseconds, 0 when missing (java.io: no exception for a missing folder). */
    private static long modified(Path dir) {
        return dir.toFile().lastModified();
    }

    // ---- files --------------------------------------------------------------------------------------

    private Set<String> looseAddresses() {
        Set<String> out = new TreeSet<>();
        Path objects = root.resolve("objects");
        if (!Files.isDirectory(objects)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(objects, 2)) {
            files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> SnapshotStore.Patterns.ADDRESS.matcher(n).matches()).forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + objects + ": " + e.getMessage(), e);
        }
        return out;
    }

    private boolean writeLoose(Path file, byte[] bytes, boolean replace) {
        try {
            Files.createDirectories(file.getParent());
            hasLoose = true;
            boolean wrote = writeAtomically(file, bytes, false, replace);
            if (wrote) {
                unsynced.add(file);
            }
            return wrote;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write snapshot blob " + file + ": " + e.getMessage(), e);
        }
    }

    Path blob(String address) {
        SnapshotStore.requireAddress(address);
        return root.resolve("objects").resolve(address.substring(0, 2)).resolve(address);
    }

    Path packFile(String id, String suffix) {
        return packsDir.resolve(id + suffix);
    }

    private Path manifest(String id) {
        return root.resolve("manifests").resolve(SnapshotStore.requireManifestId(id) + MANIFEST_SUFFIX);
    }

    /** Flushes every loose blob written since the last manifest, and the folders that name them. */
    private void syncBlobs() throws IOException {
        List<Path> files = new ArrayList<>(unsynced);
        if (files.isEmpty()) {
            return;
        }
        Set<Path> dirs = new TreeSet<>();
        files.forEach(f -> dirs.add(f.getParent()));
        List<Path> all = new ArrayList<>(files);
        all.addAll(dirs);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(SYNC_THREADS, all.size()));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Path p : all) {
                done.add(pool.submit(() -> {
                    force(p, !Files.isDirectory(p));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while flushing snapshot blobs", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        unsynced.removeAll(files);
    }

    static void force(Path p, boolean file) throws IOException {
        try (FileChannel ch = FileChannel.open(p, file ? StandardOpenOption.WRITE : StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (file) {
                throw e;
            } // some file systems cannot open a folder for fsync; its entries are then as durable as they get
        }
    }

    private static Optional<byte[]> read(Path file) {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Temp file, (flush,) rename. Manifests are flushed at once and replace; blobs are flushed later,
     * together, and replace only a damaged copy. When two writers race on one blob address, both wrote the
     * same bytes and either file is right.
     */
    private static boolean writeAtomically(Path target, byte[] bytes, boolean durable) throws IOException {
        return writeAtomically(target, bytes, durable, durable);
    }

    private static boolean writeAtomically(Path target, byte[] bytes, boolean durable, boolean replace) throws IOException {
        // A cheap unique name (Files.createTempFile costs several times more per file).
        Path tmp = target.resolveSibling(".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                Pack.writeFully(ch, ByteBuffer.wrap(bytes));
                if (durable) {
                    ch.force(true);
                }
            }
            if (replace) {
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                return true;
            }
            Pack.move(tmp, target);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
