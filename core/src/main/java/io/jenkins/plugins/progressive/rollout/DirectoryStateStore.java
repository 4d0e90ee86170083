package io.jenkins.plugins.progressive.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Rollout state in a directory ({@code .progressive/} for the CLI): one file per rollout, replaced
 * atomically, so a {@code kill -9} at any moment leaves either the old or the new document. Writes
 * are compare-and-set under a file lock, so two processes on the same directory cannot both win.
 */
public final class DirectoryStateStore implements StateStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    // FileLock is per process; this serializes the threads of one process on the same key.
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public DirectoryStateStore(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public Optional<Stored> load(String key) {
        return read(file(key)).map(env -> new Stored(env.get("document").toString(), env.get("revision").asLong()));
    }

    @Override
    public long save(String key, long expectedRevision, String json) throws ConflictException {
        JsonNode document;
        try {
            document = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("rollout state for '" + key + "' is not JSON", e);
        }
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            Files.createDirectories(dir);
            Path target = file(key);
            try (FileChannel ch = FileChannel.open(dir.resolve(target.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = ch.lock()) {
                long actual = read(target).map(env -> env.get("revision").asLong()).orElse(0L);
                if (actual != expectedRevision) {
                    throw new ConflictException(key, expectedRevision, actual);
                }
                long next = actual + 1;
                ObjectNode env = JSON.createObjectNode();
                env.put("key", key);
                env.put("revision", next);
                env.set("document", document);
                writeAtomically(target, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(env));
                return next;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write rollout state in " + dir + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> keys() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".state.json")).sorted()::iterator) {
                read(f).ifPresent(env -> keys.add(env.get("key").asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list rollout state in " + dir + ": " + e.getMessage(), e);
        }
        return keys;
    }

    private Optional<JsonNode> read(Path f) {
        try {
            return Optional.of(JSON.readTree(Files.readAllBytes(f)));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read rollout state " + f + ": " + e.getMessage(), e);
        }
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A readable, collision-free file name: the key's safe characters plus a short hash of the whole key. */
    private Path file(String key) {
        String readable = key.replaceAll("[^A-Za-z0-9._-]", "_");
        if (readable.length() > 80) {
            readable = readable.substring(0, 80);
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(readable + "-" + HexFormat.of().formatHex(hash, 0, 4) + ".state.json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
