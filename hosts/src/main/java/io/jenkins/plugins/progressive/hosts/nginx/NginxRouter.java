package io.jenkins.plugins.progressive.hosts.nginx;

import io.jenkins.plugins.progressive.hosts.ServerWeights;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits traffic with an nginx upstream file that this router owns: one {@code server} line per instance,
 * weighted so the roles' shares match the routes (a role at 0% is kept but marked {@code down}). The file
 * is replaced atomically, then nginx reloads gracefully (old workers finish their requests); {@link #settled}
 * is false until the reload has taken effect.
 *
 * <p>Next to it the router keeps {@code <name>-preview.<ext>} with upstream {@code <upstream>-preview}
 * holding the canary instances alone, for blue-green's preview; include it in nginx.conf to use it.
 */
public final class NginxRouter implements TrafficRouter {

    private static final Pattern SERVER = Pattern.compile(
            "^\\s*server\\s+(\\S+?)(?:\\s+weight=(\\d+))?(\\s+down)?\\s*;\\s*#\\s*(stable|canary)\\s*$");
    private static final long RELOAD_TIMEOUT_SECONDS = 30;
    /** How long a reload is given when its master cannot be watched from this host. */
    private static final java.time.Duration UNKNOWN_MASTER_SETTLE = java.time.Duration.ofSeconds(2);

    private final Path upstreamFile;
    private final String upstream;
    private final List<String> reloadCommand;
    private final Function<Role, List<String>> addresses;
    private volatile PendingReload pendingReload;

    public NginxRouter(Traffic.Nginx config, Function<Role, List<String>> addresses) {
        this.upstreamFile = Path.of(config.upstreamFile()).toAbsolutePath();
        this.upstream = config.upstream();
        this.reloadCommand = config.reloadCommand();
        this.addresses = addresses;
    }

    /** The file holding upstream {@code <upstream>-preview} with the canary instances only. */
    public Path previewFile() {
        String name = upstreamFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String preview = dot > 0 ? name.substring(0, dot) + "-preview" + name.substring(dot) : name + "-preview";
        return upstreamFile.resolveSibling(preview);
    }

    /** Verifies, without changing anything, that the file can be written and the reload command exists. */
    public void check() throws InvalidSpecException {
        if (!upstream.matches("[A-Za-z0-9_.-]+")) {
            throw new InvalidSpecException("traffic.nginx.upstream", "upstream name '" + upstream
                    + "' may only contain letters, digits, '_', '.' and '-'");
        }
        Path dir = upstreamFile.getParent();
        if (!Files.isDirectory(dir)) {
            throw new InvalidSpecException("traffic.nginx.upstreamFile", "directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new InvalidSpecException("traffic.nginx.upstreamFile", "directory " + dir
                    + " is not writable (Permission denied); the file is replaced by rename, so its directory must be");
        }
        if (Files.exists(upstreamFile)) {
            try {
                String content = Files.readString(upstreamFile);
                if (!content.contains("upstream " + upstream + " ")) {
                    throw new InvalidSpecException("traffic.nginx.upstreamFile", upstreamFile
                            + " does not define 'upstream " + upstream + "'; it would be overwritten");
                }
            } catch (IOException e) {
                throw new InvalidSpecException("traffic.nginx.upstreamFile", "cannot read " + upstreamFile + ": "
                        + e.getMessage());
            }
        }
        if (reloadCommand.isEmpty()) {
            throw new InvalidSpecException("traffic.nginx.reloadCommand", "must not be empty, e.g. [nginx, -s, reload]");
        }
        if (findProgram(reloadCommand.get(0)).isEmpty()) {
            throw new InvalidSpecException("traffic.nginx.reloadCommand", "program '" + reloadCommand.get(0)
                    + "' not found (on PATH or as a path)");
        }
    }

    @Override
    public void setRoutes(Routes routes) {
        List<String> stable = List.copyOf(new LinkedHashSet<>(addresses.apply(Role.STABLE)));
        List<String> canary = List.copyOf(new LinkedHashSet<>(addresses.apply(Role.CANARY)));
        ServerWeights weights = ServerWeights.compute(routes, stable.size(), canary.size());
        String main = render(upstream, stable, weights.stable(), canary, weights.canary());
        String preview = render(upstream + "-preview", List.of(), List.of(), canary,
                ServerWeights.even(canary.size()));
        replaceFiles(main, preview);
    }

    /** The upstream file's content now; empty when it does not exist. */
    public Optional<String> upstreamContent() {
        return Optional.ofNullable(read(upstreamFile));
    }

    /** The preview file's content now; empty when it does not exist. */
    public Optional<String> previewContent() {
        return Optional.ofNullable(read(previewFile()));
    }

    /**
     * Puts back both files as a snapshot holds them (no preview: the preview file is removed) and reloads
     * nginx; when the reload fails the files are left as the running nginx knows them.
     */
    public void restoreFiles(String main, Optional<String> preview) {
        replaceFiles(main, preview.orElse(null));
    }

    private void replaceFiles(String main, String preview) {
        String oldMain = read(upstreamFile);
        String oldPreview = read(previewFile());
        if (main.equals(oldMain) && java.util.Objects.equals(preview, oldPreview)) {
            return;
        }
        write(upstreamFile, main);
        if (preview != null) {
            write(previewFile(), preview);
        } else {
            try {
                Files.deleteIfExists(previewFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + previewFile() + ": " + e.getMessage(), e);
            }
        }
        try {
            NginxWorkers seen = NginxWorkers.scan();
            Optional<Long> master = seen.masterOf(reloadCommand);
            java.util.Set<Long> before = master.map(seen::workers).orElse(java.util.Set.of());
            reload();
            long now = System.nanoTime();
            pendingReload = new PendingReload(master, before, now + UNKNOWN_MASTER_SETTLE.toNanos(),
                    now + TimeUnit.SECONDS.toNanos(RELOAD_TIMEOUT_SECONDS));
        } catch (RuntimeException e) {
            // Leave the files as the running nginx knows them.
            restore(upstreamFile, oldMain);
            restore(previewFile(), oldPreview);
            throw e;
        }
    }

    /**
     * nginx applies a reload after the reload command returns, and the replaced workers keep serving their
     * requests with the old upstreams: an instance the old file routes to must not stop before they are gone.
     * Settled once the master that the reload command signals runs new workers and every replaced one has
     * exited (at most the reload timeout). When that master cannot be told from this host (nginx
     * reloaded over ssh, several masters alike), settled a fixed {@link #UNKNOWN_MASTER_SETTLE} after the reload.
     */
    @Override
    public boolean settled() {
        PendingReload pending = pendingReload;
        if (pending == null) {
            return true;
        }
        long now = System.nanoTime();
        boolean done = now > pending.deadline() || (pending.master().isPresent()
                ? NginxWorkers.scan().reloaded(pending.master().get(), pending.workersBefore())
                : now > pending.settleAt());
        if (done) {
            pendingReload = null;
        }
        return done;
    }

    /** A reload this router asked for and has not seen done. */
    private record PendingReload(Optional<Long> master, java.util.Set<Long> workersBefore, long settleAt,
            long deadline) {
    }

    @Override
    public Routes getRoutes() {
        String content = read(upstreamFile);
        if (content == null) {
            throw new IllegalStateException("nginx upstream file " + upstreamFile + " does not exist");
        }
        long stable = 0;
        long canary = 0;
        for (String line : content.split("\n")) {
            Matcher m = SERVER.matcher(line);
            if (!m.matches() || m.group(3) != null) {
                continue;
            }
            long weight = m.group(2) == null ? 1 : Long.parseLong(m.group(2));
            if (m.group(4).equals("stable")) {
                stable += weight;
            } else {
                canary += weight;
            }
        }
        return ServerWeights.routesOf(stable, canary);
    }

    /** The addresses an upstream file this router wrote sends requests to: its servers not marked {@code down}. */
    public static List<String> servingAddresses(String content) {
        List<String> out = new ArrayList<>();
        for (String line : content.split("\n")) {
            Matcher m = SERVER.matcher(line);
            if (m.matches() && m.group(3) == null) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private static String render(String name, List<String> stable, List<Integer> stableWeights, List<String> canary,
            List<Integer> canaryWeights) {
        StringBuilder out = new StringBuilder();
        out.append("# Written by progressive; replaced on every traffic change.\n");
        out.append("upstream ").append(name).append(" {\n");
        appendServers(out, Role.STABLE, stable, stableWeights);
        appendServers(out, Role.CANARY, canary, canaryWeights);
        if (stable.isEmpty() && canary.isEmpty()) {
            // nginx refuses an empty upstream; a server marked down answers 502 instead.
            out.append("    server 127.0.0.1:1 down; # none\n");
        }
        out.append("}\n");
        return out.toString();
    }

    private static void appendServers(StringBuilder out, Role role, List<String> servers, List<Integer> weights) {
        for (int i = 0; i < servers.size(); i++) {
            int weight = weights.get(i);
            out.append("    server ").append(servers.get(i)).append(" weight=").append(Math.max(1, weight))
                    .append(weight == 0 ? " down" : "").append("; # ").append(role.name().toLowerCase(Locale.ROOT))
                    .append('\n');
        }
    }

    private void reload() {
        ProcessBuilder builder = new ProcessBuilder(reloadCommand).redirectErrorStream(true);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(RELOAD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("nginx reload did not finish within " + RELOAD_TIMEOUT_SECONDS + "s: "
                        + String.join(" ", reloadCommand));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("nginx reload failed (exit code " + process.exitValue() + "): "
                        + String.join(" ", reloadCommand) + (output.isEmpty() ? "" : ": " + output));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run nginx reload command " + String.join(" ", reloadCommand)
                    + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during nginx reload", e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void restore(Path file, String content) {
        try {
            if (content == null) {
                Files.deleteIfExists(file);
            } else {
                write(file, content);
            }
        } catch (IOException | RuntimeException e) {
            // The reload failure is what the caller needs to see; nginx still runs the old configuration.
        }
    }

    /** Writes a temporary file next to {@code file}, then renames it over: nginx never reads half a file. */
    static void write(Path file, String content) {
        try {
            Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            try {
                Files.writeString(temp, content);
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static Optional<Path> findProgram(String program) {
        if (program.contains("/")) {
            Path path = Path.of(program);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        List<String> dirs = List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, program)).filter(Files::isExecutable)
                .findFirst();
    }
}
