package io.jenkins.plugins.progressive.hosts.nginx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The nginx processes visible on this host, read from {@code /proc} (nginx sets their titles): the master
 * ({@code nginx: master process <its command line>}) and its workers ({@code nginx: worker process}, and
 * {@code ... is shutting down} for the workers of a configuration that a reload replaced, which finish their
 * requests with the old upstreams).
 */
final class NginxWorkers {

    private static final Path PROC = Path.of("/proc");

    /** One nginx process. */
    record Proc(long pid, long parent, String title) {
        boolean master() {
            return title.startsWith("nginx: master process");
        }

        boolean shuttingDown() {
            return title.contains("shutting down");
        }
    }

    private final List<Proc> procs;

    private NginxWorkers(List<Proc> procs) {
        this.procs = procs;
    }

    static NginxWorkers scan() {
        List<Proc> procs = new ArrayList<>();
        if (Files.isDirectory(PROC)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
                for (Path entry : entries) {
                    read(entry).ifPresent(procs::add);
                }
            } catch (IOException e) {
                // nothing visible: the caller treats it as "cannot tell"
            }
        }
        return new NginxWorkers(procs);
    }

    private static Optional<Proc> read(Path entry) {
        try {
            String title = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').trim();
            if (!title.startsWith("nginx: ")) {
                return Optional.empty();
            }
            // stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'
            String stat = Files.readString(entry.resolve("stat"));
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new Proc(Long.parseLong(entry.getFileName().toString()), Long.parseLong(after[1]),
                    title));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // the process ended, or is not ours to read
        }
    }

    /**
     * The master that {@code reloadCommand} signals: the only master whose command line holds the command's
     * {@code -p} and {@code -c} values (or the only master at all when it names none); empty when that is not
     * clear from here.
     */
    Optional<Long> masterOf(List<String> reloadCommand) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i + 1 < reloadCommand.size(); i++) {
            if (reloadCommand.get(i).equals("-p") || reloadCommand.get(i).equals("-c")) {
                keys.add(reloadCommand.get(i + 1));
            }
        }
        List<Proc> masters = procs.stream().filter(Proc::master)
                .filter(m -> keys.stream().allMatch(k -> (" " + m.title() + " ").contains(" " + k + " "))).toList();
        return masters.size() == 1 ? Optional.of(masters.get(0).pid()) : Optional.empty();
    }

    /** The workers of {@code master}, by pid. */
    Set<Long> workers(long master) {
        return children(master).map(Proc::pid).collect(Collectors.toSet());
    }

    /**
     * True when {@code master} runs new workers only: none of {@code before} is left (a replaced worker may not
     * have retitled itself "shutting down" yet when the new ones already run, so the title is not enough).
     */
    boolean reloaded(long master, Set<Long> before) {
        List<Proc> workers = children(master).toList();
        return !workers.isEmpty() && workers.stream().noneMatch(w -> before.contains(w.pid()) || w.shuttingDown());
    }

    private Stream<Proc> children(long master) {
        return procs.stream().filter(p -> p.parent() == master && !p.master());
    }
}
