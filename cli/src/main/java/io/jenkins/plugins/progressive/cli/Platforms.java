package io.jenkins.plugins.progressive.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.hosts.endpoints.FixedEndpoints;
import io.jenkins.plugins.progressive.hosts.haproxy.HaproxyRouter;
import io.jenkins.plugins.progressive.hosts.local.LocalProcesses;
import io.jenkins.plugins.progressive.hosts.nginx.NginxRouter;
import io.jenkins.plugins.progressive.hosts.snapshot.HostObjects;
import io.jenkins.plugins.progressive.hosts.snapshot.HostRolloutSnapshots;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesPlatform;
import io.jenkins.plugins.progressive.kubernetes.KubernetesStateStore;
import io.jenkins.plugins.progressive.kubernetes.snapshot.KubernetesRolloutSnapshots;
import io.jenkins.plugins.progressive.metrics.Credentials;
import io.jenkins.plugins.progressive.metrics.MetricProviders;
import io.jenkins.plugins.progressive.rollout.EventSink;
import io.jenkins.plugins.progressive.rollout.Platform;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RolloutSnapshots;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.StateStore;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import io.jenkins.plugins.progressive.rollout.Workload;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The CLI's ports: what each spec target and traffic router runs on from this host. A Kubernetes target runs
 * through the kubernetes module's {@link KubernetesPlatform} on the cluster of {@code --kubeconfig}/{@code --context}.
 */
final class Platforms implements Platform.Binder, AutoCloseable {

    private final Path stateDir;
    private final ClusterOptions cluster;
    private final MetricProviders metrics;
    private volatile Consumer<String> waker = key -> { };
    private KubernetesClient client;
    private KubernetesPlatform kubernetes;

    Platforms(Path stateDir) {
        this(stateDir, new ClusterOptions());
    }

    /** @param cluster where a {@code target.kubernetes} spec runs and keeps its state */
    Platforms(Path stateDir, ClusterOptions cluster) {
        this.stateDir = stateDir;
        this.cluster = cluster;
        this.metrics = new MetricProviders(Credentials.fromEnvironment(System.getenv()));
    }

    Path stateDir() {
        return stateDir;
    }

    /** Whom to tell when a watch sees a rollout's Deployments or Pods change (the scheduler's wake). */
    void wakeWith(Consumer<String> waker) {
        this.waker = waker;
    }

    /**
     * Where a spec's rollout state is checkpointed: a Kubernetes target's in the cluster (a ConfigMap in its
     * namespace, so status, promote, abort and rollback work from any host with the kubeconfig), any other in
     * the state directory.
     */
    StateStore stateStore(RolloutSpec spec) {
        if (spec.target() instanceof Target.Kubernetes k) {
            return new KubernetesStateStore(kubernetesClient(), k.namespace());
        }
        return new StateDirOption.Fixed(stateDir).store();
    }

    /** Where the engine's events go besides the terminal: Kubernetes Events on the rollout's Deployment. */
    EventSink events() {
        KubernetesPlatform k;
        synchronized (this) {
            k = kubernetes;
        }
        return k == null ? EventSink.NONE : k.events();
    }

    /**
     * A Kubernetes target: the kubeconfig and context answer, the Deployment and the router's objects exist and
     * RBAC allows every verb the rollout uses. Every refusal is invalid input: nothing was changed.
     */
    private void preflightKubernetes(RolloutSpec spec) throws InvalidSpecException {
        try {
            kubernetes().validate(spec);
        } catch (IllegalArgumentException | ClusterException e) {
            throw new InvalidSpecException("target.kubernetes", e.getMessage());
        }
    }

    private synchronized KubernetesClient kubernetesClient() {
        if (client == null) {
            client = cluster.connect();
        }
        return client;
    }

    /** One platform for every Kubernetes rollout of this process: its Leases name this host and pid. */
    private synchronized KubernetesPlatform kubernetes() {
        if (kubernetes == null) {
            KubernetesClient c = kubernetesClient();
            kubernetes = new KubernetesPlatform(c, metrics, (String key) -> waker.accept(key))
                    .snapshots(spec -> KubernetesRolloutSnapshots.of(c, spec));
        }
        return kubernetes;
    }

    /** Gives the Leases up and closes the cluster connection. */
    @Override
    public synchronized void close() {
        if (kubernetes != null) {
            kubernetes.close();
            kubernetes = null;
        }
        if (client != null) {
            client.close();
            client = null;
        }
    }

    MetricProviders metrics() {
        return metrics;
    }

