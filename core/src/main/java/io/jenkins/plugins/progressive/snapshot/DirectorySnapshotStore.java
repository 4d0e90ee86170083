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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A snapshot store in a directory ({@code .progressive/snapshots} by default):
 * {@code objects/<sha[0:2]>/<sha>} holds blobs, {@code manifests/<id>.json} the manifests. Every file is
 * written to a temporary name and renamed into place, so a crash never leaves a half file under a real
 * name. Blobs are flushed to disk together, in parallel, just before the next manifest is written (one
 * fsync per blob as it is written made a 10,000-object capture take 20 s); so a manifest is only ever
 * durable after every blob it names.
 */
public final class DirectorySnapshotStore implements SnapshotStore {

    private static final String MANIFEST_SUFFIX = ".json";

    private static final int SYNC_THREADS = 16;

    private final Path root;
    private final Set<Path> unsynced = ConcurrentHashMap.newKeySet();

    public DirectorySnapshotStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public boolean putBlob(String address, byte[] bytes) {
        Path file = blob(address);
        if (Files.exists(file)) {
            return false;
        }
        try {
            Files.createDirectories(file.getParent());
            boolean wrote = writeAtomically(file, bytes, false);
            if (wrote) {
                unsynced.add(file);
            }
            return wrote;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write snapshot blob " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean hasBlob(String address) {
        return Files.isRegularFile(blob(address));
    }

    @Override
    public Optional<byte[]> getBlob(String address) {
        return read(blob(address));
    }

    @Override
    public Set<String> blobAddresses() {
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

    @Override
    public void deleteBlob(String address) {
        delete(blob(address));
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

    private Path blob(String address) {
        SnapshotStore.requireAddress(address);
        return root.resolve("objects").resolve(address.substring(0, 2)).resolve(address);
    }

    private Path manifest(String id) {
        return root.resolve("manifests").resolve(SnapshotStore.requireManifestId(id) + MANIFEST_SUFFIX);
    }

    /** Flushes every blob written since the last manifest, and the folders that name them. */
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

    private static void force(Path p, boolean file) throws IOException {
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
     * together. When two writers race on one blob address, both wrote the same bytes and either file is right.
     */
    private static boolean writeAtomically(Path target, byte[] bytes, boolean durable) throws IOException {
        // A cheap unique name (Files.createTempFile costs several times more per file).
        Path tmp = target.resolveSibling(".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                if (durable) {
                    ch.force(true);
                }
            }
            if (durable) {
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                return true;
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
