package io.jenkins.plugins.progressive.cli.snapshot;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The cluster a snapshot is taken from or restored into. */
final class ClusterOptions {

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "The kubeconfig; default: $KUBECONFIG, else ~/.kube/config.")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "CONTEXT", description = "The kubeconfig context; default: its current-context.")
    String context;
}
