package io.jenkins.plugins.progressive.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jenkins.plugins.progressive.cli.report.HtmlReport;
import io.jenkins.plugins.progressive.kubernetes.RolloutLease;
import io.jenkins.plugins.progressive.rollout.EventSink;
import io.jenkins.plugins.progressive.rollout.RolloutCommands;
import io.jenkins.plugins.progressive.rollout.RolloutEngine;
import io.jenkins.plugins.progressive.rollout.RolloutEvent;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.RolloutScheduler;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import io.jenkins.plugins.progressive.rollout.StateStore;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Start a rollout and drive it to its end, printing every step, weight and"
        + " measurement. If the state directory holds a live rollout of the same spec (the CLI was killed),"
        + " it is resumed instead.", "Ctrl-C (SIGINT/SIGTERM) aborts the rollout and rolls back (exit 5)."})
final class RunCommand implements Callable<Integer> {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Set once this thread has started or resumed a rollout: a failure after that may have changed things. */
    static final ThreadLocal<Boolean> STARTED = ThreadLocal.withInitial(() -> false);

    @Parameters(paramLabel = "SPEC", description = "The spec file (.yaml, .yml or .json).")
    Path file;

    @Mixin
    Overrides overrides;

    @Mixin
    StateDirOption state;

    @Mixin
    ClusterOptions cluster;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (one result document)")
    OutputFormat output;