    /**
     * Everything that can be checked without changing anything: the target kind is wired in, the router
     * answers and has the backend, the Prometheus servers answer.
     *
     * @throws InvalidSpecException naming the field; nothing was changed
     */
    void preflight(RolloutSpec spec) throws InvalidSpecException {
        if (spec.target() instanceof Target.Kubernetes) {
            preflightKubernetes(spec);
            checkMetrics(spec);
            return;
        }
        if (spec.snapshot().enabled()) {
            HostObjects.validate(spec.target(), spec.traffic(), spec.snapshot());
        }
        if (spec.target() instanceof Target.Endpoints endpoints) {
            FixedEndpoints fixed;
            try {
                fixed = FixedEndpoints.remembered(endpoints, spec.name(), spec.version(), stateDir);
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new InvalidSpecException("target.endpoints", e.getMessage());
            }
            fixed.check();
        }
        Function<Role, List<String>> none = r -> List.of();
        if (spec.traffic() instanceof Traffic.Haproxy h) {
            new HaproxyRouter(h, none).check();
        } else if (spec.traffic() instanceof Traffic.Nginx n) {
            new NginxRouter(n, none).check();
        } else if (!(spec.traffic() instanceof Traffic.Replicas)) {
            throw new InvalidSpecException("traffic", "this router needs a Kubernetes target; with target."
                    + targetKind(spec.target()) + " use traffic.haproxy, traffic.nginx or traffic.replicas");
        }
        checkMetrics(spec);
    }

    private void checkMetrics(RolloutSpec spec) throws InvalidSpecException {
        for (AnalysisTemplate t : spec.analysis().values()) {
            if (t.query() instanceof AnalysisTemplate.Prometheus) {
                try {
                    metrics.check(t);
                } catch (RuntimeException e) {
                    throw unusable(t, e);
                }
            }
        }
    }

    /** Why a template's Prometheus cannot be used, on the field that is wrong (its CA file, else its address). */
    static InvalidSpecException unusable(AnalysisTemplate t, RuntimeException e) {
        String ca = "analysis." + t.name() + ".prometheus.caCertificate";
        String m = String.valueOf(e.getMessage());
        return m.startsWith(ca + ": ") ? new InvalidSpecException(ca, m.substring(ca.length() + 2))
                : new InvalidSpecException("analysis." + t.name() + ".prometheus.address", m);
    }

    @Override
    public Platform bind(RolloutSpec spec) {
        Workload workload;
        Function<Role, List<String>> addresses;
        if (spec.target() instanceof Target.Local local) {
            LocalProcesses processes = new LocalProcesses(local, instancesDir(spec));
            workload = processes;
            addresses = processes::addresses;
        } else if (spec.target() instanceof Target.Endpoints endpoints) {
            FixedEndpoints fixed = FixedEndpoints.remembered(endpoints, spec.name(), spec.version(), stateDir);
            workload = fixed;
            addresses = fixed::addresses;
        } else {
            return kubernetes().bind(spec);
        }
        TrafficRouter router;
        if (spec.traffic() instanceof Traffic.Haproxy h) {
            router = new HaproxyRouter(h, addresses);
        } else if (spec.traffic() instanceof Traffic.Nginx n) {
            router = new NginxRouter(n, addresses);
        } else {
            router = new ReplicaRouter();
        }
        RolloutSnapshots snapshots = new HostRolloutSnapshots(spec, new HostObjects(spec.name(), spec.target(),
                spec.traffic(), spec.target() instanceof Target.Local ? Optional.of(instancesDir(spec)) : Optional.empty()),
                KeyProvider.from(spec.snapshot().encryptionKey()), Path.of(""));
        return new Platform(workload, router, metrics, snapshots);
    }

    Path instancesDir(RolloutSpec spec) {
        return HostObjects.instancesDir(stateDir, spec.name());
    }

    private static String targetKind(Target t) {
        return t instanceof Target.Local ? "local" : t instanceof Target.Endpoints ? "endpoints" : "kubernetes";
    }

    /** No router in front: the share follows the ready instances, which the engine sizes. */
    private static final class ReplicaRouter implements TrafficRouter {
        @Override
        public void setRoutes(Routes routes) {
            // nothing to set: the engine scales the roles instead
        }

        @Override
        public Routes getRoutes() {
            throw new UnsupportedOperationException("no router: the split follows the ready instances");
        }

        @Override
        public boolean followsReplicas() {
            return true;
        }
    }
}
