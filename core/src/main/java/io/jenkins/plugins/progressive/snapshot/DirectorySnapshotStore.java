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
import java.util.stream.Stream;

/**
 * A snapshot store in a directory ({@code .progressive/snapshots} by default):
 * {@code objects/<sha[0:2]>/<sha>} holds blobs, {@code manifests/<id>.json} the manifests. Every file is
 * written to a temporary name, flushed and renamed into place, so a crash never leaves a half file
 * under a real name.
 */
public final class DirectorySnapshotStore implements SnapshotStore {

    private static final String MANIFEST_SUFFIX = ".json";

    private final Path root;

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
            return writeAtomically(file, bytes, false);
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
            writeAtomically(file, json, true);
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
     * Temp file, flush, rename. Blobs are renamed without replacing: when two writers race on one
     * address, both wrote the same bytes and either file is right.
     */
    private static boolean writeAtomically(Path target, byte[] bytes, boolean replace) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (replace) {
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
