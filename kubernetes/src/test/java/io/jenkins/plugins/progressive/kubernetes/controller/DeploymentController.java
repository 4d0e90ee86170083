package io.jenkins.plugins.progressive.kubernetes.controller;

import static io.jenkins.plugins.progressive.kubernetes.controller.ReplicaSets.replicas;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Plays kube-controller-manager's Deployment and ReplicaSet controllers (and the kubelet's readiness) against
 * a test API server: one ReplicaSet per pod template ({@code <deployment>-<pod-template-hash>}, owned by the
 * Deployment), Pods to match, RollingUpdate honouring maxSurge/maxUnavailable, Pods Ready after a delay, and
 * the Deployment's status and conditions (including ProgressDeadlineExceeded). As the real controller, it takes
 * for the new ReplicaSet the oldest one it controls with the Deployment's pod template, whoever made it and whatever
 * its pod-template-hash, and adopts matching orphans; a paused Deployment gets no new ReplicaSet, is only scaled
 * (the only active ReplicaSet gets every replica, a saturated new one leaves the old ones none, RollingUpdate ones
 * are shared out in proportion, see {@link ReplicaSets}) and runs no progress deadline (DeploymentPaused, then
 * DeploymentResumed). Images told to fail keep their
 * Pods not ready with an ErrImagePull, ImagePullBackOff or CrashLoopBackOff waiting reason and a Warning Event
 * (recorded first, as the kubelet does); held images keep their Pods Pending with no reason at all.
 *
 * <p>Every pass recomputes everything from the API server, so it is idempotent; passes run on one thread,
 * triggered by watch events and timers.
 */
public final class DeploymentController implements AutoCloseable {

    public static final String IMAGE_PULL_BACK_OFF = "ImagePullBackOff";
    public static final String CRASH_LOOP_BACK_OFF = "CrashLoopBackOff";
    /** A first failed pull, which the kubelet retries (and reports as ImagePullBackOff when it keeps failing). */
    public static final String ERR_IMAGE_PULL = "ErrImagePull";

    private static final String PROGRESSING = "Progressing";
    private static final String TIMED_OUT = "ProgressDeadlineExceeded";
    private static final String PAUSED = "DeploymentPaused";
    private static final String RESUMED = "DeploymentResumed";

    private final KubernetesClient client;
    private final Duration readyDelay;
    private final Map<String, String> failingImages = new ConcurrentHashMap<>();
    private final java.util.Set<String> heldImages = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> podBorn = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastProgress = new ConcurrentHashMap<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-deployment-controller");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean pending = new AtomicBoolean();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private volatile boolean closed;

    public DeploymentController(KubernetesClient client) {
        this(client, Duration.ofMillis(100));
    }

    /** @param readyDelay how long a new Pod takes to become Ready */
    public DeploymentController(KubernetesClient client, Duration readyDelay) {
        this.client = client;
        this.readyDelay = readyDelay;
    }

    /**
     * Starts watching Deployments, ReplicaSets and Pods in every namespace, with informers as
     * kube-controller-manager does: they survive dropped watches and compacted resourceVersions.
     */
    public DeploymentController start() {
        informers.add(client.apps().deployments().inAnyNamespace().inform(trigger(), 0));
        informers.add(client.apps().replicaSets().inAnyNamespace().inform(trigger(), 0));
        informers.add(client.pods().inAnyNamespace().inform(trigger(), 0));
        poke();
        return this;
    }

    /** Pods running {@code image} never become ready; their container waits with {@code reason}. */
    public void failImage(String image, String reason) {
        failingImages.put(image, reason);
        poke();
    }

    /**
     * Pods running {@code image} stay Pending with no container status and no waiting reason (as when no node
     * has room for them), until {@link #releaseImage}.
     */
    public void holdImage(String image) {
        heldImages.add(image);
    }

    /** Pods of a held image start as usual now. */
    public void releaseImage(String image) {
        heldImages.remove(image);
        poke();
    }