    @Option(names = "--report", paramLabel = "FILE.html", description = "Also write a self-contained HTML report.")
    Path report;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        RolloutSpec spec;
        try {
            spec = SpecReader.read(file, overrides.asMap());
        } catch (InvalidSpecException e) {
            return invalid(err, file + ": ", e);
        }
        return drive(spec, new Platforms(state.dir, cluster), output, report, out, err, () -> { }, Map::of);
    }

    static int invalid(PrintWriter err, String prefix, InvalidSpecException e) {
        err.println(prefix + e.problems().size() + (e.problems().size() == 1 ? " problem" : " problems")
                + " (nothing was changed)");
        e.problems().forEach(p -> err.println("  " + p));
        return ExitCode.INVALID.code();
    }

    static RolloutEngine engine(StateStore store, Platforms platforms, Progress progress) {
        EventSink cluster = platforms.events();
        return RolloutEngine.builder(store, platforms)
                .events(e -> {
                    progress.accept(e);
                    cluster.accept(e);
                })
                .pollInterval(Duration.ofMillis(500))
                // commands written by promote/abort/rollback in another process are picked up this often
                .commandPollInterval(Duration.ofSeconds(1))
                .retries(3, Duration.ofMillis(500))
                .build();
    }

    /** Starts or resumes {@code spec} and drives it to its end; the exit code of PRODUCT.md. */
    static int drive(RolloutSpec spec, Path stateDir, OutputFormat output, Path report, PrintWriter out,
            PrintWriter err) {
        return drive(spec, stateDir, output, report, out, err, () -> { }, Map::of);
    }

    /**
     * @param afterSignal run after the rollback a signal caused, before the JVM halts
     * @param more fields added to the JSON result document once the rollout has ended (the demo's load counts)
     */
    static int drive(RolloutSpec spec, Path stateDir, OutputFormat output, Path report, PrintWriter out,
            PrintWriter err, Runnable afterSignal, Supplier<Map<String, Object>> more) {
        return drive(spec, new Platforms(stateDir), output, report, out, err, afterSignal, more);
    }

    /** @param platforms where the spec runs (closed here: Leases given up, cluster connection closed) */
    static int drive(RolloutSpec spec, Platforms platforms, OutputFormat output, Path report, PrintWriter out,
            PrintWriter err, Runnable afterSignal, Supplier<Map<String, Object>> more) {
        try (platforms) {
            return preflightAndDrive(spec, platforms, output, report, out, err, afterSignal, more);
        }
    }

    private static int preflightAndDrive(RolloutSpec spec, Platforms platforms, OutputFormat output, Path report,
            PrintWriter out, PrintWriter err, Runnable afterSignal, Supplier<Map<String, Object>> more) {
        Path stateDir = platforms.stateDir();
        try {
            platforms.preflight(spec);
        } catch (InvalidSpecException e) {
            return invalid(err, "", e);
        }
        Optional<DriverLock> driver;
        try {
            driver = DriverLock.tryAcquire(stateDir, spec.lockKey());
        } catch (IOException e) {
            err.println("cannot use the state directory " + stateDir + ": " + e.getMessage());
            return ExitCode.INVALID.code();
        }
        if (driver.isEmpty()) {
            err.println("rollout '" + spec.lockKey() + "' is being driven by another progressive run on " + stateDir
                    + "; use status, promote, abort or rollback (nothing was changed)");
            return ExitCode.INVALID.code();
        }
        try (DriverLock held = driver.get()) {
            return drive(spec, stateDir, output, report, out, err, afterSignal, more, platforms);
        } catch (IOException e) {
            err.println("cannot release the driver lock in " + stateDir + ": " + e.getMessage());
            return ExitCode.NEEDS_PERSON.code();
        }
    }

    private static int drive(RolloutSpec spec, Path stateDir, OutputFormat output, Path report, PrintWriter out,
            PrintWriter err, Runnable afterSignal, Supplier<Map<String, Object>> more, Platforms platforms) {
        boolean json = output == OutputFormat.json;
        // With --output json the events go to stderr so stdout holds the one document.
        PrintWriter eventsOut = json ? err : out;
        StateStore store = platforms.stateStore(spec);
        String key = spec.lockKey();
        Progress progress = new Progress(eventsOut, !json && System.console() != null,
                () -> store.load(key).map(stored -> RolloutState.fromJson(stored.json())));
        RolloutEngine engine = engine(store, platforms, progress);
        CompletableFuture<RolloutResult> done;
        try (RolloutScheduler scheduler = new RolloutScheduler(engine, 2)) {
            platforms.wakeWith(scheduler::wake);
            Optional<RolloutState> existing = engine.status(key);
            STARTED.set(true);
            try {
                if (existing.isPresent() && !existing.get().phase().ended()) {
                    engine.resume(spec);
                    eventsOut.println("resuming rollout '" + key + "' of " + existing.get().version() + " at step "
                            + existing.get().step() + " (" + existing.get().phase() + ")");
                    eventsOut.flush();
                    done = scheduler.drive(key);
                } else {
                    done = scheduler.submit(spec);
                }
            } catch (IllegalStateException | RolloutLease.HeldException e) {
                // a live rollout of the same key, or a Kubernetes rollout another driver's Lease holds
                err.println(e.getMessage() + " (nothing was changed)");
                return ExitCode.INVALID.code();
            }
            Interrupt interrupt = new Interrupt(store, key, done, afterSignal);
            Thread hook = new Thread(interrupt, "progressive-abort-on-signal");
            Runtime.getRuntime().addShutdownHook(hook);
            int code;
            try {
                code = finish(done, engine, key, progress, json, report, out, err, more);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs: it waits for us below, then exits with this code
                }
            }
            interrupt.printed(code);
            return code;
        }
    }

    private static int finish(CompletableFuture<RolloutResult> done, RolloutEngine engine, String key,
            Progress progress, boolean json, Path report, PrintWriter out, PrintWriter err,
            Supplier<Map<String, Object>> more) {
        RolloutResult result;
        try {
            result = done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted; the rollout stays in the state directory: run again to resume");
            return ExitCode.NEEDS_PERSON.code();
        } catch (ExecutionException e) {
            progress.close();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            err.println("the rollout could not be driven: " + cause.getMessage()
                    + "; it stays in the state directory (status, rollback, or run again to resume)");
            return ExitCode.NEEDS_PERSON.code();
        }
        progress.close();
        RolloutState finalState = engine.status(key).orElse(null);
        if (report != null && finalState != null) {
            try {
                HtmlReport.write(finalState, report);
            } catch (IOException e) {
                err.println("cannot write the report " + report + ": " + e.getMessage());
            }
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("rollout", key);
            doc.put("version", finalState == null ? null : finalState.version());
            doc.putAll(result.toMap());
            List<Map<String, Object>> events = new ArrayList<>();
            for (Progress.Seen seen : progress.events()) {
                RolloutEvent e = seen.event();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("at", e.at().toString());
                m.put("seen", seen.seen().toString());
                m.put("kind", e.kind());
                m.put("message", e.message());
                events.add(m);
            }
            doc.put("events", events);
            doc.putAll(more.get());
            try {
                out.println(JSON.writeValueAsString(doc));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        } else {
            out.println(result.status() + " (verdict " + result.verdict() + ") in " + result.durationMillis() + " ms: "
                    + result.message());
            out.println("router serves: " + (result.routes() == null ? "unknown (could not be read back)"
                    : result.routes()));
            if (report != null) {
                out.println("report: " + report);
            }
        }
        out.flush();
        return result.exitCode();
    }

    /** On SIGINT/SIGTERM: ask for an abort (traffic to stable first), wait for the rollback, exit 5. */
    private static final class Interrupt implements Runnable {
        private final StateStore store;
        private final String key;
        private final CompletableFuture<RolloutResult> done;
        private final CountDownLatch printed = new CountDownLatch(1);
        private final Runnable afterSignal;
        private volatile int code = ExitCode.ABORTED.code();

        Interrupt(StateStore store, String key, CompletableFuture<RolloutResult> done,
                Runnable afterSignal) {
            this.afterSignal = afterSignal;
            this.store = store;
            this.key = key;
            this.done = done;
        }

        void printed(int exitCode) {
            this.code = exitCode;
            printed.countDown();
        }

        @Override
        public void run() {
            if (done.isDone()) {
                return;
            }
            try {
                RolloutCommands.abort(store, key, "interrupted (SIGINT/SIGTERM)");
                done.get(2, TimeUnit.MINUTES);
                printed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | ExecutionException | TimeoutException e) {
                System.err.println("abort on signal failed: " + e.getMessage()
                        + "; the rollout stays in the state directory");
                afterSignal.run();
                Runtime.getRuntime().halt(ExitCode.NEEDS_PERSON.code());
            }
            afterSignal.run();
            Runtime.getRuntime().halt(code);
        }
    }
}
