package io.jenkins.plugins.progressive.cli;

import io.jenkins.plugins.progressive.rollout.RolloutCommands;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import io.jenkins.plugins.progressive.rollout.StateStore;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * promote, abort and rollback: compare-and-set requests written where the rollout's state is (the state directory,
 * or the cluster for a Kubernetes target), which the {@code run} driving the rollout picks up within a second.
 */
final class ControlCommands {

    private ControlCommands() {
    }

    static RolloutState statusOf(StateStore store, String key) {
        return io.jenkins.plugins.progressive.rollout.RolloutEngine.builder(store, spec -> {
            throw new IllegalStateException("binds nothing");
        }).build().status(key).orElseThrow();
    }

    abstract static class Control implements Callable<Integer> {
        @Mixin
        RolloutRef ref;

        @Mixin
        StateDirOption state;

        @Mixin
        ClusterOptions cluster;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec command;

        abstract RolloutState apply(StateStore store, String key);

        @Override
        public Integer call() {
            PrintWriter err = command.commandLine().getErr();
            try (RolloutRef.Found found = ref.find(state, cluster)) {
                String key = found.key();
                RolloutState s = apply(found.store(), key);
                command.commandLine().getOut().println(command.name() + " requested for '" + key + "' (version "
                        + s.version() + ", phase " + s.phase() + ")");
                return ExitCode.SUCCEEDED.code();
            } catch (RolloutRef.Unknown | IllegalStateException e) {
                err.println(e.getMessage());
                return ExitCode.INVALID.code();
            }
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Pass the current pause or gate of a running rollout.")
    static final class Promote extends Control {
        @Option(names = "--full", description = "Skip every remaining step and promote now.")
        boolean full;

        @Override
        RolloutState apply(StateStore store, String key) {
            return RolloutCommands.promote(store, key, full);
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true,
            description = "Stop a running rollout and roll back (the run exits 5).")
    static final class Abort extends Control {
        @Option(names = "--reason", description = "Recorded with the rollout.")
        String reason;

        @Override
        RolloutState apply(StateStore store, String key) {
            return RolloutCommands.abort(store, key, reason);
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = {"Roll back: a running rollout is aborted; a finished one goes back"
            + " to its previous stable version (give --spec: this command then drives the rollback itself)."})
    static final class Rollback extends Control {
        @Override
        RolloutState apply(StateStore store, String key) {
            return RolloutCommands.rollback(store, key);
        }

        @Override
        public Integer call() {
            if (ref.spec == null) {
                return super.call();
            }
            RolloutSpec spec;
            try {
                spec = SpecReader.read(ref.spec, Map.of());
            } catch (InvalidSpecException e) {
                return RunCommand.invalid(command.commandLine().getErr(), ref.spec + ": ", e);
            }
            boolean wasLive;
            try (RolloutRef.Found found = ref.find(state, cluster)) {
                wasLive = !statusOf(found.store(), found.key()).phase().ended();
            } catch (RolloutRef.Unknown e) {
                command.commandLine().getErr().println(e.getMessage());
                return ExitCode.INVALID.code();
            }
            int code = super.call();
            if (code != 0 || wasLive) {
                return code; // a live rollout's run picks the request up
            }
            return RunCommand.drive(spec, new Platforms(state.dir, cluster), OutputFormat.text, null,
                    command.commandLine().getOut(), command.commandLine().getErr(), () -> { }, java.util.Map::of);
        }
    }
}
