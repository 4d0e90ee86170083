package io.jenkins.plugins.progressive.cli;

import io.jenkins.plugins.progressive.cli.snapshot.SnapshotCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code progressive} command: the same engine and spec files as the Jenkins steps, for any CI. */
@Command(name = "progressive", mixinStandardHelpOptions = true, versionProvider = Progressive.Version.class,
        description = "Gated canary, blue-green and rolling releases with automatic rollback.",
        subcommands = {RunCommand.class, StatusCommand.class, ControlCommands.Promote.class,
            ControlCommands.Abort.class, ControlCommands.Rollback.class, GateCommand.class, ValidateCommand.class,
            DemoCommand.class, SnapshotCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:succeeded",
            "2:invalid input (nothing was changed)",
            "3:failed and rolled back",
            "4:failed and could NOT be fully rolled back (needs a person)",
            "5:aborted by request"})
public final class Progressive implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of main). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Progressive());
        RunCommand.STARTED.remove();
        // Wrong flags are invalid input like a wrong spec: exit 2, usage on stderr, no stack trace.
        cli.setExitCodeExceptionMapper(e -> ExitCode.INVALID.code());
        cli.setExecutionExceptionHandler((ex, commandLine, parsed) -> unexpected(ex, commandLine.getErr(),
                RunCommand.STARTED.get()));
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println(ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return ExitCode.INVALID.code();
        });
        return cli.execute(args);
    }

    /**
     * A failure no command expected: one line, no stack trace. Before a rollout started nothing was changed
     * (exit 2); after, the rollout may be half way and stays in the state directory (exit 4: needs a person).
     */
    static int unexpected(Exception e, PrintWriter err, boolean rolloutStarted) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e.getMessage();
        if (rolloutStarted) {
            err.println("unexpected failure during the rollout: " + message + "; it may have changed the target and"
                    + " stays in the state directory: look with 'progressive status', then run again to resume,"
                    + " or rollback");
            err.flush();
            return ExitCode.NEEDS_PERSON.code();
        }
        err.println("unexpected failure: " + message + " (nothing was changed)");
        err.flush();
        return ExitCode.INVALID.code();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Progressive.class.getPackage().getImplementationVersion();
            return new String[] {"progressive " + (v == null ? "(development build)" : v)};
        }
    }
}
