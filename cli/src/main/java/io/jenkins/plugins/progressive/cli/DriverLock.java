package io.jenkins.plugins.progressive.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

/**
 * One {@code run} drives a rollout at a time: it holds an OS file lock in the state directory, which the
 * system releases when the process ends in any way (kill -9 included), so a later {@code run} can resume.
 */
final class DriverLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private DriverLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or empty when another process (or another run in this one) drives {@code key}. */
    static Optional<DriverLock> tryAcquire(Path stateDir, String key) throws IOException {
        Path dir = stateDir.resolve("drivers");
        Files.createDirectories(dir);
        String name = UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)) + ".lock";
        FileChannel channel = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return Optional.of(new DriverLock(channel, lock));
            }
        } catch (OverlappingFileLockException heldHere) {
            // another run in this JVM holds it
        }
        channel.close();
        return Optional.empty();
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
