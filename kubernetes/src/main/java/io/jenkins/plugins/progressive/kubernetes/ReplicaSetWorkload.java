package io.jenkins.plugins.progressive.kubernetes;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.rollout.Workload;
import io.jenkins.plugins.progressive.spec.Target;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code strategy.rolling} on the Deployment itself. STABLE is the ReplicaSet that ran the Deployment's template
 * when the rollout began; CANARY is a ReplicaSet of the new template, created here and owned by the Deployment as
 * its controller's own are. Batches scale these two exactly; no second Deployment exists.
 *
 * <p>While the batches run the Deployment is <em>held</em>: paused, so its controller neither creates a
 * ReplicaSet nor rolls on by itself; with strategy Recreate, because the controller rescales a paused RollingUpdate
 * Deployment's ReplicaSets to replicas + maxSurge in proportion, which would undo the batch sizes (a paused
 * Recreate Deployment is only resized when a single ReplicaSet has Pods); and with the new template already, so
 * kubectl shows the new image and counts the new Pods as up to date. The controller takes the new ReplicaSet as
 * the Deployment's own because their templates are equal but for {@code pod-template-hash}. Promotion gives the
 * new ReplicaSet every instance and releases the hold; rollback gives the old one every instance, then the
 * Deployment its previous template back. What the hold changed is kept in an annotation on the Deployment, so
 * any driver can resume or undo it.
 */
final class ReplicaSetWorkload implements Workload {

    static final String HOLD_ANNOTATION = "progressive.jenkins.io/rolling-update";
    static final String HASH_LABEL = "pod-template-hash";
    private static final String REVISION = "deployment.kubernetes.io/revision";

    /**
     * What holding the Deployment changed, to put it back: its strategy, whether it was paused, the image it ran;
     * and the two ReplicaSets with their versions.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Hold(String stable, String stableVersion, String stableImage, String canary, String version,
            DeploymentStrategy strategy, Boolean paused) {
    }

    private final KubernetesClient client;
    private final Target.Kubernetes target;
    private final KubernetesWorkload deployment;
    private final String server;
    private SharedIndexInformer<ReplicaSet> informer;

    /**
     * Reads the Deployment (it must exist and have the container) and starts watching it, its ReplicaSets and Pods.
     *
     * @param onChange called from a watch thread on every change; must not block
     */
    ReplicaSetWorkload(KubernetesClient client, Target.Kubernetes target, Runnable onChange) {
        this.client = client;
        this.target = target;
        this.server = String.valueOf(client.getMasterUrl());
        this.deployment = new KubernetesWorkload(client, target, onChange);
        if (onChange != null) {
            Map<String, String> selector = deployment.readTarget().getSpec().getSelector().getMatchLabels();
            try {
                informer = ClusterErrors.call("watch replicasets in " + target.namespace(), server, () -> client.apps()
                        .replicaSets().inNamespace(target.namespace()).withLabels(selector)
                        .inform(new KubernetesWorkload.Trigger<>(rs -> true, onChange), 0));
            } catch (RuntimeException e) {
                deployment.close();
                throw e;
            }
        }
    }

    @Override
    public int size() {
        return deployment.size();
    }

    @Override
    public RoleStatus status(Role role) {
        Optional<Hold> hold = holdOf(deployment.readTarget());
        if (hold.isEmpty()) {
            // Not held: the Deployment as a whole is the stable role, and there is no other.
            return role == Role.STABLE ? deployment.status(Role.STABLE) : RoleStatus.NONE;
        }
        String name = role == Role.STABLE ? hold.get().stable() : hold.get().canary();
        Optional<ReplicaSet> found = readReplicaSet(name);
        if (found.isEmpty()) {
            return RoleStatus.NONE;
        }
        ReplicaSet rs = found.get();
        int desired = replicas(rs);
        var st = rs.getStatus();
        boolean current = st != null && KubernetesWorkload.caughtUp(rs.getMetadata(), st.getObservedGeneration());
        int pods = current ? KubernetesWorkload.nz(st.getReplicas()) : 0;
        int available = current ? KubernetesWorkload.nz(st.getAvailableReplicas()) : 0;
        String image = deployment.container(what(name), rs.getSpec().getTemplate()).getImage();
        Optional<String> version = deployment.versionOf(annotation(rs.getMetadata(),
                KubernetesWorkload.VERSION_ANNOTATION), image);
        Optional<String> failure = Optional.empty();
        if (available < desired) {
            List<String> reasons = deployment.podFailure(what(name), rs.getSpec().getSelector().getMatchLabels(),
                    image);
            failure = reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
        }
        return new RoleStatus(version, desired, pods, available, failure);
    }

