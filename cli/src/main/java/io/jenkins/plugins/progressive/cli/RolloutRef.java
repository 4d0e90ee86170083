package io.jenkins.plugins.progressive.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesStateStore;
import io.jenkins.plugins.progressive.rollout.DirectoryStateStore;
import io.jenkins.plugins.progressive.rollout.StateStore;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Which rollout a command means: its key, the spec it was started with, or the only one in the state dir. A
 * Kubernetes rollout (its key ends {@code @kubernetes/<namespace>/<deployment>}, or its spec's target is
 * kubernetes) is found in the cluster, where {@code run} keeps its state; any other in the state directory.
 */
final class RolloutRef {

    private static final Pattern KUBERNETES_KEY = Pattern.compile(".+@kubernetes/([^/]+)/[^/]+");

    @Parameters(paramLabel = "KEY", arity = "0..1",
            description = "The rollout's key (name@target, as status lists it); optional when the state directory"
                    + " holds one rollout.")
    String key;

    @Option(names = "--spec", paramLabel = "SPEC", description = "Find the rollout by the spec it was started with.")
    Path spec;

    /** A key that is not usable: exit 2 with this message. */
    static final class Unknown extends Exception {
        private static final long serialVersionUID = 1L;

        Unknown(String message) {
            super(message, null, false, false);
        }
    }

    /** A rollout found: the store that holds its state and its key; closing it closes the cluster connection. */
    record Found(StateStore store, String key, KubernetesClient client) implements AutoCloseable {
        @Override
        public void close() {
            if (client != null) {
                client.close();
            }
        }
    }

    Found find(StateDirOption state, ClusterOptions cluster) throws Unknown {
        String wanted = key;
        String where = null;
        if (wanted == null && spec != null) {
            RolloutSpec s;
            try {
                s = SpecReader.read(spec, Map.of());
            } catch (InvalidSpecException e) {
                throw new Unknown(spec + ": " + e.problems().get(0));
            }
            wanted = s.lockKey();
            where = "of " + spec + " ('" + wanted + "')";
        }
        Matcher k8s = wanted == null ? null : KUBERNETES_KEY.matcher(wanted);
        if (k8s != null && k8s.matches()) {
            String namespace = k8s.group(1);
            KubernetesClient client;
            try {
                client = cluster.connect();
            } catch (IllegalArgumentException | ClusterException e) {
                throw new Unknown("rollout '" + wanted + "' keeps its state in the cluster: " + e.getMessage());
            }
            try {
                return check(new KubernetesStateStore(client, namespace), wanted, where,
                        "namespace " + namespace + " of " + client.getMasterUrl(), client);
            } catch (Unknown | RuntimeException e) {
                client.close();
                throw e;
            }
        }
        DirectoryStateStore store = state.store();
        String dir = store.directory().toString();
        if (wanted != null) {
            return check(store, wanted, where, dir, null);
        }
        List<String> keys = store.keys();
        if (keys.size() == 1) {
            return new Found(store, keys.get(0), null);
        }
        throw new Unknown(keys.isEmpty() ? "no rollout in " + dir + " (give --state-dir, or a Kubernetes rollout's"
                + " KEY or --spec)"
                : "several rollouts in " + dir + ": name one of " + String.join(", ", keys) + " or give --spec");
    }

    private static Found check(StateStore store, String key, String where, String in, KubernetesClient client)
            throws Unknown {
        List<String> keys;
        try {
            keys = store.keys();
        } catch (ClusterException e) {
            throw new Unknown("cannot read rollout state in " + in + ": " + e.getMessage());
        }
        if (!keys.contains(key)) {
            throw new Unknown("no rollout " + (where != null ? where : "'" + key + "'") + " in " + in
                    + (keys.isEmpty() ? " (it holds none)" : " (it holds: " + String.join(", ", keys) + ")"));
        }
        return new Found(store, key, client);
    }
}
