package io.jenkins.plugins.progressive.cli.snapshot;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code progressive snapshot create|list|show|diff|restore|prune}: the snapshots of what releases touch,
 * for rehearsals, manual restores and disaster recovery to a standby namespace or cluster.
 */
@Command(mixinStandardHelpOptions = true, name = "snapshot", description = "Take, inspect, compare, restore and prune snapshots (see docs/snapshots.md).",
        subcommands = {CreateCommand.class, ListCommand.class, ShowCommand.class, DiffCommand.class,
            RestoreCommand.class, PruneCommand.class})
public final class SnapshotCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Override
    public void run() {
        command.commandLine().usage(command.commandLine().getOut());
    }
}