    @Override
    public void scale(Role role, String version, int replicas) {
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must be >= 0, got " + replicas);
        }
        Deployment d = deployment.readTarget();
        Optional<Hold> hold = holdOf(d);
        if (role == Role.CANARY) {
            if (replicas == 0) {
                if (hold.isPresent()) {
                    scaleReplicaSet(hold.get().canary(), 0);
                    release(hold.get(), hold.get().stableVersion(), hold.get().stableImage());
                }
                return;
            }
            Hold h = hold.isPresent() ? hold.get() : hold(d, version);
            if (!h.version().equals(version)) {
                throw new ClusterException(what(d) + " is held by an unfinished rolling update to " + h.version()
                        + " (annotation " + HOLD_ANNOTATION + "); finish or roll back that one first");
            }
            ensureReplicaSet(h);
            scaleReplicaSet(h.canary(), replicas);
            return;
        }
        if (hold.isEmpty()) {
            // A settled Deployment (before the first batch, or a finished rollout rolled back): the controller
            // rolls it to the version with the Deployment's own strategy.
            if (replicas != size()) {
                throw new IllegalStateException("a rolling update scales the new ReplicaSet before the old one, got "
                        + "stable " + version + " x" + replicas + " while " + what(d) + " is not held");
            }
            deployment.update(target.deployment(), d0 -> {
                deployment.container(what(d0), d0.getSpec().getTemplate()).setImage(target.imageFor(version));
                KubernetesWorkload.annotations(d0.getMetadata()).put(KubernetesWorkload.VERSION_ANNOTATION, version);
                d0.getSpec().setReplicas(replicas);
                return d0;
            });
            return;
        }
        Hold h = hold.get();
        if (version.equals(h.version())) {
            // Promotion: the new ReplicaSet carries every instance, the old one none; the Deployment is let go
            // with the new template it already has.
            scaleReplicaSet(h.canary(), replicas);
            scaleReplicaSet(h.stable(), 0);
            release(h, h.version(), null);
        } else {
            scaleReplicaSet(h.stable(), replicas);
        }
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.stop();
        }
        deployment.close();
    }

    // ------------------------------------------------------------------ holding the Deployment

    /**
     * Pauses the Deployment with strategy Recreate and the new template, in one write, remembering what it was.
     * Refused while the Deployment's controller is still rolling out a template of its own.
     */
    private Hold hold(Deployment d, String version) {
        ReplicaSet stable = settled(client, d, server);
        String stableImage = deployment.container(what(d), d.getSpec().getTemplate()).getImage();
        String stableVersion = deployment.versionOf(annotation(d.getMetadata(), KubernetesWorkload.VERSION_ANNOTATION),
                stableImage).orElse(null);
        PodTemplateSpec next = Serialization.clone(d.getSpec().getTemplate());
        deployment.container(what(d), next).setImage(target.imageFor(version));
        Hold hold = new Hold(stable.getMetadata().getName(), stableVersion, stableImage,
                target.deployment() + "-" + templateHash(next), version, d.getSpec().getStrategy(),
                d.getSpec().getPaused());
        deployment.update(target.deployment(), d0 -> {
            if (holdOf(d0).isPresent()) {
                return d0; // held meanwhile by another call of this rollout
            }
            KubernetesWorkload.annotations(d0.getMetadata()).put(HOLD_ANNOTATION, Serialization.asJson(hold));
            KubernetesWorkload.annotations(d0.getMetadata()).put(KubernetesWorkload.VERSION_ANNOTATION, version);
            d0.getSpec().setPaused(true);
            d0.getSpec().setStrategy(new DeploymentStrategyBuilder().withType("Recreate").build());
            deployment.container(what(d0), d0.getSpec().getTemplate()).setImage(target.imageFor(version));
            return d0;
        });
        return holdOf(deployment.readTarget()).orElse(hold);
    }

    /**
     * Ends the hold: strategy and pause as they were, the template on {@code image} (null: as it is), the version
     * annotation on {@code version}.
     */
    private void release(Hold h, String version, String image) {
        deployment.update(target.deployment(), d -> {
            if (holdOf(d).isEmpty()) {
                return d;
            }
            Map<String, String> annotations = KubernetesWorkload.annotations(d.getMetadata());
            annotations.remove(HOLD_ANNOTATION);
            if (version != null) {
                annotations.put(KubernetesWorkload.VERSION_ANNOTATION, version);
            } else {
                annotations.remove(KubernetesWorkload.VERSION_ANNOTATION); // the image's tag says it
            }
            d.getSpec().setPaused(h.paused());
            d.getSpec().setStrategy(h.strategy());
            if (image != null) {
                deployment.container(what(d), d.getSpec().getTemplate()).setImage(image);
            }
            return d;
        });
    }

    /** The new ReplicaSet: the Deployment's (held) template plus the hash label, owned by the Deployment. */
    private void ensureReplicaSet(Hold h) {
        if (readReplicaSet(h.canary()).isPresent()) {
            return;
        }
        Deployment d = deployment.readTarget();
        PodTemplateSpec template = Serialization.clone(d.getSpec().getTemplate());
        String hash = h.canary().substring(target.deployment().length() + 1);
        KubernetesWorkload.labels(template.getMetadata()).put(HASH_LABEL, hash);
        LabelSelector selector = Serialization.clone(d.getSpec().getSelector());
        if (selector.getMatchLabels() == null) {
            selector.setMatchLabels(new LinkedHashMap<>());
        }
        selector.getMatchLabels().put(HASH_LABEL, hash);
        int revision = owned(client, d, server).stream()
                .mapToInt(rs -> parseInt(annotation(rs.getMetadata(), REVISION))).max().orElse(0) + 1;
        ObjectMeta meta = new ObjectMeta();
        meta.setName(h.canary());
        meta.setNamespace(target.namespace());
        meta.setLabels(new LinkedHashMap<>(template.getMetadata().getLabels()));
        meta.setAnnotations(new LinkedHashMap<>(Map.of(REVISION, Integer.toString(revision),
                KubernetesWorkload.VERSION_ANNOTATION, h.version())));
        meta.setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid()).withController(true)
                .withBlockOwnerDeletion(true).build()));
        ReplicaSet rs = new ReplicaSet();
        rs.setApiVersion("apps/v1");
        rs.setKind("ReplicaSet");
        rs.setMetadata(meta);
        rs.setSpec(new io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec(d.getSpec().getMinReadySeconds(), 0,
                selector, template));
        try {
            client.apps().replicaSets().inNamespace(target.namespace()).resource(rs).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw ClusterErrors.translate(e, what(h.canary()), server);
            }
        }
    }

    private void scaleReplicaSet(String name, int replicas) {
        for (int attempt = 1; ; attempt++) {
            Optional<ReplicaSet> current = readReplicaSet(name);
            if (current.isEmpty()) {
                if (replicas == 0) {
                    return;
                }
                throw new ClusterException(what(name) + " not found", 404);
            }
            ReplicaSet rs = current.get();
            if (replicas(rs) == replicas) {
                return;
            }
            rs.getSpec().setReplicas(replicas);
            try {
                client.apps().replicaSets().inNamespace(target.namespace()).resource(rs).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= KubernetesWorkload.UPDATE_ATTEMPTS) {
                    throw ClusterErrors.translate(e, what(name), server);
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Optional<Hold> holdOf(Deployment d) {
        String json = annotation(d.getMetadata(), HOLD_ANNOTATION);
        return json == null ? Optional.empty() : Optional.of(Serialization.unmarshal(json, Hold.class));
    }

    /**
     * The ReplicaSet that runs the Deployment's template, when nothing else of it runs: a rolling update starts
     * only from a settled Deployment (or resumes its own hold, which the caller checks first).
     *
     * @throws ClusterException naming the ReplicaSets still rolling out, or the missing one
     */
    static ReplicaSet settled(KubernetesClient client, Deployment d, String server) {
        String what = "deployment " + d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
        List<ReplicaSet> owned = owned(client, d, server);
        ReplicaSet stable = owned.stream().filter(rs -> sameTemplate(rs.getSpec().getTemplate(), d.getSpec()
                .getTemplate())).findFirst().orElseThrow(() -> new ClusterException(what + " has no ReplicaSet "
                        + "for its template yet: its controller has not caught up (is it running?); run again once "
                        + "`kubectl rollout status` completes"));
        List<String> others = owned.stream().filter(rs -> rs != stable && replicas(rs) > 0)
                .map(rs -> rs.getMetadata().getName() + " (" + replicas(rs) + ")").toList();
        if (!others.isEmpty()) {
            throw new ClusterException(what + " is still rolling out on its own: ReplicaSets "
                    + String.join(", ", others) + " still have Pods; run again once `kubectl rollout status "
                    + "deployment/" + d.getMetadata().getName() + " -n " + d.getMetadata().getNamespace()
                    + "` completes");
        }
        return stable;
    }

    static boolean isHeld(Deployment d) {
        return holdOf(d).isPresent();
    }

    /** The ReplicaSets the Deployment controls, oldest first (the controller's order). */
    private static List<ReplicaSet> owned(KubernetesClient client, Deployment d, String server) {
        String uid = d.getMetadata().getUid();
        String ns = d.getMetadata().getNamespace();
        return ClusterErrors.call("list replicasets in " + ns, server, () -> client.apps().replicaSets()
                .inNamespace(ns).list().getItems()).stream()
                .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences()
                        .stream().anyMatch(o -> uid.equals(o.getUid()) && Boolean.TRUE.equals(o.getController())))
                .sorted(Comparator.comparing((ReplicaSet rs) -> String.valueOf(rs.getMetadata()
                        .getCreationTimestamp())).thenComparing(rs -> rs.getMetadata().getName()))
                .toList();
    }

    /** Equal but for the hash label, as the Deployment controller matches its new ReplicaSet. */
    static boolean sameTemplate(PodTemplateSpec a, PodTemplateSpec b) {
        PodTemplateSpec x = Serialization.clone(a);
        PodTemplateSpec y = Serialization.clone(b);
        for (PodTemplateSpec t : List.of(x, y)) {
            if (t.getMetadata() != null && t.getMetadata().getLabels() != null) {
                t.getMetadata().getLabels().remove(HASH_LABEL);
            }
        }
        return Objects.equals(x, y);
    }

    /**
     * A short name for a template, as Kubernetes makes one: FNV-1a of the template, its decimal digits mapped into
     * the alphabet generated names use.
     */
    static String templateHash(PodTemplateSpec template) {
        int h = 0x811c9dc5;
        for (byte b : Serialization.asJson(template).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder out = new StringBuilder();
        for (char c : Integer.toUnsignedString(h).toCharArray()) {
            out.append(alphabet.charAt(c % alphabet.length()));
        }
        return out.toString();
    }

    private Optional<ReplicaSet> readReplicaSet(String name) {
        return Optional.ofNullable(ClusterErrors.call(what(name), server, () -> client.apps().replicaSets()
                .inNamespace(target.namespace()).withName(name).get()));
    }

    private String what(Deployment d) {
        return "deployment " + target.namespace() + "/" + d.getMetadata().getName();
    }

    private String what(String replicaSet) {
        return "replicaset " + target.namespace() + "/" + replicaSet;
    }

    /** Reads without adding an empty map (which {@link KubernetesWorkload#annotations} does): no spurious write. */
    private static String annotation(ObjectMeta meta, String key) {
        return meta.getAnnotations() == null ? null : meta.getAnnotations().get(key);
    }

    private static int parseInt(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int replicas(ReplicaSet rs) {
        return Optional.ofNullable(rs.getSpec().getReplicas()).orElse(1);
    }

}
