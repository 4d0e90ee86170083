package io.jenkins.plugins.progressive.kubernetes.apiserver;

import java.util.List;

/** The resources the test API server serves from the start (custom resources come with their CRDs). */
final class BuiltInTypes {

    private BuiltInTypes() {
    }

    private static final List<String> V1 = List.of("v1");

    static final List<ResourceType> ALL = List.of(
            ResourceType.core("namespaces", "Namespace", false, true, "ns"),
            ResourceType.core("pods", "Pod", true, true, "po"),
            ResourceType.core("services", "Service", true, true, "svc"),
            ResourceType.core("configmaps", "ConfigMap", true, false, "cm"),
            ResourceType.core("secrets", "Secret", true, false),
            ResourceType.core("events", "Event", true, false, "ev"),
            ResourceType.core("endpoints", "Endpoints", true, false, "ep"),
            ResourceType.core("serviceaccounts", "ServiceAccount", true, false, "sa"),
            ResourceType.core("persistentvolumeclaims", "PersistentVolumeClaim", true, true, "pvc"),
            ResourceType.of("apps", V1, "deployments", "Deployment", true, true, "deploy"),
            ResourceType.of("apps", V1, "replicasets", "ReplicaSet", true, true, "rs"),
            ResourceType.of("apps", V1, "statefulsets", "StatefulSet", true, true, "sts"),
            ResourceType.of("apps", V1, "daemonsets", "DaemonSet", true, false, "ds"),
            new ResourceType("coordination.k8s.io", V1, "leases", "Lease", true, false, false, false, List.of()),
            ResourceType.of("networking.k8s.io", V1, "ingresses", "Ingress", true, false, "ing"),
            ResourceType.of("networking.k8s.io", V1, "networkpolicies", "NetworkPolicy", false, false, "netpol"),
            new ResourceType("rbac.authorization.k8s.io", V1, "roles", "Role", true, false, false, false, List.of()),
            new ResourceType("rbac.authorization.k8s.io", V1, "rolebindings", "RoleBinding", true, false, false, false,
                    List.of()),
            ResourceType.of("gateway.networking.k8s.io", V1, "httproutes", "HTTPRoute", true, false),
            ResourceType.of("gateway.networking.k8s.io", V1, "gateways", "Gateway", true, false, "gtw"),
            ResourceType.of("networking.istio.io", List.of("v1", "v1beta1"), "virtualservices", "VirtualService",
                    true, false, "vs"),
            ResourceType.of("networking.istio.io", List.of("v1", "v1beta1"), "destinationrules", "DestinationRule",
                    true, false, "dr"),
            // Created only (the answer is computed, never stored): see ApiDispatcher#accessReview.
            new ResourceType("authorization.k8s.io", V1, "selfsubjectaccessreviews", "SelfSubjectAccessReview", false,
                    false, false, false, List.of()),
            new ResourceType("apiextensions.k8s.io", V1, "customresourcedefinitions", "CustomResourceDefinition",
                    false, true, false, true, List.of("crd", "crds")));
}
