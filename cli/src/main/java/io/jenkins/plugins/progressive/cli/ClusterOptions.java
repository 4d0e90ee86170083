package io.jenkins.plugins.progressive.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --kubeconfig} and {@code --context}: the cluster a command reaches (rollouts, their state, snapshots). */
public final class ClusterOptions {

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "The kubeconfig; default: $KUBECONFIG, else ~/.kube/config.")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "CONTEXT", description = "The kubeconfig context; default: its current-context.")
    String context;

    /**
     * A client for {@code --kubeconfig}/{@code --context}, else {@code $KUBECONFIG}, else {@code ~/.kube/config},
     * checked once against the server.
     *
     * @throws IllegalArgumentException naming the option when the file or the context is not usable
     * @throws ClusterException when the server does not answer
     */
    public KubernetesClient connect() {
        Path file = kubeconfig;
        if (file == null) {
            String env = System.getenv("KUBECONFIG");
            file = env != null && !env.isBlank() ? Path.of(env.split(java.io.File.pathSeparator)[0])
                    : Path.of(System.getProperty("user.home"), ".kube", "config");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("--kubeconfig: " + file + " does not exist or is not readable"
                    + (kubeconfig == null ? " (give --kubeconfig FILE or set KUBECONFIG)" : ""));
        }
        try {
            return KubernetesConnection.fromKubeconfig(file, context);
        } catch (ClusterException e) {
            if (e.code() == 0 && e.getMessage().startsWith("kubeconfig ")) {
                throw new IllegalArgumentException("--kubeconfig/--context: " + e.getMessage());
            }
            throw e;
        }
    }
}
