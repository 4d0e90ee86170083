package io.jenkins.plugins.progressive.cli;

import io.jenkins.plugins.progressive.hosts.endpoints.FixedEndpoints;
import io.jenkins.plugins.progressive.hosts.haproxy.HaproxyRouter;
import io.jenkins.plugins.progressive.hosts.local.LocalProcesses;
import io.jenkins.plugins.progressive.hosts.nginx.NginxRouter;
import io.jenkins.plugins.progressive.hosts.snapshot.HostObjects;
import io.jenkins.plugins.progressive.hosts.snapshot.HostRolloutSnapshots;
import io.jenkins.plugins.progressive.metrics.Credentials;
import io.jenkins.plugins.progressive.metrics.MetricProviders;
import io.jenkins.plugins.progressive.rollout.Platform;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RolloutSnapshots;
import io.jenkins.plugins.progressive.rollout.Routes;
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
import java.util.function.Function;

/** The CLI's ports: what each spec target and traffic router runs on from this host. */
final class Platforms implements Platform.Binder {

    private final Path stateDir;
    private final MetricProviders metrics;
    private final java.util.Map<String, Platform> bound = new java.util.concurrent.ConcurrentHashMap<>();

    Platforms(Path stateDir) {
        this.stateDir = stateDir;
        this.metrics = new MetricProviders(Credentials.fromEnvironment(System.getenv()));
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
            // KUBERNETES: wire io.jenkins.plugins.progressive.kubernetes.KubernetesPlatform here (and in bind).
            throw new InvalidSpecException("target.kubernetes", "kubernetes targets are not wired into the CLI yet;"
                    + " use target.local or target.endpoints");
        }
        if (spec.snapshot().enabled()) {
            HostObjects.validate(spec.target(), spec.traffic(), spec.snapshot());
        }
        if (spec.target() instanceof Target.Endpoints endpoints) {
            FixedEndpoints fixed;
            try {
                fixed = endpoints(spec, endpoints);
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
            FixedEndpoints fixed = endpoints(spec, endpoints);
            workload = fixed;
            addresses = fixed::addresses;
        } else {
            // KUBERNETES: the single place to bind a KubernetesPlatform (from KubernetesConnection's client).
            throw new IllegalArgumentException("kubernetes targets are not wired into the CLI yet");
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
        Platform platform = new Platform(workload, router, metrics, snapshots);
        bound.put(spec.lockKey(), platform);
        return platform;
    }

    /** The platform last bound for {@code key}, if any. */
    Optional<Platform> bound(String key) {
        return Optional.ofNullable(bound.get(key));
    }

    Path instancesDir(RolloutSpec spec) {
        return HostObjects.instancesDir(stateDir, spec.name());
    }

    /**
     * Fixed endpoints remember which set serves and each endpoint's version in the state directory, under the
     * name and the endpoints of both sets (a release that swaps the lists finds the same memory).
     */
    private FixedEndpoints endpoints(RolloutSpec spec, Target.Endpoints target) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(target.stable());
        all.addAll(target.canary());
        String id = Integer.toHexString(String.join(",", all).hashCode());
        Path memory = stateDir.resolve("endpoints").resolve(spec.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + id
                + ".json");
        return new FixedEndpoints(target, spec.version(), Optional.empty(), Optional.of(memory));
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
