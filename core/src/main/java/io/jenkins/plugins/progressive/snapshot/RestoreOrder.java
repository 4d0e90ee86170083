package io.jenkins.plugins.progressive.snapshot;

import java.util.Comparator;
import java.util.Map;
import java.util.Set;

/**
 * Velero's restore order: what others depend on goes first (CRDs, namespaces, storage, identities,
 * Secrets, ConfigMaps), then the rest of the built-in kinds, workloads, Services, routes, and custom
 * resources last (their CRDs exist by then).
 */
final class RestoreOrder {

    private static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "batch", "autoscaling", "policy",
            "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io",
            "coordination.k8s.io", "discovery.k8s.io", "admissionregistration.k8s.io", "certificates.k8s.io",
            "node.k8s.io", "apiextensions.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
            "apiregistration.k8s.io", "resource.k8s.io");

    private static final int OTHER_BUILT_IN = 100;
    static final int CUSTOM = 1000;

    private static final Map<String, Integer> RANKS = Map.ofEntries(
            Map.entry("apiextensions.k8s.io/CustomResourceDefinition", 0),
            Map.entry("/Namespace", 10),
            Map.entry("storage.k8s.io/StorageClass", 20),
            Map.entry("/PersistentVolume", 21),
            Map.entry("/PersistentVolumeClaim", 22),
            Map.entry("/ServiceAccount", 30),
            Map.entry("rbac.authorization.k8s.io/ClusterRole", 40),
            Map.entry("rbac.authorization.k8s.io/Role", 41),
            Map.entry("rbac.authorization.k8s.io/ClusterRoleBinding", 42),
            Map.entry("rbac.authorization.k8s.io/RoleBinding", 43),
            Map.entry("/Secret", 50),
            Map.entry("/ConfigMap", 60),
            Map.entry("/LimitRange", 70),
            Map.entry("/ResourceQuota", 71),
            Map.entry("scheduling.k8s.io/PriorityClass", 72),
            Map.entry("apps/Deployment", 200),
            Map.entry("apps/StatefulSet", 201),
            Map.entry("apps/DaemonSet", 202),
            Map.entry("apps/ReplicaSet", 203),
            Map.entry("/ReplicationController", 204),
            Map.entry("batch/Job", 205),
            Map.entry("batch/CronJob", 206),
            Map.entry("/Pod", 207),
            Map.entry("autoscaling/HorizontalPodAutoscaler", 210),
            Map.entry("policy/PodDisruptionBudget", 211),
            Map.entry("/Service", 300),
            Map.entry("networking.k8s.io/Ingress", 400),
            Map.entry("gateway.networking.k8s.io/Gateway", 401),
            Map.entry("gateway.networking.k8s.io/HTTPRoute", 402),
            Map.entry("gateway.networking.k8s.io/GRPCRoute", 403));

    static final Comparator<ObjectKey> ORDER = Comparator.comparingInt(RestoreOrder::rank)
            .thenComparing(ObjectKey::group).thenComparing(ObjectKey::kind).thenComparing(ObjectKey::namespace)
            .thenComparing(ObjectKey::name);

    private RestoreOrder() {
    }

    static int rank(ObjectKey key) {
        Integer r = RANKS.get(key.group() + "/" + key.kind());
        if (r != null) {
            return r;
        }
        return BUILT_IN_GROUPS.contains(key.group()) ? OTHER_BUILT_IN : CUSTOM;
    }
}
