package io.jenkins.plugins.progressive.cli;

import io.jenkins.plugins.progressive.cli.demo.DemoEnvironment;
import io.jenkins.plugins.progressive.cli.demo.LoadGenerator;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import io.jenkins.plugins.progressive.spec.Target;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a real gated rollout on this machine: two versions of a small demo"
        + " service, HAProxy, Prometheus and a load generator on 127.0.0.1. Version 1.0.0 is released first,"
        + " then 2.0.0 rolls out gated on its error rate.",
        "With --bad, 2.0.0 fails 30%% of its requests: the gate fails and the rollout rolls back by itself (exit 3).",
        "Needs the Debian packages haproxy and prometheus."})
final class DemoCommand implements Callable<Integer> {

    static final String STABLE = "1.0.0";
    static final String NEW = "2.0.0";

    @Parameters(paramLabel = "STRATEGY", arity = "0..1", defaultValue = "canary",
            description = "canary (default), bluegreen or rolling")
    String strategy;

    @Option(names = "--bad", description = "The new version fails 30%% of its requests.")
    boolean bad;

    @Option(names = "--keep", description = "Leave everything running after the rollout until Ctrl-C.")
    boolean keep;

    @Option(names = "--port", defaultValue = "0", description = "HAProxy's front port (default: a free one).")
    int port;

    @Option(names = "--report", paramLabel = "FILE.html", description = "Write the rollout's HTML report.")
    Path report;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json")
    OutputFormat output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    /** Where haproxy and prometheus are looked for (tests: a directory without them). */
    List<Path> searchPath = DemoEnvironment.searchPath();

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (!strategy.equals("canary") && !strategy.equals("bluegreen") && !strategy.equals("rolling")) {
            err.println("STRATEGY: '" + strategy + "' is not one of canary, bluegreen, rolling");
            return ExitCode.INVALID.code();
        }
        if (port != 0 && inUse(port)) {
            err.println("--port " + port + ": port " + port + " is already in use on 127.0.0.1 (nothing was started)");
            return ExitCode.INVALID.code();
        }
        try {
            DemoEnvironment.requirePrograms(searchPath);
        } catch (DemoEnvironment.MissingProgram e) {
            err.println(e.getMessage());
            return ExitCode.INVALID.code();
        }
        Path dir = Files.createTempDirectory("progressive-demo-");
        PrintWriter log = output == OutputFormat.json ? err : out;
        int code;
        Target.Local target = null;
        Path instances = null;
        try (DemoEnvironment env = DemoEnvironment.start(dir, port)) {
            log.println("demo in " + dir + ": HAProxy on " + env.uri() + ", Prometheus on " + env.prometheusAddress());
            Optional<String> failing = bad ? Optional.of(NEW) : Optional.empty();
            Path stateDir = dir.resolve("state");
            RolloutSpec first = write(dir, "stable.yaml", env.spec(STABLE, strategy, failing));
            RolloutSpec second = write(dir, "release.yaml", env.spec(NEW, strategy, failing));
            target = (Target.Local) first.target();
            instances = new Platforms(stateDir).instancesDir(first);
            log.println("== releasing " + STABLE + " (first release: straight to 100%)");
            log.flush();
            Runnable cleanup = cleanup(env, target, instances, dir);
            code = RunCommand.drive(first, stateDir, OutputFormat.text, null, log, err, cleanup, Map::of);
            if (code != 0) {
                return code;
            }
            LoadGenerator load = env.startLoad();
            log.println("== rolling out " + NEW + " (" + strategy + (bad ? ", fails 30% of its requests" : "")
                    + ") under load through HAProxy; spec: " + dir.resolve("release.yaml"));
            log.flush();
            code = RunCommand.drive(second, stateDir, output, report, out, err, cleanup,
                    () -> Map.of("load", load.counts()));
            log.println("load through HAProxy: " + load);
            log.println("HAProxy serves: " + env.routes() + " " + env.weights());
            if (keep) {
                log.println("--keep: everything keeps running; try " + env.uri() + " and "
                        + env.prometheusAddress() + "; Ctrl-C stops it all");
                log.flush();
                Target.Local t = target;
                Path i = instances;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    env.close();
                    DemoEnvironment.stopInstances(t, i);
                    deleteQuietly(dir);
                }, "demo-stop"));
                new CountDownLatch(1).await();
            }
            log.flush();
        } catch (DemoEnvironment.MissingProgram e) {
            err.println(e.getMessage());
            return ExitCode.INVALID.code();
        } finally {
            if (target != null) {
                DemoEnvironment.stopInstances(target, instances);
            }
            if (!keep) {
                deleteQuietly(dir);
            }
        }
        return code;
    }

    /** What a signal during the rollout leaves to clean once the rollback is done (the JVM then halts). */
    private static Runnable cleanup(DemoEnvironment env, Target.Local target, Path instances, Path dir) {
        return () -> {
            env.close();
            DemoEnvironment.stopInstances(target, instances);
            deleteQuietly(dir);
        };
    }

    private static RolloutSpec write(Path dir, String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        try {
            return SpecReader.read(file, Map.of());
        } catch (InvalidSpecException e) {
            throw new IllegalStateException("the demo wrote an invalid spec " + file + ": " + e.problems(), e);
        }
    }

    private static boolean inUse(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
