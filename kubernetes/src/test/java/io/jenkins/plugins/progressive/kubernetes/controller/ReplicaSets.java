package io.jenkins.plugins.progressive.kubernetes.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rules kube-controller-manager's Deployment controller applies to a Deployment's ReplicaSets
 * (pkg/controller/deployment/util and controller_utils): which one is new, which are active, how a paused or scaled
 * Deployment's replicas are shared out, and the annotations it keeps on them. Pure functions; the controller acts.
 */
final class ReplicaSets {

    static final String HASH_LABEL = "pod-template-hash";
    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    /** The Deployment annotations the real controller never copies onto its new ReplicaSet. */
    private static final Set<String> NOT_COPIED = Set.of("kubectl.kubernetes.io/last-applied-configuration", REVISION,
            REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to");
    /** The real controller's cap (maxRevHistoryLengthInChars) on the revision-history annotation. */
    private static final int REVISION_HISTORY_CHARS = 2000;

    /** Oldest first, then by name: ReplicaSetsByCreationTimestamp. */
    static final Comparator<ReplicaSet> BY_CREATION = Comparator
            .comparing((ReplicaSet rs) -> Instant.parse(rs.getMetadata().getCreationTimestamp()))
            .thenComparing(rs -> rs.getMetadata().getName());
    /** Largest first, newer first among equals: ReplicaSetsBySizeNewer (used when adding replicas). */
    static final Comparator<ReplicaSet> BY_SIZE_NEWER = Comparator.comparing((ReplicaSet rs) -> replicas(rs)).reversed()
            .thenComparing(BY_CREATION.reversed());
    /** Largest first, older first among equals: ReplicaSetsBySizeOlder (used when removing replicas). */
    static final Comparator<ReplicaSet> BY_SIZE_OLDER = Comparator.comparing((ReplicaSet rs) -> replicas(rs)).reversed()
            .thenComparing(BY_CREATION);

    private ReplicaSets() {
    }

    static int replicas(ReplicaSet rs) {
        return Optional.ofNullable(rs.getSpec().getReplicas()).orElse(1);
    }

    static int replicas(Deployment d) {
        return Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
    }

    static boolean active(ReplicaSet rs) {
        return rs != null && replicas(rs) > 0;
    }

    static Optional<OwnerReference> controllerOf(ReplicaSet rs) {
        return Optional.ofNullable(rs.getMetadata().getOwnerReferences()).orElse(List.of()).stream()
                .filter(r -> Boolean.TRUE.equals(r.getController())).findFirst();
    }

    /**
     * FindNewReplicaSet: the oldest ReplicaSet whose pod template is the Deployment's, whatever its pod-template-hash
     * (whoever made it), or null.
     */
    static ReplicaSet findNew(Deployment d, List<ReplicaSet> owned) {
        return owned.stream().sorted(BY_CREATION)
                .filter(rs -> equalIgnoreHash(rs.getSpec().getTemplate(), d.getSpec().getTemplate())).findFirst()
                .orElse(null);
    }

    /** EqualIgnoreHash: the templates are equal once the pod-template-hash label is left out of both. */
    static boolean equalIgnoreHash(PodTemplateSpec a, PodTemplateSpec b) {
        return withoutHash(a).equals(withoutHash(b));
    }

    private static JsonNode withoutHash(PodTemplateSpec template) {
        JsonNode tree = Serialization.jsonMapper().valueToTree(template);
        JsonNode labels = tree.path("metadata").path("labels");
        if (labels instanceof ObjectNode l) {
            l.remove(HASH_LABEL);
            if (l.isEmpty()) {
                ((ObjectNode) tree.get("metadata")).remove("labels");
            }
        }
        return tree;
    }

    /**
     * FindActiveOrLatest: the only ReplicaSet with replicas, or, when none has any, the new one (else the newest old
     * one); null when several have replicas.
     */
    static ReplicaSet activeOrLatest(ReplicaSet newRs, List<ReplicaSet> old) {
        if (newRs == null && old.isEmpty()) {
            return null;
        }
        List<ReplicaSet> newestFirst = old.stream().sorted(BY_CREATION.reversed()).toList();
        List<ReplicaSet> all = new ArrayList<>(newestFirst);
        all.add(newRs);
        List<ReplicaSet> active = all.stream().filter(ReplicaSets::active).toList();
        return switch (active.size()) {
            case 0 -> newRs != null ? newRs : newestFirst.get(0);
            case 1 -> active.get(0);
            default -> null;
        };
    }

    /**
     * IsSaturated: the new ReplicaSet has all the Deployment's replicas, was told so by the controller (annotation),
     * and all of them are available.
     */
    static boolean isSaturated(Deployment d, ReplicaSet rs) {
        if (rs == null) {
            return false;
        }
        Integer desired = intAnnotation(rs, DESIRED_REPLICAS);
        int available = rs.getStatus() == null || rs.getStatus().getAvailableReplicas() == null ? 0
                : rs.getStatus().getAvailableReplicas();
        return desired != null && replicas(rs) == replicas(d) && desired == replicas(d) && available == replicas(d);
    }

    static boolean isRollingUpdate(Deployment d) {
        return d.getSpec().getStrategy() == null || d.getSpec().getStrategy().getType() == null
                || "RollingUpdate".equals(d.getSpec().getStrategy().getType());
    }

    /** MaxSurge: 0 unless RollingUpdate; percentages round up. */
    static int maxSurge(Deployment d) {
        return isRollingUpdate(d) ? resolve(rollingParam(d, true), replicas(d), true) : 0;
    }

    static IntOrString rollingParam(Deployment d, boolean surge) {
        var strategy = d.getSpec().getStrategy();
        if (strategy == null || strategy.getRollingUpdate() == null) {
            return new IntOrString("25%");
        }
        IntOrString v = surge ? strategy.getRollingUpdate().getMaxSurge()
                : strategy.getRollingUpdate().getMaxUnavailable();
        return v == null ? new IntOrString("25%") : v;
    }

    /** Percentages round up for maxSurge and down for maxUnavailable, as in the real controller. */
    static int resolve(IntOrString v, int desired, boolean roundUp) {
        if (v.getIntVal() != null) {
            return v.getIntVal();
        }
        String s = v.getStrVal();
        if (s.endsWith("%")) {
            double share = Integer.parseInt(s.substring(0, s.length() - 1)) * desired / 100.0;
            return (int) (roundUp ? Math.ceil(share) : Math.floor(share));
        }
        return Integer.parseInt(s);
    }

    /**
     * The sizes the real scale() gives the active ReplicaSets of a paused RollingUpdate Deployment (or one being
     * scaled): together replicas + maxSurge, shared in proportion to their sizes, leftovers to the first after
     * sorting. Returns them in the order the real controller writes them.
     */
    static List<Map.Entry<ReplicaSet, Integer>> proportionalSizes(Deployment d, List<ReplicaSet> activeRs) {
        int total = activeRs.stream().mapToInt(ReplicaSets::replicas).sum();
        int allowed = replicas(d) > 0 ? replicas(d) + maxSurge(d) : 0;
        int toAdd = allowed - total;
        List<ReplicaSet> sorted = new ArrayList<>(activeRs);
        if (toAdd > 0) {
            sorted.sort(BY_SIZE_NEWER);
        } else if (toAdd < 0) {
            sorted.sort(BY_SIZE_OLDER);
        }
        int[] sizes = new int[sorted.size()];
        int added = 0;
        for (int i = 0; i < sizes.length; i++) {
            int proportion = toAdd == 0 ? 0 : proportion(sorted.get(i), d, toAdd, added);
            sizes[i] = replicas(sorted.get(i)) + proportion;
            added += proportion;
        }
        if (toAdd != 0 && sizes.length > 0) {
            sizes[0] = Math.max(0, sizes[0] + toAdd - added); // leftovers to the largest
        }
        List<Map.Entry<ReplicaSet, Integer>> result = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            result.add(Map.entry(sorted.get(i), sizes[i]));
        }
        return result;
    }

