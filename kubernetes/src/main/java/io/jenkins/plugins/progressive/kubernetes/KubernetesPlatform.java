package io.jenkins.plugins.progressive.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.analysis.MetricProvider;
import io.jenkins.plugins.progressive.kubernetes.traffic.StableServices;
import io.jenkins.plugins.progressive.kubernetes.traffic.gatewayapi.GatewayApiRouter;
import io.jenkins.plugins.progressive.kubernetes.traffic.istio.IstioRouter;
import io.jenkins.plugins.progressive.kubernetes.traffic.nginxingress.NginxIngressRouter;
import io.jenkins.plugins.progressive.kubernetes.traffic.replicas.ReplicaRatioRouter;
import io.jenkins.plugins.progressive.kubernetes.traffic.serviceselector.ServiceSelectorRouter;
import io.jenkins.plugins.progressive.rollout.EventSink;
import io.jenkins.plugins.progressive.rollout.Platform;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.rollout.RolloutEvent;
import io.jenkins.plugins.progressive.rollout.RolloutSnapshots;
import io.jenkins.plugins.progressive.rollout.TrafficRouter;
import io.jenkins.plugins.progressive.rollout.Workload;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.Strategy;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The engine's ports for {@code target.kubernetes}: a {@link KubernetesWorkload} (a canary or preview Deployment
 * beside the app's) or, for a rolling update, a {@link ReplicaSetWorkload} (the Deployment's own ReplicaSets), both
 * watched so every change of the Deployments, ReplicaSets or Pods wakes the rollout; the router the spec's
 * {@code traffic} names; and a {@link RolloutLease} held from {@link #bind} until the rollout ends, renewed in the
 * background, so two pipelines never drive the same Deployment. Blue-green without a router switches Services by selector
 * ({@link ServiceSelectorRouter}: the active Service is the one named like the Deployment).
 *
 * <p>{@link #validate} is the preflight: it reads and asks, and changes nothing.
 */
public final class KubernetesPlatform implements Platform.Binder, AutoCloseable {

    private static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final MetricProvider metrics;
    private final Consumer<String> waker;
    private final Map<String, Held> leases = new ConcurrentHashMap<>();
    private final Map<String, KubernetesEvents> events = new ConcurrentHashMap<>();
    private final java.util.concurrent.ThreadPoolExecutor eventWriter = KubernetesEvents.newWriter();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "progressive-k8s-lease");
        t.setDaemon(true);
        return t;
    });
    private volatile String holder = defaultHolder();
    private volatile Duration leaseDuration = DEFAULT_LEASE;
    private volatile Function<RolloutSpec, RolloutSnapshots> snapshots = spec -> null;

    /**
     * @param waker called with a rollout's lock key whenever a watch sees its Deployments or Pods change
     *              (give it the scheduler's {@code wake}); must not block
     */
    public KubernetesPlatform(KubernetesClient client, MetricProvider metrics, Consumer<String> waker) {
        this.client = Objects.requireNonNull(client, "client");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.waker = waker == null ? k -> { } : waker;
    }

    /** @param waker called whenever a watch sees a change of any rollout bound here */
    public KubernetesPlatform(KubernetesClient client, MetricProvider metrics, Runnable waker) {
        this(client, metrics, waker == null ? (Consumer<String>) null : k -> waker.run());
    }

    /**
     * Who drives (named in the Lease and in the refusal other drivers get, e.g. {@code jenkins-a#12}) and how
     * long a Lease lives without renewal (a crashed driver's rollout can be resumed after that). Call before
     * {@link #bind}.
     */
    public KubernetesPlatform lease(String holderIdentity, Duration duration) {
        if (holderIdentity == null || holderIdentity.isBlank()) {
            throw new IllegalArgumentException("lease holder must not be blank");
        }
        if (duration.getSeconds() < 1) {
            throw new IllegalArgumentException("lease duration must be at least 1s, got " + duration);
        }
        this.holder = holderIdentity;
        this.leaseDuration = duration;
        return this;
    }

    /**
     * How the pre-rollout snapshot of a spec with {@code snapshot.enabled} is taken (e.g.
     * {@code spec -> KubernetesRolloutSnapshots.of(client, spec)}, or with the key and store base a Jenkins build
     * gives). Without it such a spec fails at its first action with the engine's message. Call before {@link #bind}.
     */
    public KubernetesPlatform snapshots(Function<RolloutSpec, RolloutSnapshots> snapshotsOfSpec) {
        this.snapshots = Objects.requireNonNull(snapshotsOfSpec, "snapshotsOfSpec");
        return this;
    }

    /** The identity named in this driver's Leases. */
    public String holder() {
        return holder;
    }

    /**
     * Checks, before anything changes, that the objects the spec names exist and that RBAC allows every verb the
     * rollout will use (one SelfSubjectAccessReview each), and that its pre-rollout snapshot can be taken.
     *
     * @throws InvalidSpecException when the spec cannot run on Kubernetes at all (the field path is named)
     * @throws ClusterException naming the missing object, or every denied verb and resource
     */
    public void validate(RolloutSpec spec) throws InvalidSpecException {
        new Preflight(client, spec).run();
        RolloutSnapshots snapshot = spec.snapshot().enabled() ? snapshots.apply(spec) : null;
        if (snapshot != null) {
            snapshot.preflight();
        }
    }

    /**
     * Takes the rollout's Lease and builds its ports.
     *
     * @throws RolloutLease.HeldException when another driver holds the rollout's Lease
     * @throws ClusterException when an object the spec names is missing or the cluster refuses
     * @throws IllegalArgumentException when the spec's target is not {@code kubernetes}
     */
    @Override
    public Platform bind(RolloutSpec spec) {
        if (!(spec.target() instanceof Target.Kubernetes target)) {
            throw new IllegalArgumentException("target: KubernetesPlatform drives target.kubernetes only, got "
                    + spec.target().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
        }
        String key = spec.lockKey();
        Held held = hold(key, target.namespace());
        Workload workload = null;
        try {
            Runnable onChange = () -> waker.accept(key);
            workload = spec.strategy() instanceof Strategy.Rolling ? new ReplicaSetWorkload(client, target, onChange)
                    : new KubernetesWorkload(client, target, onChange);
            TrafficRouter router = routerFor(client, spec, target, workload);
            events.computeIfAbsent(key, k -> new KubernetesEvents(client, target, eventWriter));
            ServiceSelectorRouter blueGreen = router instanceof ServiceSelectorRouter s ? s : null;
            // Routers that split by backend send the stable share to the app's Services: narrowed to stable Pods.
            StableServices stableServices = router.followsReplicas() || blueGreen != null ? null
                    : new StableServices(client, target.namespace(), target.deployment(),
                            backendServices(client, spec, target));
            Driven driven = new Driven(workload, held, blueGreen, stableServices);
            return new Platform(driven, new Guarded(router, held, stableServices), metrics,
                    spec.snapshot().enabled() ? snapshots.apply(spec) : null);
        } catch (RuntimeException e) {
            if (workload != null) {
                workload.close();
            }
            unhold(key, held);
            throw e;
        }
    }

    /** Records every engine event as a Kubernetes Event on the rollout's Deployment. */
    public EventSink events() {
        return (RolloutEvent e) -> {
            KubernetesEvents sink = events.get(e.rollout());
            if (sink != null) {
                sink.accept(e);
            }
        };
    }

    /** Stops renewing and gives every held Lease up (another driver may then resume at once). */
    @Override
    public void close() {
        renewer.shutdownNow();
        leases.forEach((k, h) -> {
            try {
                h.lease.release();
            } catch (RuntimeException e) {
                // the Lease expires on its own
            }
        });
        leases.clear();
        events.clear();
        eventWriter.shutdown();
        try {
            eventWriter.awaitTermination(5, TimeUnit.SECONDS); // what is queued is still written
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ internals

    /** @param workload the rollout's roles, which a split by replicas reads its share from */
    static TrafficRouter routerFor(KubernetesClient client, RolloutSpec spec, Target.Kubernetes target,
            Workload workload) {
        String ns = target.namespace();
        Traffic traffic = spec.traffic();
        if (traffic instanceof Traffic.NginxIngress n) {
            return new NginxIngressRouter(client, ns, n);
        }
        if (traffic instanceof Traffic.GatewayApi g) {
            return new GatewayApiRouter(client, ns, g);
        }
        if (traffic instanceof Traffic.Istio i) {
            return new IstioRouter(client, ns, i);
        }
        if (traffic instanceof Traffic.Replicas) {
            if (spec.strategy() instanceof Strategy.BlueGreen bg) {
                return new ServiceSelectorRouter(client, ns, target.deployment(), previewOf(bg, target),
                        target.deployment());
            }
            return new ReplicaRatioRouter(workload);
        }
        throw new IllegalArgumentException("traffic: a Kubernetes target is split by replicas, nginxIngress, "
                + "gatewayApi or istio, not " + traffic.getClass().getSimpleName());
    }

    /**
     * The app's Services the router sends the stable share to: the Ingress's backends, the HTTPRoute's Service
     * backendRefs, the VirtualService route's destination hosts (first label). Their {@code -canary} copies are not
     * among them.
     */
    static java.util.List<String> backendServices(KubernetesClient client, RolloutSpec spec, Target.Kubernetes target) {
        String ns = target.namespace();
        java.util.List<String> out = new java.util.ArrayList<>();
        Traffic t = spec.traffic();
        if (t instanceof Traffic.NginxIngress n) {
            var ing = client.network().v1().ingresses().inNamespace(ns).withName(n.ingress()).get();
            if (ing == null) {
                return out;
            }
            if (ing.getSpec().getDefaultBackend() != null && ing.getSpec().getDefaultBackend().getService() != null) {
                out.add(ing.getSpec().getDefaultBackend().getService().getName());
            }
            if (ing.getSpec().getRules() != null) {
                ing.getSpec().getRules().stream().filter(r -> r.getHttp() != null)
                        .flatMap(r -> r.getHttp().getPaths().stream())
                        .filter(p -> p.getBackend() != null && p.getBackend().getService() != null)
                        .forEach(p -> out.add(p.getBackend().getService().getName()));
            }
        } else if (t instanceof Traffic.GatewayApi g) {
            var route = client.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute").inNamespace(ns)
                    .withName(g.httpRoute()).get();
            java.util.List<Map<String, Object>> rules = route == null ? null : route.get("spec", "rules");
            for (var rule : rules == null ? java.util.List.<Map<String, Object>>of() : rules) {
                if (rule.get("backendRefs") instanceof java.util.List<?> l) {
                    l.stream().map(o -> (Map<?, ?>) o)
                            .filter(m -> m.get("kind") == null || "Service".equals(m.get("kind")))
                            .map(m -> String.valueOf(m.get("name"))).forEach(out::add);
                }
            }
        } else if (t instanceof Traffic.Istio i) {
            var vs = client.genericKubernetesResources("networking.istio.io/v1beta1", "VirtualService").inNamespace(ns)
                    .withName(i.virtualService()).get();
            java.util.List<Map<String, Object>> http = vs == null ? null : vs.get("spec", "http");
            for (var h : http == null ? java.util.List.<Map<String, Object>>of() : http) {
                if ((i.route() == null || i.route().equals(h.get("name"))) && h.get("route") instanceof java.util.List<?> l) {
                    l.stream().map(o -> (Map<?, ?>) ((Map<?, ?>) o).get("destination"))
                            .filter(d -> d != null && d.get("host") instanceof String)
                            .map(d -> ((String) d.get("host")).split("\\.")[0]).forEach(out::add);
                }
            }
        }
        return out.stream().filter(s -> !s.endsWith("-canary")).distinct().toList();
    }

    static String previewOf(Strategy.BlueGreen bg, Target.Kubernetes target) {
        return bg.previewService().orElse(target.deployment() + "-preview");
    }

    private Held hold(String key, String namespace) {
        synchronized (leases) {
            Held h = leases.get(key);
            if (h != null) {
                h.lease.acquire();
                h.users++;
                return h;
            }
            RolloutLease lease = new RolloutLease(client, namespace, key, holder, leaseDuration);
            lease.acquire();
            Held held = new Held(lease, key);
            held.users = 1;
            long every = Math.max(200, leaseDuration.toMillis() / 3);
            held.renewal = renewer.scheduleWithFixedDelay(() -> renew(held), every, every, TimeUnit.MILLISECONDS);
            leases.put(key, held);
            return held;
        }
    }

    private void renew(Held h) {
        try {
            h.lease.renew();
        } catch (RolloutLease.HeldException e) {
            h.lost = true;
            h.lostBecause = e.getMessage();
            h.renewal.cancel(false);
            waker.accept(h.key);
        } catch (RuntimeException e) {
            // API server unreachable for a moment: the next renewal tries again before the Lease runs out
        }
    }

    /** One binding less; the Lease goes when no binding of this platform drives the rollout any more. */
    private void unhold(String key, Held h) {
        synchronized (leases) {
            if (--h.users > 0) {
                return;
            }
            if (leases.remove(key, h)) {
                h.renewal.cancel(false);
                try {
                    h.lease.release();
                } catch (RuntimeException e) {
                    // expires on its own
                }
            }
        }
    }

    private static String defaultHolder() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        String pid = ManagementFactory.getRuntimeMXBean().getName().replaceAll("@.*", "");
        return host + "#" + pid + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static final class Held {
        final RolloutLease lease;
        final String key;
        volatile ScheduledFuture<?> renewal;
        volatile boolean lost;
        int users; // bindings of this rollout on this platform (guarded by the leases map)
        volatile String lostBecause;

        Held(RolloutLease lease, String key) {
            this.lease = lease;
            this.key = key;
        }
    }

    private static void requireHeld(Held held) {
        if (held.lost) {
            throw new ClusterException("this driver lost the rollout's lease: " + held.lostBecause);
        }
    }

    /** The router as one driver holds it: no change once the Lease was lost to another driver. */
    private static final class Guarded implements TrafficRouter {
        private final TrafficRouter router;
        private final Held held;
        private final StableServices stableServices;

        Guarded(TrafficRouter router, Held held, StableServices stableServices) {
            this.router = router;
            this.held = held;
            this.stableServices = stableServices;
        }

        @Override
        public void setRoutes(io.jenkins.plugins.progressive.rollout.Routes routes) {
            requireHeld(held);
            if (stableServices != null && routes.stable() > 0) {
                // The stable share must reach the stable's Pods as they are now (after a promotion: the new ones).
                stableServices.pin();
            }
            router.setRoutes(routes);
        }

        @Override
        public io.jenkins.plugins.progressive.rollout.Routes getRoutes() {
            return router.getRoutes();
        }

        @Override
        public boolean followsReplicas() {
            return router.followsReplicas();
        }
    }

    /**
     * The workload as one driver holds it: refuses to act once the Lease was lost, prepares the blue-green
     * Services before the preview's first Pod, and gives the Lease up when the rollout ends.
     */
    private final class Driven implements Workload {
        private final Workload workload;
        private final Held held;
        private final ServiceSelectorRouter services;
        private final StableServices stableServices;

        Driven(Workload workload, Held held, ServiceSelectorRouter services, StableServices stableServices) {
            this.workload = workload;
            this.held = held;
            this.services = services;
            this.stableServices = stableServices;
        }

        @Override
        public RoleStatus status(Role role) {
            return workload.status(role);
        }

        @Override
        public void scale(Role role, String version, int replicas) {
            requireHeld(held);
            if (role == Role.CANARY && replicas > 0) {
                if (services != null) {
                    services.prepare();
                }
                if (stableServices != null) {
                    stableServices.pin();
                }
            }
            workload.scale(role, version, replicas);
        }

        @Override
        public int size() {
            return workload.size();
        }

        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            workload.close();
            unhold(held.key, held);
            if (services != null || stableServices != null) {
                unpinLater(held.key, 0);
            }
        }

        /**
         * A hash pin is lifted once the canary's Pods are gone, which takes a graceful termination: looked at
         * again every second on the platform's one background thread (never blocking an engine thread), and
         * given up when the rollout is bound again (it pins for itself) or after two minutes.
         */
        private void unpinLater(String key, int attempt) {
            try {
                renewer.schedule(() -> {
                    if (leases.containsKey(key)) {
                        return;
                    }
                    boolean done;
                    try {
                        done = (services == null || services.release())
                                && (stableServices == null || stableServices.release());
                    } catch (RuntimeException e) {
                        done = false;
                    }
                    if (!done && attempt < 120) {
                        unpinLater(key, attempt + 1);
                    }
                }, attempt == 0 ? 0 : 1000, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the platform is closing: the pin still serves the stable's Pods; the next rollout re-pins
            }
        }
    }
}
