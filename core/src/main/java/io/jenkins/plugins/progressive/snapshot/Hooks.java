package io.jenkins.plugins.progressive.snapshot;

import io.jenkins.plugins.progressive.spec.SnapshotSpec.Hook;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs data hooks: local commands here, {@code exec} hooks through the {@link PodExec} port. */
final class Hooks {

    static final int STDERR_TAIL = 2000;

    private Hooks() {
    }

    /**
     * Runs the pre hooks, each in its own empty {@code {{out}}} folder, and returns the files they wrote
     * by relative path. Two hooks writing the same path is an error: restore hooks see one folder.
     */
    static Map<String, byte[]> runPre(List<Hook> hooks, Duration timeout, Optional<PodExec> exec) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < hooks.size(); i++) {
            String where = "snapshot.hooks.pre[" + i + "]";
            Path out = tempDir("progressive-hook-out-");
            try {
                run(where, hooks.get(i), PodExec.Phase.PRE, out, timeout, exec);
                for (Map.Entry<String, byte[]> f : readTree(out).entrySet()) {
                    if (files.putIfAbsent(f.getKey(), f.getValue()) != null) {
                        throw new SnapshotException(where + ": wrote " + f.getKey()
                                + ", which an earlier pre hook wrote too; give each hook's files distinct names");
                    }
                }
            } finally {
                deleteTree(out);
            }
        }
        return files;
    }

    /** Runs the restore hooks with {@code {{in}}} = a folder holding the pre hooks' files. */
    static void runRestore(List<Hook> hooks, Map<String, byte[]> files, Duration timeout, Optional<PodExec> exec) {
        if (hooks.isEmpty()) {
            return;
        }
        Path in = tempDir("progressive-hook-in-");
        try {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path p = in.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.write(p, f.getValue());
            }
            for (int i = 0; i < hooks.size(); i++) {
                run("snapshot.hooks.restore[" + i + "]", hooks.get(i), PodExec.Phase.RESTORE, in, timeout, exec);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the restore hooks' folder: " + e.getMessage(), e);
        } finally {
            deleteTree(in);
        }
    }

    private static void run(String where, Hook hook, PodExec.Phase phase, Path dir, Duration timeout,
            Optional<PodExec> exec) {
        if (hook instanceof Hook.Exec e) {
            PodExec pods = exec.orElseThrow(() -> new SnapshotException(where + ": exec hooks (in pod " + e.pod()
                    + ") need a platform that can run commands in pods; this target has none"));
            try {
                PodExec.Result r = pods.exec(e, phase, dir, timeout);
                if (r.exitCode() != 0) {
                    throw new SnapshotException(where + ": " + name(e.command()) + " in pod " + e.pod() + " exited with "
                            + r.exitCode() + tail(r.stderr()));
                }
            } catch (IOException ex) {
                throw new SnapshotException(where + ": cannot run " + name(e.command()) + " in pod " + e.pod() + ": "
                        + ex.getMessage(), ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new SnapshotException(where + ": interrupted");
            }
            return;
        }
        List<String> argv = new ArrayList<>();
        for (String a : ((Hook.Local) hook).command()) {
            argv.add(a.replace("{{out}}", dir.toString()).replace("{{in}}", dir.toString()));
        }
        if (argv.isEmpty()) {
            throw new SnapshotException(where + ".local: empty command");
        }
        Path logs = tempDir("progressive-hook-log-");
        try {
            Path stderr = logs.resolve("stderr");
            Process p;
            try {
                p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                        .redirectOutput(logs.resolve("stdout").toFile()).redirectError(stderr.toFile()).start();
            } catch (IOException ex) {
                throw new SnapshotException(where + ": cannot start " + name(argv) + ": " + ex.getMessage());
            }
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException ex) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new SnapshotException(where + ": interrupted");
            }
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new SnapshotException(where + ": " + name(argv) + " did not finish within " + timeout
                        + tail(readQuietly(stderr)));
            }
            if (p.exitValue() != 0) {
                throw new SnapshotException(where + ": " + name(argv) + " exited with " + p.exitValue()
                        + tail(readQuietly(stderr)));
            }
        } finally {
            deleteTree(logs);
        }
    }

    private static String name(List<String> argv) {
        return argv.isEmpty() ? "(empty)" : "'" + argv.get(0) + "'";
    }

    private static String tail(String stderr) {
        String s = stderr.strip();
        if (s.isEmpty()) {
            return "";
        }
        return ": " + (s.length() > STDERR_TAIL ? "…" + s.substring(s.length() - STDERR_TAIL) : s);
    }

    private static String readQuietly(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    static Map<String, byte[]> readTree(Path dir) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the hook's files in " + dir + ": " + e.getMessage(), e);
        }
        return files;
    }

    /** A hook file name as stored: relative, no {@code ..}, no absolute path. */
    static String requireFileName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains("\0")
                || Stream.of(name.split("/")).anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."))) {
            throw new SnapshotIntegrityException("hook file name '" + name + "' is not a relative path");
        }
        return name;
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder: " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temporary folder left behind is harmless
        }
    }
}