    /** GetProportion: this ReplicaSet's share, never beyond what is left to add (or remove). */
    static int proportion(ReplicaSet rs, Deployment d, int toAdd, int added) {
        if (rs == null || replicas(rs) == 0 || toAdd == 0 || toAdd == added) {
            return 0;
        }
        int fraction = fraction(rs, d);
        int allowed = toAdd - added;
        return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
    }

    /**
     * getReplicaSetFraction: its size scaled from the Deployment size it was last sized for (max-replicas annotation,
     * else the Deployment's current pod count) to replicas + maxSurge, rounded half away from zero, minus its size.
     */
    static int fraction(ReplicaSet rs, Deployment d) {
        if (replicas(d) == 0) {
            return -replicas(rs);
        }
        int deploymentReplicas = replicas(d) + maxSurge(d);
        Integer annotated = intAnnotation(rs, MAX_REPLICAS);
        if (annotated == null) {
            annotated = d.getStatus() == null || d.getStatus().getReplicas() == null ? 0 : d.getStatus().getReplicas();
        }
        if (annotated == 0) {
            return 0; // the real controller would divide by zero here; no share rather than an arbitrary one
        }
        double size = (double) replicas(rs) * deploymentReplicas / annotated;
        int rounded = (int) (size < 0 ? size - 0.5 : size + 0.5);
        return rounded - replicas(rs);
    }

