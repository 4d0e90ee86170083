package io.jenkins.plugins.progressive.kubernetes;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.Strategy;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link KubernetesPlatform#validate}: RBAC first (a SelfSubjectAccessReview per verb and resource the rollout
 * uses, all denials reported together), then every object the spec names. Only reads and reviews: nothing in
 * the namespace changes.
 */
final class Preflight {

    /** One permission the rollout needs. */
    record Need(String verb, String group, String resource, String why) {
        String qualified() {
            return group.isEmpty() ? resource : resource + "." + group;
        }
    }

    private final KubernetesClient client;
    private final RolloutSpec spec;
    private final String server;

    Preflight(KubernetesClient client, RolloutSpec spec) {
        this.client = client;
        this.spec = spec;
        this.server = String.valueOf(client.getMasterUrl());
    }

    void run() throws InvalidSpecException {
        if (!(spec.target() instanceof Target.Kubernetes target)) {
            throw new InvalidSpecException("target", "the Kubernetes platform drives target.kubernetes only");
        }
        if (spec.traffic() instanceof Traffic.Haproxy || spec.traffic() instanceof Traffic.Nginx) {
            throw new InvalidSpecException("traffic", "a Kubernetes target is split by replicas, nginxIngress, "
                    + "gatewayApi or istio");
        }
        if (spec.strategy() instanceof Strategy.Rolling && !(spec.traffic() instanceof Traffic.Replicas)) {
            // A router splits between two backends by weight; a rolling update's split is how many instances
            // run each version, so a router would only be told a share it already serves.
            throw new InvalidSpecException("traffic", "strategy.rolling takes no router: its traffic follows the "
                    + "replicas of each version; use traffic.replicas (or leave traffic out), or strategy.canary or "
                    + "strategy.blueGreen with this router");
        }
        checkRbac(target.namespace(), needs(spec));
        checkObjects(target);
    }

    /** What the rollout will do in the target namespace, by strategy and router (docs/routers/*.md list it). */
    static List<Need> needs(RolloutSpec spec) {
        List<Need> n = new ArrayList<>();
        for (String v : List.of("get", "list", "watch", "create", "update", "delete")) {
            n.add(new Need(v, "apps", "deployments", "the Deployment and its <name>-canary"));
        }
        for (String v : List.of("get", "list", "watch")) {
            n.add(new Need(v, "", "pods", "readiness and failure reasons"));
        }
        if (spec.strategy() instanceof Strategy.Rolling) {
            for (String v : List.of("get", "list", "watch", "create", "update")) {
                n.add(new Need(v, "apps", "replicasets", "the batches: the Deployment's old and new ReplicaSets"));
            }
        }
        n.add(new Need("list", "", "events", "Pod warnings"));
        n.add(new Need("create", "", "events", "rollout Events"));
        for (String v : List.of("get", "list", "create", "update")) {
            n.add(new Need(v, "", "configmaps", "rollout state"));
        }
        for (String v : List.of("get", "create", "update")) {
            n.add(new Need(v, "coordination.k8s.io", "leases", "one driver per rollout"));
        }
        Traffic t = spec.traffic();
        if (!(t instanceof Traffic.Replicas)) {
            n.add(new Need("update", "", "services", "the stable Service narrowed to the stable's Pods"));
            n.add(new Need("list", "apps", "replicasets", "the stable's pod-template-hash"));
        }
        if (t instanceof Traffic.NginxIngress) {
            n.add(new Need("get", "", "services", "the canary Service"));
            n.add(new Need("create", "", "services", "the canary Service"));
            for (String v : List.of("get", "create", "update")) {
                n.add(new Need(v, "networking.k8s.io", "ingresses", "the canary Ingress"));
            }
        } else if (t instanceof Traffic.GatewayApi) {
            n.add(new Need("get", "", "services", "the canary Service"));
            n.add(new Need("create", "", "services", "the canary Service"));
            n.add(new Need("get", "gateway.networking.k8s.io", "httproutes", "backendRef weights"));
            n.add(new Need("update", "gateway.networking.k8s.io", "httproutes", "backendRef weights"));
        } else if (t instanceof Traffic.Istio) {
            n.add(new Need("get", "", "services", "the canary Service"));
            n.add(new Need("create", "", "services", "the canary Service"));
            n.add(new Need("get", "networking.istio.io", "virtualservices", "route weights"));
            n.add(new Need("update", "networking.istio.io", "virtualservices", "route weights"));
        } else if (spec.strategy() instanceof Strategy.BlueGreen) {
            n.add(new Need("get", "", "services", "active and preview selectors"));
            n.add(new Need("update", "", "services", "active and preview selectors"));
            n.add(new Need("list", "apps", "replicasets", "the stable's pod-template-hash"));
        }
        return n;
    }

