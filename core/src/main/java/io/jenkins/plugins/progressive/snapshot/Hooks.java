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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Runs data hooks: local commands here, {@code exec} hooks through the {@link PodExec} port. */
final class Hooks {

    /**
     * How much of a failing hook's standard error goes into the message: enough for the error, not for
     * the rows a database tool echoes with it.
     */
    static final int STDERR_TAIL = 300;
    static final int STDERR_LINES = 5;
    static final String REDACTED = "[redacted]";

    private Hooks() {
    }

    /**
     * Runs capture hooks ({@code pre} or {@code post}), each in its own empty {@code {{out}}} folder, adding
     * the files they wrote by relative path to {@code files}. Two hooks writing the same path is an error:
     * restore hooks see one folder.
     *
     * @param secrets values to blank out of a failing hook's message, asked for only when one fails
     */
    static void runCapture(PodExec.Phase phase, List<Hook> hooks, Duration timeout, Optional<PodExec> exec,
            Supplier<Set<String>> secrets, Map<String, byte[]> files) {
        String stage = phase.name().toLowerCase(java.util.Locale.ROOT);
        for (int i = 0; i < hooks.size(); i++) {
            String where = "snapshot.hooks." + stage + "[" + i + "]";
            Path out = tempDir("progressive-hook-out-");
            try {
                run(where, hooks.get(i), phase, out, timeout, exec, secrets);
                for (Map.Entry<String, byte[]> f : readTree(out).entrySet()) {
                    if (files.putIfAbsent(f.getKey(), f.getValue()) != null) {
                        throw new SnapshotException(where + ": wrote " + f.getKey()
                                + ", which an earlier hook wrote too; give each hook's files distinct names");
                    }
                }
            } finally {
                deleteTree(out);
            }
        }
    }

    /** Runs the restore hooks with {@code {{in}}} = a folder holding the pre hooks' files. */
    static void runRestore(List<Hook> hooks, Map<String, byte[]> files, Duration timeout, Optional<PodExec> exec,
            Supplier<Set<String>> secrets) {
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
                run("snapshot.hooks.restore[" + i + "]", hooks.get(i), PodExec.Phase.RESTORE, in, timeout, exec,
                        secrets);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the restore hooks' folder: " + e.getMessage(), e);
        } finally {
            deleteTree(in);
        }
    }

    private static void run(String where, Hook hook, PodExec.Phase phase, Path dir, Duration timeout,
            Optional<PodExec> exec, Supplier<Set<String>> secrets) {
        if (hook instanceof Hook.Exec e) {
            PodExec pods = exec.orElseThrow(() -> new SnapshotException(where + ": exec hooks (in pod " + e.pod()
                    + ") need a platform that can run commands in pods; this target has none"));
            try {
                PodExec.Result r = pods.exec(e, phase, dir, timeout);
                if (r.exitCode() != 0) {
                    throw new SnapshotException(where + ": " + name(e.command()) + " in pod " + e.pod() + " exited with "
                            + r.exitCode() + tail(r.stderr(), secrets));
                }
            } catch (IOException ex) {
                throw new SnapshotException(where + ": cannot run " + name(e.command()) + " in pod " + e.pod() + ": "
                        + redact(ex.getMessage(), secrets.get()));
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
                        + tail(readQuietly(stderr), secrets));
            }
            if (p.exitValue() != 0) {
                throw new SnapshotException(where + ": " + name(argv) + " exited with " + p.exitValue()
                        + tail(readQuietly(stderr), secrets));
            }
        } finally {
            deleteTree(logs);
        }
    }

    private static String name(List<String> argv) {
        return argv.isEmpty() ? "(empty)" : "'" + argv.get(0) + "'";
    }

    /** The last few lines of a hook's standard error, at most {@link #STDERR_TAIL} characters, secrets blanked. */
    static String tail(String stderr, Supplier<Set<String>> secrets) {
        String s = stderr.strip();
        if (s.isEmpty()) {
            return "";
        }
        List<String> lines = s.lines().toList();
        boolean cut = lines.size() > STDERR_LINES;
        s = String.join("\n", lines.subList(Math.max(0, lines.size() - STDERR_LINES), lines.size()));
        s = redact(s, secrets.get());
        if (s.length() > STDERR_TAIL) {
            s = s.substring(s.length() - STDERR_TAIL);
            cut = true;
        }
        return ": " + (cut ? "…" : "") + s;
    }

    /** Blanks every known secret value (longest first, so a value containing another goes whole). */
    static String redact(String text, Set<String> secrets) {
        if (text == null) {
            return "";
        }
        List<String> values = new ArrayList<>(secrets);
        values.sort(Comparator.comparingInt(String::length).reversed());
        String out = text;
        for (String v : values) {
            if (v.length() >= MIN_SECRET) {
                out = out.replace(v, REDACTED);
            }
        }
        return out;
    }

    /** Shorter values are not blanked: they would blank ordinary words, and say little on their own. */
    static final int MIN_SECRET = 4;

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
