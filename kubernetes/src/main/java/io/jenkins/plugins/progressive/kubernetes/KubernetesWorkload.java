package io.jenkins.plugins.progressive.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.rollout.Workload;
import io.jenkins.plugins.progressive.spec.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A Deployment seen as two roles. STABLE is the Deployment itself; CANARY is a Deployment
 * {@code <name>-canary} beside it whose selector and pod labels are the stable's plus
 * {@code progressive.jenkins.io/role: canary}, so a Service selecting the app's labels sends requests to both
 * (see docs/kubernetes.md for why this pattern). Progress is observed by watching the two Deployments and
 * their Pods; every change calls {@code onChange} so the engine's scheduler can look again at once.
 */
public final class KubernetesWorkload implements Workload {

    public static final String ROLE_LABEL = "progressive.jenkins.io/role";
    public static final String VERSION_ANNOTATION = "progressive.jenkins.io/version";
    /** The stable's replicas when the rollout started, kept on the stable so a restarted driver sizes alike. */
    public static final String SIZE_ANNOTATION = "progressive.jenkins.io/stable-replicas";

    /**
     * Waiting reasons that fail the step at once: the kubelet has given up for now and backs off
     * (ImagePullBackOff, CrashLoopBackOff) or cannot start the container without a change to the spec. A first
     * ErrImagePull, CreateContainerError or RunContainerError may pass on the next attempt; when it persists,
     * the kubelet reports the back-off, or the Deployment's progress deadline passes.
     */
    static final Set<String> FAILING_REASONS = Set.of("ImagePullBackOff", "CrashLoopBackOff", "InvalidImageName",
            "CreateContainerConfigError", "ErrImageNeverPull");
    /** How long a failing Pod's Warning Event is waited for, so the step's message can say why. */
    static final Duration EVENT_GRACE = Duration.ofSeconds(10);
    static final int UPDATE_ATTEMPTS = 8;

    private final KubernetesClient client;
    private final Target.Kubernetes target;
    private final String server;
    private final int size;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    /** When each failing Pod (by uid) was first seen failing, for {@link #EVENT_GRACE}. */
    private final Map<String, Instant> failingSince = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Reads the stable Deployment (it must exist and have the container) and starts watching.
     *
     * @param onChange called from a watch thread whenever either role or one of its Pods changes; must not block
     */
    public KubernetesWorkload(KubernetesClient client, Target.Kubernetes target, Runnable onChange) {
        this.client = client;
        this.target = target;
        this.server = String.valueOf(client.getMasterUrl());
        Deployment stable = readTarget();
        container(stable);
        String recorded = annotations(stable.getMetadata()).get(SIZE_ANNOTATION);
        this.size = recorded != null ? Integer.parseInt(recorded) : replicas(stable);
        if (onChange != null) {
            // Informers, not plain watches: they list again and resume after the watch is dropped or its
            // resourceVersion was compacted away (410 Gone), where a plain watch just ends.
            Set<String> names = Set.of(target.deployment(), canaryName());
            informers.add(call("watch deployments in " + target.namespace(), () -> client.apps().deployments()
                    .inNamespace(target.namespace()).inform(new Trigger<>(d -> names.contains(d.getMetadata()
                            .getName()), onChange), 0)));
            Map<String, String> selector = stable.getSpec().getSelector().getMatchLabels();
            informers.add(call("watch pods in " + target.namespace(), () -> client.pods()
                    .inNamespace(target.namespace()).withLabels(selector).inform(new Trigger<>(p -> true, onChange),
                            0)));
        }
    }

    private String canaryName() {
        return target.deployment() + "-canary";
    }