    private void checkRbac(String namespace, List<Need> needs) {
        Set<String> denied = new LinkedHashSet<>();
        for (Need need : needs) {
            SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder().withNewSpec()
                    .withNewResourceAttributes().withNamespace(namespace).withVerb(need.verb()).withGroup(need.group())
                    .withResource(need.resource()).endResourceAttributes().endSpec().build();
            SelfSubjectAccessReview answer;
            try {
                answer = client.authorization().v1().selfSubjectAccessReview().create(review);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return; // no authorization API: the first refused call names the permission instead
                }
                throw ClusterErrors.translate(e, "selfsubjectaccessreview", server);
            }
            if (answer.getStatus() == null || !Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
                denied.add(need.verb() + " " + need.qualified() + " (" + need.why() + ")");
            }
        }
        if (!denied.isEmpty()) {
            throw new ClusterException("RBAC does not allow this rollout in namespace \"" + namespace + "\"; missing: "
                    + String.join(", ", denied) + ". Nothing was changed; grant them in the Role (see "
                    + "docs/routers/" + routerPage(spec.traffic()) + ")", 403);
        }
    }

    static String routerPage(Traffic t) {
        if (t instanceof Traffic.NginxIngress) {
            return "nginx-ingress.md";
        }
        if (t instanceof Traffic.GatewayApi) {
            return "gateway-api.md";
        }
        if (t instanceof Traffic.Istio) {
            return "istio.md";
        }
        return "replicas.md";
    }

    private void checkObjects(Target.Kubernetes target) {
        String ns = target.namespace();
        // The namespace itself is not read: it is cluster-scoped, which no namespaced Role can grant.
        Deployment d = ClusterErrors.call("deployment " + ns + "/" + target.deployment(), server,
                () -> client.apps().deployments().inNamespace(ns).withName(target.deployment()).get());
        if (d == null) {
            throw new ClusterException("deployment " + ns + "/" + target.deployment() + " not found: namespace \""
                    + ns + "\" has no Deployment \"" + target.deployment() + "\", or does not exist"
                    + " (target.kubernetes.namespace, target.kubernetes.deployment)", 404);
        }
        boolean hasContainer = d.getSpec().getTemplate().getSpec().getContainers().stream()
                .anyMatch(c -> target.container().equals(c.getName()));
        if (!hasContainer) {
            throw new ClusterException("deployment " + ns + "/" + target.deployment() + " has no container named '"
                    + target.container() + "' (containers: " + String.join(", ", d.getSpec().getTemplate().getSpec()
                            .getContainers().stream().map(c -> c.getName()).toList()) + ")");
        }
        if (spec.strategy() instanceof Strategy.Rolling && !ReplicaSetWorkload.isHeld(d)) {
            ReplicaSetWorkload.settled(client, d, server);
        }
        // Each router reads its objects (and names a missing one) in its constructor; none of them writes there.
        // A split by replicas has no objects of its own: it reads the workload's, checked above.
        if (!(spec.traffic() instanceof Traffic.Replicas) || spec.strategy() instanceof Strategy.BlueGreen) {
            KubernetesPlatform.routerFor(client, spec, target, null);
        }
        for (String service : KubernetesPlatform.backendServices(client, spec, target)) {
            if (ClusterErrors.call("service " + ns + "/" + service, server,
                    () -> client.services().inNamespace(ns).withName(service).get()) == null) {
                throw new ClusterException("service " + ns + "/" + service + " not found (named by traffic."
                        + trafficField(spec.traffic()) + ")", 404);
            }
        }
    }

    private static String trafficField(Traffic t) {
        if (t instanceof Traffic.NginxIngress) {
            return "nginxIngress.ingress";
        }
        if (t instanceof Traffic.GatewayApi) {
            return "gatewayApi.httpRoute";
        }
        return "istio.virtualService";
    }
}
