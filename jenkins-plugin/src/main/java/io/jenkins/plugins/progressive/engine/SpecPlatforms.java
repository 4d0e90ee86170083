package io.jenkins.plugins.progressive.engine;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.analysis.MetricProvider;
import io.jenkins.plugins.progressive.hosts.endpoints.FixedEndpoints;
import io.jenkins.plugins.progressive.hosts.haproxy.HaproxyRouter;
import io.jenkins.plugins.progressive.hosts.local.LocalProcesses;
import io.jenkins.plugins.progressive.hosts.nginx.NginxRouter;
import io.jenkins.plugins.progressive.hosts.snapshot.HostObjects;
import io.jenkins.plugins.progressive.hosts.snapshot.HostRolloutSnapshots;
import io.jenkins.plugins.progressive.kubernetes.KubernetesPlatform;
import io.jenkins.plugins.progressive.kubernetes.snapshot.KubernetesRolloutSnapshots;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.kubernetes.traffic.replicas.ReplicaRatioRouter;
import io.jenkins.plugins.progressive.metrics.MetricProviders;
import io.jenkins.plugins.progressive.rollout.Platform;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import io.jenkins.plugins.progressive.rollout.Workload;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The ports of a spec on this controller: hosts targets through the hosts module (local processes run on the
 * controller itself, so they suit a demo or an agent-less single host; endpoints behind HAProxy or nginx are the
 * real non-Kubernetes case), Kubernetes targets through the kubernetes module's {@link KubernetesPlatform} (the same
 * binding as the CLI's: the rollout's Lease, its router, blue-green by Service selector), metrics through
 * {@link MetricProviders} with credentials from the Jenkins store. A Kubernetes spec with {@code snapshot.enabled}
 * gets the kubernetes module's pre-rollout snapshot, its key read from the credential the step named
 * ({@code encryptionKeyCredentialsId}) in the driving build's context when needed, its {@code file:} store relative
 * to the workspace (see {@link SnapshotSetup}); a hosts spec with {@code snapshot.enabled} gets the hosts module's
 * (its router configuration and instances), keyed and stored the same way.
 */
final class SpecPlatforms implements Platform.Binder {

    private final Contexts contexts;
    private final Path localState;
    private final Supplier<ControllerAccess> access;

    SpecPlatforms(Contexts contexts, Path localState, Supplier<ControllerAccess> access) {
        this.contexts = contexts;
        this.localState = localState;
        this.access = access;
    }

    @Override
    public Platform bind(RolloutSpec spec) {
        // checked when the rollout started; again here, as an administrator may have withdrawn the leave since
        // (a rollout attached after a restart binds from its stored request)
        List<String> refused = access.get().problems(spec);
        if (!refused.isEmpty()) {
            throw new IllegalStateException("rollout " + spec.name() + ": " + String.join("; ", refused));
        }
        String key = spec.lockKey();
        MetricProvider metrics = metricsFor(key);
        Target target = spec.target();
        if (target instanceof Target.Kubernetes k) {
            Contexts.Context context = contexts.of(key);
            KubernetesClient client = ClusterClients.connect(context.cluster(), context.credentials(), access.get());
            KubernetesPlatform kubernetes = new KubernetesPlatform(client, metrics, (Runnable) null)
                    .snapshots(rollout -> snapshots(client, rollout, key));
            Platform bound;
            try {
                bound = kubernetes.bind(spec);
            } catch (RuntimeException e) {
                kubernetes.close();
                client.close();
                throw e;
            }
            return new Platform(closing(bound.workload(), kubernetes, client), bound.router(), bound.metrics(),
                    bound.snapshots());
        }
        if (target instanceof Target.Local local) {
            Path instances = localState.resolve(folder(key));
            LocalProcesses processes = new LocalProcesses(local, instances);
            return new Platform(processes, hostsRouter(spec.traffic(), processes::addresses, processes), metrics,
                    spec.snapshot().enabled() ? hostSnapshots(spec, key, Optional.of(instances)) : null);
        }
        Target.Endpoints endpoints = (Target.Endpoints) target;
        FixedEndpoints fixed = FixedEndpoints.remembered(endpoints, spec.name(), spec.version(),
                localState.resolve(folder(key)));
        return new Platform(fixed, hostsRouter(spec.traffic(), fixed::addresses, fixed), metrics,
                spec.snapshot().enabled() ? hostSnapshots(spec, key, Optional.empty()) : null);
    }

    /** The pre-rollout snapshot of a Kubernetes spec, with the step's key credential and workspace. */
    KubernetesRolloutSnapshots snapshots(KubernetesClient client, RolloutSpec spec, String key) {
        Map<String, String> options = contexts.of(key).options();
        return new KubernetesRolloutSnapshots(client, spec,
                SnapshotSetup.keys(options, spec.snapshot(), () -> contexts.of(key).credentials()),
                storeBase(spec, options));
    }

    /** The pre-rollout snapshot of a hosts spec: its router configuration and instances. */
    private HostRolloutSnapshots hostSnapshots(RolloutSpec spec, String key, Optional<Path> instances) {
        Map<String, String> options = contexts.of(key).options();
        return new HostRolloutSnapshots(spec, new HostObjects(spec.name(), spec.target(), spec.traffic(), instances),
                SnapshotSetup.keys(options, spec.snapshot(), () -> contexts.of(key).credentials()),
                storeBase(spec, options));
    }

    private static Path storeBase(RolloutSpec spec, Map<String, String> options) {
        try {
            return SnapshotSetup.location(spec.snapshot().store(), options);
        } catch (IllegalArgumentException e) {
            // checked when the rollout started; a request stored by an older version may still lack its workspace
            throw new SnapshotException(e.getMessage());
        }
    }

    /** Metrics as the build that drives {@code key} may read them. */
    MetricProvider metricsFor(String key) {
        return new MetricProviders(new MetricCredentials(() -> contexts.of(key).credentials()));
    }

    private static TrafficRouter hostsRouter(Traffic traffic, Function<Role, List<String>> addresses,
            Workload workload) {
        if (traffic instanceof Traffic.Haproxy haproxy) {
            return new HaproxyRouter(haproxy, addresses);
        }
        if (traffic instanceof Traffic.Nginx nginx) {
            return new NginxRouter(nginx, addresses);
        }
        // local processes without a router: clients spread over the instances, so the split is the ready ratio
        return new TrafficRouter() {
            @Override
            public boolean followsReplicas() {
                return true;
            }

            @Override
            public void setRoutes(Routes routes) {
                // nothing to send: the engine sizes the roles instead
            }

            @Override
            public Routes getRoutes() {
                RoleStatus stable = workload.status(Role.STABLE);
                RoleStatus canary = workload.status(Role.CANARY);
                return ReplicaRatioRouter.share(stable.ready(), canary.ready());
            }
        };
    }

    /** The workload, and the platform (its Lease) and client it uses closed with it when the rollout ends. */
    private static Workload closing(Workload workload, KubernetesPlatform platform, KubernetesClient client) {
        return new Workload() {
            @Override
            public RoleStatus status(Role role) {
                return workload.status(role);
            }

            @Override
            public void scale(Role role, String version, int replicas) {
                workload.scale(role, version, replicas);
            }

            @Override
            public int size() {
                return workload.size();
            }

            @Override
            public void close() {
                try {
                    workload.close();
                } finally {
                    platform.close();
                    client.close();
                }
            }
        };
    }

    /** A folder name per rollout key (keys hold '/', '@' and spaces). */
    private static String folder(String key) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