    /**
     * SetReplicasAnnotations: desired-replicas = the Deployment's replicas, max-replicas = that + maxSurge. Returns
     * whether anything changed.
     */
    static boolean setReplicasAnnotations(ReplicaSet rs, Deployment d) {
        Map<String, String> a = annotations(rs);
        boolean changed = !Integer.toString(replicas(d)).equals(a.put(DESIRED_REPLICAS, Integer.toString(replicas(d))));
        String max = Integer.toString(replicas(d) + maxSurge(d));
        return !max.equals(a.put(MAX_REPLICAS, max)) || changed;
    }

    /**
     * SetNewReplicaSetAnnotations: copies the Deployment's annotations (but its own bookkeeping) and raises the
     * revision to {@code revision} if lower, remembering the former one in revision-history; a ReplicaSet about to be
     * created also gets the replicas annotations. Returns whether anything changed.
     */
    static boolean setNewReplicaSetAnnotations(Deployment d, ReplicaSet rs, long revision, boolean exists) {
        Map<String, String> a = annotations(rs);
        boolean changed = false;
        for (var e : Optional.ofNullable(d.getMetadata().getAnnotations()).orElse(Map.of()).entrySet()) {
            if (!NOT_COPIED.contains(e.getKey()) && !e.getValue().equals(a.get(e.getKey()))) {
                a.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        String old = a.get(REVISION);
        long oldRevision;
        try {
            oldRevision = old == null || old.isEmpty() ? 0 : Long.parseLong(old);
        } catch (NumberFormatException e) {
            return false; // as the real controller: an unreadable revision is left alone (and nothing written)
        }
        if (oldRevision < revision) {
            a.put(REVISION, Long.toString(revision));
            changed = true;
            if (old != null) {
                String history = a.getOrDefault(REVISION_HISTORY, "");
                List<String> revisions = new ArrayList<>(history.isEmpty() ? List.of() : List.of(history.split(",")));
                int length = history.length() + old.length() + 1;
                while (length > REVISION_HISTORY_CHARS && !revisions.isEmpty()) {
                    length -= revisions.remove(0).length() + 1;
                }
                if (length <= REVISION_HISTORY_CHARS) {
                    revisions.add(old);
                    a.put(REVISION_HISTORY, String.join(",", revisions));
                }
            }
        }
        if (!exists && setReplicasAnnotations(rs, d)) {
            changed = true;
        }
        return changed;
    }

    /** MaxRevision: the highest revision among these ReplicaSets (unreadable ones skipped). */
    static long maxRevision(List<ReplicaSet> rsList) {
        long max = 0;
        for (ReplicaSet rs : rsList) {
            try {
                max = Math.max(max, Long.parseLong(annotations(rs).getOrDefault(REVISION, "0")));
            } catch (NumberFormatException e) {
                // skipped, as the real controller does
            }
        }
        return max;
    }

    static Integer intAnnotation(ReplicaSet rs, String key) {
        String v = rs.getMetadata().getAnnotations() == null ? null : rs.getMetadata().getAnnotations().get(key);
        try {
            return v == null ? null : Integer.valueOf(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Map<String, String> annotations(ReplicaSet rs) {
        if (rs.getMetadata().getAnnotations() == null) {
            rs.getMetadata().setAnnotations(new LinkedHashMap<>());
        }
        return rs.getMetadata().getAnnotations();
    }
}