    private String nameOf(Role role) {
        return role == Role.STABLE ? target.deployment() : canaryName();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public RoleStatus status(Role role) {
        Optional<Deployment> found = read(nameOf(role));
        if (found.isEmpty()) {
            return RoleStatus.NONE;
        }
        Deployment d = found.get();
        int desired = replicas(d);
        var st = d.getStatus();
        boolean current = st != null && caughtUp(d.getMetadata(), st.getObservedGeneration());
        int updated = current ? nz(st.getUpdatedReplicas()) : 0;
        // readyReplicas counts old pods too: at least (ready - old pods) of the updated ones are ready.
        int ready = current ? Math.max(0, Math.min(updated, nz(st.getReadyReplicas())
                - Math.max(0, nz(st.getReplicas()) - updated))) : 0;
        Optional<String> version = versionOf(d);
        Optional<String> failure = ready >= desired ? Optional.empty() : failureOf(d);
        return new RoleStatus(version, desired, updated, ready, failure);
    }

    @Override
    public void scale(Role role, String version, int replicas) {
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must be >= 0, got " + replicas);
        }
        String image = target.imageFor(version);
        if (role == Role.STABLE) {
            update(target.deployment(), d -> {
                Map<String, String> ann = annotations(d.getMetadata());
                if (replicas == size) {
                    ann.remove(SIZE_ANNOTATION); // back to full size: nothing to remember
                } else {
                    ann.putIfAbsent(SIZE_ANNOTATION, Integer.toString(size));
                }
                Container c = container(d);
                if (!image.equals(c.getImage())) {
                    c.setImage(image);
                    // Only with a template change anyway: a label change alone would restart every stable pod.
                    labels(d.getSpec().getTemplate().getMetadata()).put(ROLE_LABEL, "stable");
                }
                ann.put(VERSION_ANNOTATION, version);
                d.getSpec().setReplicas(replicas);
                return d;
            });
            return;
        }
        if (replicas == 0) {
            call("delete deployment " + target.namespace() + "/" + canaryName(), () -> client.apps().deployments()
                    .inNamespace(target.namespace()).withName(canaryName()).delete());
            return;
        }
        if (read(canaryName()).isEmpty()) {
            Deployment canary = canaryFrom(readTarget(), image, version, replicas);
            try {
                client.apps().deployments().inNamespace(target.namespace()).resource(canary).create();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw ClusterErrors.translate(e, "deployment " + target.namespace() + "/" + canaryName(), server);
                }
                // created meanwhile by another call: fall through to an update
            }
        }
        update(canaryName(), d -> {
            container(d).setImage(image);
            annotations(d.getMetadata()).put(VERSION_ANNOTATION, version);
            d.getSpec().setReplicas(replicas);
            return d;
        });
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::stop);
        informers.clear();
    }

    // ------------------------------------------------------------------ helpers

    private Deployment canaryFrom(Deployment stable, String image, String version, int replicas) {
        Deployment canary = new Deployment();
        canary.setApiVersion("apps/v1");
        canary.setKind("Deployment");
        var meta = new io.fabric8.kubernetes.api.model.ObjectMeta();
        meta.setName(canaryName());
        meta.setNamespace(target.namespace());
        Map<String, String> labels = new LinkedHashMap<>(labels(stable.getMetadata()));
        labels.put(ROLE_LABEL, "canary");
        meta.setLabels(labels);
        meta.setAnnotations(new LinkedHashMap<>(Map.of(VERSION_ANNOTATION, version)));
        canary.setMetadata(meta);
        DeploymentSpec spec = Serialization.clone(stable.getSpec());
        spec.setReplicas(replicas);
        spec.getSelector().getMatchLabels().put(ROLE_LABEL, "canary");
        labels(spec.getTemplate().getMetadata()).put(ROLE_LABEL, "canary");
        canary.setSpec(spec);
        container(canary).setImage(image);
        return canary;
    }

    /** Get, change, PUT with the read resourceVersion; on 409 read again. No write when nothing changes. */
    void update(String name, UnaryOperator<Deployment> change) {
        String what = "deployment " + target.namespace() + "/" + name;
        for (int attempt = 1; ; attempt++) {
            Deployment current = read(name).orElseThrow(() -> new ClusterException(what + " not found", 404));
            Deployment next = change.apply(Serialization.clone(current));
            if (next.equals(current)) {
                return;
            }
            try {
                client.apps().deployments().inNamespace(target.namespace()).resource(next).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= UPDATE_ATTEMPTS) {
                    throw ClusterErrors.translate(e, what, server);
                }
            }
        }
    }

    /** The target's Deployment, which must exist. */
    Deployment readTarget() {
        return read(target.deployment()).orElseThrow(() -> new ClusterException(
                "deployment " + target.namespace() + "/" + target.deployment() + " not found", 404));
    }

    private Optional<Deployment> read(String name) {
        return Optional.ofNullable(call("deployment " + target.namespace() + "/" + name,
                () -> client.apps().deployments().inNamespace(target.namespace()).withName(name).get()));
    }

    private Container container(Deployment d) {
        return container("deployment " + target.namespace() + "/" + d.getMetadata().getName(),
                d.getSpec().getTemplate());
    }

    /** The target's container in a pod template of {@code owner} (e.g. "replicaset prod/shop-5d8f"). */
    Container container(String owner, PodTemplateSpec template) {
        List<Container> containers = template.getSpec().getContainers();
        return containers.stream().filter(c -> target.container().equals(c.getName())).findFirst()
                .orElseThrow(() -> new ClusterException(owner + " has no container named '" + target.container()
                        + "' (containers: " + String.join(", ", containers.stream().map(Container::getName).toList())
                        + ")"));
    }

    private Optional<String> versionOf(Deployment d) {
        return versionOf(annotations(d.getMetadata()).get(VERSION_ANNOTATION), container(d).getImage());
    }

    /** The version an object runs: its annotation when the image agrees, else the image's tag. */
    Optional<String> versionOf(String annotated, String image) {
        if (annotated != null && target.imageFor(annotated).equals(image)) {
            return Optional.of(annotated);
        }
        String prefix = target.image() + ":";
        if (image != null && image.startsWith(prefix) && !target.imageFor("x").equals(target.image())) {
            return Optional.of(image.substring(prefix.length()));
        }
        return Optional.ofNullable(annotated);
    }

    /**
     * Why the role's pods cannot become ready: a Pod's failing waiting reason with its latest Warning Event,
     * and the Deployment's ProgressDeadlineExceeded condition. The kubelet records Events asynchronously, so a
     * failing Pod without one yet is reported only after {@link #EVENT_GRACE}.
     */
    private Optional<String> failureOf(Deployment d) {
        List<String> reasons = new ArrayList<>(podFailure("deployment " + target.namespace() + "/"
                + d.getMetadata().getName(), d.getSpec().getSelector().getMatchLabels(), container(d).getImage()));
        Optional.ofNullable(d.getStatus()).map(s -> s.getConditions()).orElse(List.of()).stream()
                .filter(c -> "Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason()))
                .map(DeploymentCondition::getMessage).findFirst()
                .ifPresent(m -> reasons.add("progress deadline exceeded: " + m));
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
    }

    /**
     * Why the Pods {@code selector} picks that run {@code image} cannot become ready: one failing Pod's waiting
     * reason with its latest Warning Event; empty while none fails (or its Event is still within the grace).
     */
    List<String> podFailure(String owner, Map<String, String> selector, String image) {
        List<String> reasons = new ArrayList<>();
        List<Pod> pods = call("list pods of " + owner,
                () -> client.pods().inNamespace(target.namespace()).withLabels(selector).list().getItems());
        for (Pod p : pods) {
            boolean runsImage = p.getSpec().getContainers().stream().anyMatch(c -> image.equals(c.getImage()));
            if (!runsImage || p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
                continue;
            }
            String podName = p.getMetadata().getName();
            List<String> waiting = new ArrayList<>();
            for (ContainerStatus cs : p.getStatus().getContainerStatuses()) {
                var state = cs.getState();
                if (state != null && state.getWaiting() != null
                        && FAILING_REASONS.contains(state.getWaiting().getReason())) {
                    waiting.add("pod " + podName + ": container " + cs.getName() + " is waiting: "
                            + state.getWaiting().getReason() + messageOf(state.getWaiting().getMessage())
                            + lastExit(cs));
                }
            }
            if (waiting.isEmpty()) {
                continue;
            }
            List<Event> events = call("list events of pod " + podName, () -> client.v1().events()
                    .inNamespace(target.namespace()).withField("involvedObject.name", podName).list().getItems());
            Optional<Event> warning = events.stream().filter(e -> "Warning".equals(e.getType())).reduce((a, b) -> b);
            Instant since = failingSince.computeIfAbsent(p.getMetadata().getUid(), uid -> Instant.now());
            if (warning.isPresent() || !Instant.now().isBefore(since.plus(EVENT_GRACE))) {
                reasons.addAll(waiting);
                warning.ifPresent(e -> reasons.add("event " + e.getReason() + ": " + e.getMessage()));
            }
            break; // one pod's story is enough; the others repeat it
        }
        return reasons;
    }

    /** A crash-looping container's last exit, which says more than the back-off. */
    private static String lastExit(ContainerStatus cs) {
        var last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
        return last == null ? "" : ", last exit code " + last.getExitCode() + messageOf(last.getReason());
    }

    private static String messageOf(String m) {
        return m == null || m.isBlank() ? "" : " (" + m + ")";
    }

    /** The object's annotations, made an empty map first when it has none, so callers can put into them. */
    static Map<String, String> annotations(io.fabric8.kubernetes.api.model.ObjectMeta meta) {
        if (meta.getAnnotations() == null) {
            meta.setAnnotations(new LinkedHashMap<>());
        }
        return meta.getAnnotations();
    }

    static Map<String, String> labels(io.fabric8.kubernetes.api.model.ObjectMeta meta) {
        if (meta.getLabels() == null) {
            meta.setLabels(new LinkedHashMap<>());
        }
        return meta.getLabels();
    }

    private static int replicas(Deployment d) {
        return Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
    }

    /** Whether the object's controller has seen its latest spec, so the status counts what that spec asks for. */
    static boolean caughtUp(io.fabric8.kubernetes.api.model.ObjectMeta meta, Long observedGeneration) {
        return observedGeneration != null
                && observedGeneration >= Optional.ofNullable(meta.getGeneration()).orElse(0L);
    }

    static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    private <T> T call(String what, java.util.function.Supplier<T> call) {
        return ClusterErrors.call(what, server, call);
    }

    /** Calls {@code onChange} for the watched objects that matter; never blocks the watch thread on failure. */
    static final class Trigger<T> implements ResourceEventHandler<T> {
        private final java.util.function.Predicate<T> relevant;
        private final Runnable onChange;

        Trigger(java.util.function.Predicate<T> relevant, Runnable onChange) {
            this.relevant = relevant;
            this.onChange = Objects.requireNonNull(onChange);
        }

        @Override
        public void onAdd(T resource) {
            changed(resource);
        }

        @Override
        public void onUpdate(T before, T resource) {
            changed(resource);
        }

        @Override
        public void onDelete(T resource, boolean finalStateUnknown) {
            changed(resource);
        }

        private void changed(T resource) {
            if (relevant.test(resource)) {
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    // the engine's problem, not the watch's: keep watching
                }
            }
        }
    }
}