    @Override
    public void close() {
        closed = true;
        informers.forEach(SharedIndexInformer::stop);
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T> ResourceEventHandler<T> trigger() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T resource) {
                poke();
            }

            @Override
            public void onUpdate(T before, T resource) {
                poke();
            }

            @Override
            public void onDelete(T resource, boolean finalStateUnknown) {
                poke();
            }
        };
    }

    /** Schedules one pass soon, coalescing bursts of events into one. */
    private void poke() {
        pokeAfter(Duration.ZERO);
    }

    private void pokeAfter(Duration delay) {
        if (closed) {
            return;
        }
        if (delay.isZero() && !pending.compareAndSet(false, true)) {
            return;
        }
        try {
            loop.schedule(() -> {
                if (delay.isZero()) {
                    pending.set(false);
                }
                pass();
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private void pass() {
        if (closed) {
            return;
        }
        try {
            for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
                reconcile(d);
            }
            collectGarbage();
        } catch (KubernetesClientException e) {
            if (!closed) {
                pokeAfter(Duration.ofMillis(50)); // conflicts and races: look again
            }
        } catch (RuntimeException e) {
            if (!closed) {
                pokeAfter(Duration.ofMillis(200));
            }
        }
    }

    /**
     * Plays the garbage collector for what a pass raced with: a ReplicaSet or Pod created for an owner that was
     * deleted meanwhile has an ownerReference to a uid that no longer exists, and goes, as in a real cluster.
     */
    private void collectGarbage() {
        java.util.Set<String> deployments = new java.util.HashSet<>();
        client.apps().deployments().inAnyNamespace().list().getItems()
                .forEach(d -> deployments.add(d.getMetadata().getUid()));
        java.util.Set<String> replicaSets = new java.util.HashSet<>();
        for (ReplicaSet rs : client.apps().replicaSets().inAnyNamespace().list().getItems()) {
            if (orphan(rs.getMetadata().getOwnerReferences(), "Deployment", deployments)) {
                client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace())
                        .withName(rs.getMetadata().getName()).delete();
            } else {
                replicaSets.add(rs.getMetadata().getUid());
            }
        }
        for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
            if (orphan(p.getMetadata().getOwnerReferences(), "ReplicaSet", replicaSets)) {
                client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                        .delete();
            }
        }
    }

    private static boolean orphan(List<OwnerReference> refs, String kind, java.util.Set<String> owners) {
        return refs != null && refs.stream().anyMatch(r -> kind.equals(r.getKind()) && !owners.contains(r.getUid()));
    }

    // ------------------------------------------------------------ Deployment controller

    /**
     * syncDeployment: the ReplicaSets this Deployment controls (adopting matching orphans), the new one being the
     * oldest with its pod template whoever made it; a paused Deployment is only scaled (never given a new ReplicaSet),
     * any other one rolled out by its strategy.
     */
    private void reconcile(Deployment d) {
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        d = syncPausedCondition(d, paused);
        List<ReplicaSet> owned = claimReplicaSets(d);
        ReplicaSet newRs = ReplicaSets.findNew(d, owned);
        List<ReplicaSet> old = others(owned, newRs);
        if (newRs != null) {
            newRs = syncNewReplicaSet(d, newRs, old);
        }
        if (paused) {
            scale(d, newRs, old);
        } else {
            rollOut(d, newRs == null ? createReplicaSet(d, old) : newRs, old);
        }
        List<ReplicaSet> all = claimReplicaSets(d);
        for (ReplicaSet rs : all) {
            reconcileReplicaSet(rs);
        }
        newRs = ReplicaSets.findNew(d, all);
        updateDeploymentStatus(d, newRs, all, paused);
        cleanup(d, others(all, newRs));
    }

    private static List<ReplicaSet> others(List<ReplicaSet> all, ReplicaSet newRs) {
        return all.stream().filter(rs -> newRs == null || !rs.getMetadata().getName().equals(newRs.getMetadata()
                .getName())).toList();
    }

    /**
     * ClaimReplicaSets: those whose controller is this Deployment, plus orphans (no controller) its selector matches,
     * which it adopts.
     */
    private List<ReplicaSet> claimReplicaSets(Deployment d) {
        String uid = d.getMetadata().getUid();
        var selector = d.getSpec().getSelector();
        // Our Deployments select by labels only; an empty selector adopts nothing, as in the real controller.
        boolean canAdopt = d.getMetadata().getDeletionTimestamp() == null && selector != null
                && selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty()
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
        List<ReplicaSet> owned = new ArrayList<>();
        for (ReplicaSet rs : client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).list()
                .getItems()) {
            Optional<OwnerReference> controller = ReplicaSets.controllerOf(rs);
            if (controller.isPresent()) {
                if (uid.equals(controller.get().getUid())) {
                    owned.add(rs);
                }
            } else if (canAdopt && rs.getMetadata().getDeletionTimestamp() == null && rs.getMetadata().getLabels() != null
                    && rs.getMetadata().getLabels().entrySet().containsAll(selector.getMatchLabels().entrySet())) {
                List<OwnerReference> refs = new ArrayList<>(Optional.ofNullable(rs.getMetadata().getOwnerReferences())
                        .orElse(List.of()));
                refs.add(owner("apps/v1", "Deployment", d.getMetadata().getName(), uid));
                rs.getMetadata().setOwnerReferences(refs);
                owned.add(client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(rs)
                        .update());
            }
        }
        return owned;
    }

    /**
     * checkPausedConditions: pausing turns Progressing into Unknown/DeploymentPaused and resuming into
     * Unknown/DeploymentResumed, so time spent paused never counts towards progressDeadlineSeconds; a deadline
     * already exceeded is left as it is.
     */
    private Deployment syncPausedCondition(Deployment d, boolean paused) {
        if (d.getSpec().getProgressDeadlineSeconds() == null) {
            return d;
        }
        DeploymentStatus status = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        DeploymentCondition current = conditionOf(status, PROGRESSING);
        if (current != null && TIMED_OUT.equals(current.getReason())) {
            return d;
        }
        boolean pausedCondition = current != null && PAUSED.equals(current.getReason());
        DeploymentCondition next;
        if (paused && !pausedCondition) {
            next = condition(status, PROGRESSING, "Unknown", PAUSED, "Deployment is paused");
        } else if (!paused && pausedCondition) {
            next = condition(status, PROGRESSING, "Unknown", RESUMED, "Deployment is resumed");
        } else {
            return d;
        }
        List<DeploymentCondition> conditions = new ArrayList<>(Optional.ofNullable(status.getConditions())
                .orElse(List.of()));
        conditions.removeIf(c -> PROGRESSING.equals(c.getType()));
        conditions.add(next);
        status.setConditions(conditions);
        d.setStatus(status);
        return client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(d).updateStatus();
    }

    /**
     * getNewReplicaSet for an existing new ReplicaSet: its annotations (revision above every old one, the
     * Deployment's own annotations) and minReadySeconds follow the Deployment; once they do, the Deployment's revision
     * follows it.
     */
    private ReplicaSet syncNewReplicaSet(Deployment d, ReplicaSet newRs, List<ReplicaSet> old) {
        ReplicaSet copy = Serialization.clone(newRs);
        boolean annotationsChanged = ReplicaSets.setNewReplicaSetAnnotations(d, copy, ReplicaSets.maxRevision(old) + 1,
                true);
        Integer minReady = d.getSpec().getMinReadySeconds();
        if (annotationsChanged || !Objects.equals(orZero(copy.getSpec().getMinReadySeconds()), orZero(minReady))) {
            copy.getSpec().setMinReadySeconds(minReady);
            return client.apps().replicaSets().inNamespace(copy.getMetadata().getNamespace()).resource(copy).update();
        }
        setDeploymentRevision(d, copy.getMetadata().getAnnotations().get(ReplicaSets.REVISION));
        return newRs;
    }

    /**
     * scale, for a paused Deployment: the only active ReplicaSet gets all the replicas; else a saturated new one leaves
     * the old ones none; else (RollingUpdate only) replicas + maxSurge are shared out in proportion. Recreate
     * Deployments with several active ReplicaSets are left alone.
     */
    private void scale(Deployment d, ReplicaSet newRs, List<ReplicaSet> old) {
        ReplicaSet only = ReplicaSets.activeOrLatest(newRs, old);
        if (only != null) {
            resize(d, only, replicas(d));
            return;
        }
        if (ReplicaSets.isSaturated(d, newRs)) {
            old.stream().filter(ReplicaSets::active).forEach(rs -> resize(d, rs, 0));
            return;
        }
        if (ReplicaSets.isRollingUpdate(d)) {
            List<ReplicaSet> active = new ArrayList<>(old.stream().filter(ReplicaSets::active).toList());
            if (ReplicaSets.active(newRs)) {
                active.add(newRs);
            }
            for (var size : ReplicaSets.proportionalSizes(d, active)) {
                scaleReplicaSet(d, size.getKey(), size.getValue());
            }
        }
    }

    /** A rollout by the Deployment's strategy: RollingUpdate within maxSurge/maxUnavailable, or Recreate. */
    private void rollOut(Deployment d, ReplicaSet newRs, List<ReplicaSet> old) {
        int desired = replicas(d);
        boolean recreate = d.getSpec().getStrategy() != null && "Recreate".equals(d.getSpec().getStrategy().getType());
        int surge = recreate ? 0 : ReplicaSets.maxSurge(d);
        int unavailable = recreate ? desired : ReplicaSets.resolve(ReplicaSets.rollingParam(d, false), desired, false);
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        int total = old.stream().mapToInt(ReplicaSets::replicas).sum() + replicas(newRs);
        int newSpec = replicas(newRs);
        if (recreate) {
            int oldPods = old.stream().mapToInt(rs -> pods(rs).size()).sum();
            old.forEach(rs -> resize(d, rs, 0));
            if (oldPods == 0 && newSpec != desired) {
                newRs = resize(d, newRs, desired);
            }
        } else if (newSpec > desired) {
            newRs = resize(d, newRs, desired);
        } else if (newSpec < desired && total < desired + surge) {
            newRs = resize(d, newRs, Math.min(desired, newSpec + desired + surge - total));
        }
        // Scale old ReplicaSets down, never below desired - maxUnavailable available pods; unready old
        // pods can go at once since they serve nothing.
        int available = old.stream().mapToInt(this::readyPods).sum() + readyPods(newRs);
        int minAvailable = desired - unavailable;
        int budget = Math.max(0, available - minAvailable);
        for (ReplicaSet rs : old) {
            int spec = replicas(rs);
            int unready = Math.max(0, spec - readyPods(rs));
            int remove = Math.min(spec, unready + budget);
            int fromBudget = Math.max(0, remove - unready);
            budget -= fromBudget;
            if (remove > 0 && !recreate) {
                resize(d, rs, spec - remove);
            }
        }
    }

    private ReplicaSet createReplicaSet(Deployment d, List<ReplicaSet> old) {
        long revision = ReplicaSets.maxRevision(old) + 1;
        String hash = templateHash(d.getSpec().getTemplate());
        PodTemplateSpec template = Serialization.clone(d.getSpec().getTemplate());
        template.getMetadata().getLabels().put(ReplicaSets.HASH_LABEL, hash);
        Map<String, String> selector = new LinkedHashMap<>(d.getSpec().getSelector().getMatchLabels());
        selector.put(ReplicaSets.HASH_LABEL, hash);
        ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata().withName(d.getMetadata().getName() + "-" + hash)
                .withNamespace(d.getMetadata().getNamespace()).withLabels(template.getMetadata().getLabels())
                .withOwnerReferences(owner("apps/v1", "Deployment", d.getMetadata().getName(),
                        d.getMetadata().getUid()))
                .endMetadata().withNewSpec().withReplicas(0).withMinReadySeconds(d.getSpec().getMinReadySeconds())
                .withNewSelector().withMatchLabels(selector).endSelector().withTemplate(template).endSpec().build();
        ReplicaSets.setNewReplicaSetAnnotations(d, rs, revision, false);
        ReplicaSet created = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).resource(rs)
                .create();
        setDeploymentRevision(d, Long.toString(revision));
        return created;
    }

    private void setDeploymentRevision(Deployment d, String revision) {
        if (revision == null || d.getMetadata().getAnnotations() != null
                && revision.equals(d.getMetadata().getAnnotations().get(ReplicaSets.REVISION))) {
            return;
        }
        client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName())
                .edit(x -> {
                    if (x.getMetadata().getAnnotations() == null) {
                        x.getMetadata().setAnnotations(new LinkedHashMap<>());
                    }
                    x.getMetadata().getAnnotations().put(ReplicaSets.REVISION, revision);
                    return x;
                });
    }

    /** scaleReplicaSetAndRecordEvent: nothing to do when the size is right already. */
    private ReplicaSet resize(Deployment d, ReplicaSet rs, int replicas) {
        return replicas(rs) == replicas ? rs : scaleReplicaSet(d, rs, replicas);
    }

    /** scaleReplicaSet: the size, and in its annotations the Deployment size (and + maxSurge) it is meant for. */
    private ReplicaSet scaleReplicaSet(Deployment d, ReplicaSet rs, int replicas) {
        boolean resized = replicas(rs) != replicas;
        if (!ReplicaSets.setReplicasAnnotations(rs, d) && !resized) {
            return rs;
        }
        rs.getSpec().setReplicas(replicas);
        return client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(rs).update();
    }

    /** cleanupDeployment: empty old ReplicaSets beyond revisionHistoryLimit go, oldest first. */
    private void cleanup(Deployment d, List<ReplicaSet> old) {
        int keep = Optional.ofNullable(d.getSpec().getRevisionHistoryLimit()).orElse(10);
        List<ReplicaSet> emptyOld = old.stream().filter(rs -> replicas(rs) == 0 && pods(rs).isEmpty())
                .sorted(ReplicaSets.BY_CREATION).toList();
        for (int i = 0; i < emptyOld.size() - keep; i++) {
            client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace())
                    .withName(emptyOld.get(i).getMetadata().getName()).delete();
        }
    }

    private void updateDeploymentStatus(Deployment d, ReplicaSet newRs, List<ReplicaSet> all, boolean paused) {
        int desired = replicas(d);
        int replicas = 0;
        int updated = 0;
        int ready = 0;
        for (ReplicaSet rs : all) {
            List<Pod> pods = pods(rs);
            int r = (int) pods.stream().filter(DeploymentController::isReady).count();
            replicas += pods.size();
            ready += r;
            if (newRs != null && newRs.getMetadata().getName().equals(rs.getMetadata().getName())) {
                updated = pods.size();
            }
        }
        int unavailableAllowed = ReplicaSets.resolve(ReplicaSets.rollingParam(d, false), desired, false);
        DeploymentStatus current = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        List<DeploymentCondition> conditions = new ArrayList<>();
        conditions.add(condition(current, "Available", ready >= desired - unavailableAllowed ? "True" : "False",
                ready >= desired - unavailableAllowed ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                ready >= desired - unavailableAllowed ? "Deployment has minimum availability."
                        : "Deployment does not have minimum availability."));
        DeploymentCondition progressing = paused ? pausedProgress(d, current)
                : progress(d, current, newRs, replicas, updated, ready);
        if (progressing != null) {
            conditions.add(progressing);
        }
        DeploymentStatus next = new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(replicas).withUpdatedReplicas(updated).withReadyReplicas(ready)
                .withAvailableReplicas(ready).withUnavailableReplicas(Math.max(0, replicas - ready))
                .withConditions(conditions).build();
        if (!next.equals(current)) {
            Deployment latest = client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
                    .withName(d.getMetadata().getName()).get();
            if (latest != null && Objects.equals(latest.getMetadata().getGeneration(), d.getMetadata().getGeneration())) {
                latest.setStatus(next);
                client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(latest).updateStatus();
            }
        }
    }

    /** No progress is estimated while paused: the Progressing condition stays as pausing left it. */
    private DeploymentCondition pausedProgress(Deployment d, DeploymentStatus current) {
        String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName() + "@";
        lastProgress.keySet().removeIf(k -> k.startsWith(key));
        return conditionOf(current, PROGRESSING);
    }

    /**
     * The Progressing condition of a Deployment being rolled out: complete, or timed out when its pods have not
     * changed for progressDeadlineSeconds, else progressing; DeploymentResumed stays until something progresses.
     */
    private DeploymentCondition progress(Deployment d, DeploymentStatus current, ReplicaSet newRs, int replicas,
            int updated, int ready) {
        int desired = replicas(d);
        boolean complete = updated == desired && replicas == desired && ready == desired;
        String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
        String progressKey = key + "@" + d.getMetadata().getGeneration() + ":" + replicas + "/" + updated + "/" + ready;
        Instant now = Instant.now();
        lastProgress.putIfAbsent(progressKey, now);
        Instant since = lastProgress.get(progressKey);
        long deadline = Optional.ofNullable(d.getSpec().getProgressDeadlineSeconds()).orElse(600);
        boolean timedOut = !complete && Duration.between(since, now).getSeconds() >= deadline;
        if (!complete && !timedOut) {
            pokeAfter(Duration.ofSeconds(deadline).minus(Duration.between(since, now)).plusMillis(50));
        }
        DeploymentCondition before = conditionOf(current, PROGRESSING);
        if (before != null && RESUMED.equals(before.getReason()) && !complete && !timedOut
                && !progressed(current, replicas, updated, ready)) {
            return before;
        }
        String reason = complete ? "NewReplicaSetAvailable" : timedOut ? TIMED_OUT : "ReplicaSetUpdated";
        String subject = newRs != null ? "ReplicaSet \"" + newRs.getMetadata().getName() + "\""
                : "Deployment \"" + d.getMetadata().getName() + "\"";
        return condition(current, PROGRESSING, timedOut ? "False" : "True", reason, subject + switch (reason) {
            case "NewReplicaSetAvailable" -> " has successfully progressed.";
            case TIMED_OUT -> " has timed out progressing.";
            default -> " is progressing.";
        });
    }

    /** DeploymentProgressing: more updated, ready or available pods, or fewer old ones, than the status says. */
    private static boolean progressed(DeploymentStatus before, int replicas, int updated, int ready) {
        int oldUpdated = orZero(before.getUpdatedReplicas());
        return updated > oldUpdated || replicas - updated < orZero(before.getReplicas()) - oldUpdated
                || ready > orZero(before.getReadyReplicas()) || ready > orZero(before.getAvailableReplicas());
    }

    private static DeploymentCondition conditionOf(DeploymentStatus status, String type) {
        return Optional.ofNullable(status.getConditions()).orElse(List.of()).stream()
                .filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }

    /** Keeps the transition time of a condition whose status did not change, as the real controller does. */
    private static DeploymentCondition condition(DeploymentStatus current, String type, String status, String reason,
            String message) {
        Optional<DeploymentCondition> old = Optional.ofNullable(conditionOf(current, type));
        if (old.isPresent() && old.get().getStatus().equals(status) && Objects.equals(old.get().getReason(), reason)) {
            return old.get();
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String transition = old.filter(c -> c.getStatus().equals(status)).map(DeploymentCondition::getLastTransitionTime)
                .orElse(now);
        return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastUpdateTime(now).withLastTransitionTime(transition).build();
    }

    // ------------------------------------------------------------ ReplicaSet controller and kubelet

    private void reconcileReplicaSet(ReplicaSet rs) {
        String ns = rs.getMetadata().getNamespace();
        List<Pod> pods = pods(rs);
        int want = replicas(rs);
        if (pods.size() < want && client.apps().replicaSets().inNamespace(ns).withName(rs.getMetadata().getName())
                .get() == null) {
            // Deleted since this pass listed it (its Deployment went): as the real controller's expectations do,
            // start no Pod for it, rather than leave orphans for the garbage collector to find.
            return;
        }
        for (int i = pods.size(); i < want; i++) {
            Pod pod = new PodBuilder().withNewMetadata()
                    .withName(rs.getMetadata().getName() + "-" + suffix()).withNamespace(ns)
                    .withLabels(rs.getSpec().getTemplate().getMetadata().getLabels())
                    .withOwnerReferences(owner("apps/v1", "ReplicaSet", rs.getMetadata().getName(),
                            rs.getMetadata().getUid()))
                    .endMetadata().withSpec(Serialization.clone(rs.getSpec().getTemplate().getSpec())).build();
            Pod created = client.pods().inNamespace(ns).resource(pod).create();
            podBorn.put(created.getMetadata().getUid(), Instant.now());
            pokeAfter(readyDelay);
        }
        if (pods.size() > want) {
            List<Pod> victims = new ArrayList<>(pods);
            victims.sort(Comparator.comparing((Pod p) -> isReady(p)).thenComparing(p -> p.getMetadata().getName(),
                    Comparator.reverseOrder()));
            for (Pod p : victims.subList(0, pods.size() - want)) {
                client.pods().inNamespace(ns).withName(p.getMetadata().getName()).delete();
            }
        }
        List<Pod> now = pods(rs);
        for (Pod p : now) {
            kubelet(p);
        }
        now = pods(rs);
        int ready = (int) now.stream().filter(DeploymentController::isReady).count();
        ReplicaSetStatus next = new ReplicaSetStatusBuilder().withReplicas(now.size()).withFullyLabeledReplicas(now.size())
                .withReadyReplicas(ready).withAvailableReplicas(ready)
                .withObservedGeneration(rs.getMetadata().getGeneration()).build();
        if (!next.equals(rs.getStatus())) {
            ReplicaSet latest = client.apps().replicaSets().inNamespace(ns).withName(rs.getMetadata().getName()).get();
            if (latest != null) {
                latest.setStatus(next);
                client.apps().replicaSets().inNamespace(ns).resource(latest).updateStatus();
            }
        }
    }

    /** The kubelet's part: after the delay a Pod is Running and Ready, or stuck waiting if its image fails. */
    private void kubelet(Pod pod) {
        if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null
                && !pod.getStatus().getContainerStatuses().isEmpty()) {
            return; // already started (or stuck): the kubelet decided once
        }
        if (pod.getSpec().getContainers().stream().anyMatch(c -> heldImages.contains(c.getImage()))) {
            return; // stays Pending until released (which pokes)
        }
        Instant born = podBorn.computeIfAbsent(pod.getMetadata().getUid(), k -> Instant.now());
        if (Duration.between(born, Instant.now()).compareTo(readyDelay) < 0) {
            pokeAfter(readyDelay.minus(Duration.between(born, Instant.now())).plusMillis(5));
            return;
        }
        String failure = null;
        String failingImage = null;
        for (var c : pod.getSpec().getContainers()) {
            if (failingImages.containsKey(c.getImage())) {
                failure = failingImages.get(c.getImage());
                failingImage = c.getImage();
            }
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        boolean pull = failure != null && !failure.equals(CRASH_LOOP_BACK_OFF);
        if (failure != null) {
            // As the kubelet: the Warning Event is recorded when the attempt fails, before the status is synced.
            String reason = pull ? "Failed" : "BackOff";
            String message = pull
                    ? "Failed to pull image \"" + failingImage + "\": rpc error: code = NotFound desc = failed to pull "
                            + "and unpack image \"" + failingImage + "\": not found"
                    : "Back-off restarting failed container in pod " + pod.getMetadata().getName();
            client.v1().events().inNamespace(pod.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata().withName(pod.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()))
                    .endMetadata().withNewInvolvedObject().withKind("Pod").withApiVersion("v1")
                    .withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
                    .withUid(pod.getMetadata().getUid()).endInvolvedObject().withType("Warning").withReason(reason)
                    .withMessage(message).withCount(1).withFirstTimestamp(now).withLastTimestamp(now)
                    .withNewSource().withComponent("kubelet").endSource().build()).create();
        }
        List<ContainerStatus> statuses = new ArrayList<>();
        for (var c : pod.getSpec().getContainers()) {
            ContainerStatusBuilder b = new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
                    .withReady(failure == null).withRestartCount(failure == null || pull ? 0 : 3);
            if (failure == null) {
                b.withNewState().withNewRunning().withStartedAt(now).endRunning().endState().withStarted(true);
            } else {
                String message = pull ? "Back-off pulling image \"" + c.getImage() + "\""
                        : "back-off 40s restarting failed container=" + c.getName() + " pod=" + pod.getMetadata()
                                .getName();
                b.withNewState().withNewWaiting().withReason(failure).withMessage(message).endWaiting().endState()
                        .withStarted(false);
                if (!pull) {
                    b.withNewLastState().withNewTerminated().withExitCode(1).withReason("Error").withStartedAt(now)
                            .withFinishedAt(now).endTerminated().endLastState();
                }
            }
            statuses.add(b.build());
        }
        PodCondition readyCondition = new PodConditionBuilder().withType("Ready")
                .withStatus(failure == null ? "True" : "False").withLastTransitionTime(now)
                .withReason(failure == null ? null : "ContainersNotReady").build();
        PodStatus status = new PodStatusBuilder().withPhase(failure == null || !pull ? "Running" : "Pending")
                .withConditions(readyCondition).withContainerStatuses(statuses).withPodIP("10.0.0." + (1 + ThreadLocalRandom
                        .current().nextInt(250))).withStartTime(now).build();
        pod.setStatus(status);
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
    }

    // ------------------------------------------------------------ helpers

    private List<Pod> pods(ReplicaSet rs) {
        String uid = rs.getMetadata().getUid();
        return client.pods().inNamespace(rs.getMetadata().getNamespace())
                .withLabels(rs.getSpec().getSelector().getMatchLabels()).list().getItems().stream()
                .filter(p -> ownedBy(p.getMetadata().getOwnerReferences(), uid)).toList();
    }

    private int readyPods(ReplicaSet rs) {
        return (int) pods(rs).stream().filter(DeploymentController::isReady).count();
    }

    static boolean isReady(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static boolean ownedBy(List<OwnerReference> refs, String uid) {
        return refs != null && refs.stream().anyMatch(r -> uid.equals(r.getUid()));
    }

    private static OwnerReference owner(String apiVersion, String kind, String name, String uid) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name).withUid(uid)
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    /** A stable short hash of the pod template, in the alphabet Kubernetes uses for generated names. */
    static String templateHash(PodTemplateSpec template) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Serialization.asJson(template).getBytes(StandardCharsets.UTF_8));
            String alphabet = "bcdfghjklmnpqrstvwxz2456789";
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                b.append(alphabet.charAt((digest[i] & 0xff) % alphabet.length()));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String suffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            b.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
