package io.jenkins.plugins.progressive.engine;

import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a step may do on the Jenkins controller itself, where the engine runs. Anyone who can configure a job could
 * otherwise run commands there, write or read its files, talk to its local services or act with its own Kubernetes
 * identity; so all of that is refused unless an administrator allowed it in the global configuration
 * ({@code ProgressiveConfiguration}).
 *
 * @param processes run processes on the controller (local targets, nginx reload commands) and talk to services on
 *                  its loopback (an HAProxy runtime API on 127.0.0.1)
 * @param paths absolute path prefixes under which steps may use the controller's files: nginx upstream files,
 *              {@code file:} snapshot stores, HAProxy unix sockets, Prometheus file_sd files
 * @param kubernetesIdentity connect to Kubernetes with the controller's own account (its in-cluster service account
 *                           or {@code ~/.kube/config}) when a step names no cluster, or a cloud without credentials
 */
public record ControllerAccess(boolean processes, List<String> paths, boolean kubernetesIdentity) {

    /** Nothing on the controller: the default. */
    public static final ControllerAccess NONE = new ControllerAccess(false, List.of(), false);

    private static final String WHERE = " (Manage Jenkins » System » Progressive Delivery » Controller access)";

    public ControllerAccess {
        paths = paths.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
    }

    /** What {@code spec} would do on the controller without being allowed to, by field path; empty when nothing. */
    List<String> problems(RolloutSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec.target() instanceof Target.Local local) {
            if (!processes) {
                problems.add("target.local: local targets run their processes on the Jenkins controller; an"
                        + " administrator must allow controller processes" + WHERE + ", or use an endpoints or"
                        + " kubernetes target");
            }
            local.prometheusFileSd().ifPresent(file -> path("target.local.discovery.prometheusFileSd", file)
                    .ifPresent(problems::add));
        }
        if (spec.traffic() instanceof Traffic.Nginx nginx) {
            path("traffic.nginx.upstreamFile", nginx.upstreamFile()).ifPresent(problems::add);
            if (!nginx.reloadCommand().isEmpty() && !processes) {
                problems.add("traffic.nginx.reloadCommand: the reload command would run on the Jenkins controller;"
                        + " an administrator must allow controller processes" + WHERE);
            }
        }
        if (spec.traffic() instanceof Traffic.Haproxy haproxy) {
            runtimeApi(haproxy.runtimeApi()).ifPresent(problems::add);
        }
        if (spec.snapshot().enabled()) {
            store("snapshot.store", spec.snapshot().store()).ifPresent(problems::add);
        }
        return problems;
    }

    /** A {@code file:} store outside the workspace must be under an allowed path; other stores are not files here. */
    Optional<String> store(String field, String uri) {
        if (uri == null || !uri.startsWith("file:")) {
            return Optional.empty();
        }
        String path = uri.substring("file:".length());
        path = path.startsWith("//") ? path.substring(2) : path;
        return path.startsWith("/") ? path(field, path) : Optional.empty();
    }

    /** Why a step may not connect with the controller's own Kubernetes account; empty when it may, or does not. */
    Optional<String> kubernetesIdentity(Optional<RolloutDriver.ClusterConnection> cluster) {
        if (kubernetesIdentity || !ClusterClients.usesControllerAccount(cluster)) {
            return Optional.empty();
        }
        return Optional.of(identityRefusal(cluster));
    }

    /**
     * Refuses a connection that would use the controller's own account, when that is not allowed (checked again
     * at connect: the administrator may have withdrawn the leave since the work started).
     */
    void checkKubernetesIdentity(Optional<RolloutDriver.ClusterConnection> cluster) {
        if (!kubernetesIdentity) {
            throw new ClusterException(identityRefusal(cluster));
        }
    }

    private static String identityRefusal(Optional<RolloutDriver.ClusterConnection> cluster) {
        String how = cluster.isEmpty() ? "the step names no cluster (and does not run in a pod agent)"
                : !cluster.get().cloud().isEmpty() ? "cloud '" + cluster.get().cloud() + "' has no server URL and no"
                        + " credentials" : "cluster '" + cluster.get().name() + "' has no server URL and no credentials";
        return "cluster: " + how + ", so it would act with the Jenkins controller's own"
                + " Kubernetes account (its in-cluster service account or ~/.kube/config); name a cluster with a"
                + " credential (cluster: '<name>' of the global configuration), or an administrator must allow the"
                + " controller's Kubernetes identity" + WHERE;
    }

    private Optional<String> runtimeApi(String address) {
        if (address.startsWith("unix:")) {
            return path("traffic.haproxy.runtimeApi", address.substring("unix:".length()));
        }
        String hostPort = address.startsWith("tcp:") ? address.substring("tcp:".length()) : address;
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (processes || !isController(host)) {
            return Optional.empty();
        }
        return Optional.of("traffic.haproxy.runtimeApi: '" + address + "' is a socket of the Jenkins controller"
                + " itself; an administrator must allow controller processes" + WHERE
                + ", or give the address of the HAProxy host");
    }

    /** Loopback, the wildcard address or one of the controller's own interfaces. */
    private static boolean isController(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (address.isLoopbackAddress() || address.isAnyLocalAddress()
                        || NetworkInterface.getByInetAddress(address) != null) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException e) {
            return false; // the router reports an unreachable host when it connects
        } catch (SocketException e) {
            return true;
        }
    }

    private Optional<String> path(String field, String file) {
        Path wanted;
        try {
            wanted = Path.of(file).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return Optional.of(field + ": '" + file + "' is not a path: " + e.getMessage());
        }
        for (String prefix : paths) {
            try {
                if (wanted.startsWith(Path.of(prefix).toAbsolutePath().normalize())) {
                    return Optional.empty();
                }
            } catch (InvalidPathException e) {
                // an unusable prefix allows nothing
            }
        }
        return Optional.of(field + ": '" + file + "' is a path on the Jenkins controller, and "
                + (paths.isEmpty() ? "no controller path is allowed" : "it is not under an allowed controller path ("
                        + String.join(", ", paths) + ")")
                + "; an administrator must add a prefix of it to the allowed controller paths" + WHERE);
    }
}
