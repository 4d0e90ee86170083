package io.jenkins.plugins.progressive.cli.demo;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Finding, starting and stopping the real programs of the demo (haproxy, prometheus). */
final class Programs {

    private Programs() {
    }

    /** $PATH, then the sbin directories Debian installs haproxy into (often not on a user's PATH). */
    static List<Path> searchPath() {
        List<Path> dirs = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                dirs.add(Path.of(dir));
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin")) {
            dirs.add(Path.of(dir));
        }
        return dirs;
    }

    static Optional<Path> find(String program) {
        return find(program, searchPath());
    }

    static Optional<Path> find(String program, List<Path> searchPath) {
        for (Path dir : searchPath) {
            if (Files.isExecutable(dir.resolve(program))) {
                return Optional.of(dir.resolve(program));
            }
        }
        return Optional.empty();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Process start(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Polls {@code ready} until it holds; fails with the log's end when the process exits or time runs out. */
    static void awaitReady(String what, Process process, Path log, long timeoutMillis, BooleanSupplier ready)
            throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IOException(what + " exited with code " + process.exitValue() + ": " + tail(log));
            }
            if (System.currentTimeMillis() > deadline) {
                stop(process);
                throw new IOException(what + " was not ready after " + timeoutMillis / 1000 + "s: " + tail(log));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting " + what, e);
            }
        }
    }

    static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
