package io.jenkins.plugins.progressive.kubernetes.apiserver;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Simulated authorization. A request whose bearer token is bound to a Role ({@link #bind}) may do exactly what
 * that Role grants, in the Role's namespace, as a real RBAC authorizer allows it (nothing cluster-scoped, no
 * other namespace). Every other request may do everything except what a deny rule matches. Answers with the
 * exact message a real API server's RBAC authorizer gives, so error reporting can be tested.
 */
final class Rbac {

    private record Deny(String verb, String group, String resource, String namespace) {
        boolean matches(String v, String g, String r, String ns) {
            return (verb.equals("*") || verb.equals(v)) && (group.equals("*") || group.equals(g))
                    && (resource.equals("*") || resource.equals(r))
                    && (namespace == null || namespace.equals("*") || namespace.equals(ns));
        }
    }

    /** One rule of a Role: every verb on every resource of every group it lists. */
    record Grant(List<String> groups, List<String> resources, List<String> verbs) {
        boolean matches(String v, String g, String r) {
            return (verbs.contains("*") || verbs.contains(v)) && (groups.contains("*") || groups.contains(g))
                    && (resources.contains("*") || resources.contains(r));
        }
    }

    /** A namespaced Role bound to the holder of a token. */
    private record Bound(String namespace, List<Grant> grants) {
        boolean allows(String v, String g, String r, String ns) {
            return namespace.equals(ns) && grants.stream().anyMatch(x -> x.matches(v, g, r));
        }
    }

    private final List<Deny> rules = new CopyOnWriteArrayList<>();
    private final java.util.Map<String, Bound> roles = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile String user = "system:serviceaccount:ci:jenkins";

    void deny(String verb, String group, String resource, String namespace) {
        rules.add(new Deny(verb, group, resource, namespace));
    }

    void clear() {
        rules.clear();
    }

    void bind(String token, String namespace, List<Grant> grants) {
        roles.put(token, new Bound(namespace, List.copyOf(grants)));
    }

    void user(String name) {
        this.user = name;
    }

    /**
     * What a SelfSubjectAccessReview answers: is {@code verb} on {@code group}/{@code resource} allowed?
     *
     * @param token the request's bearer token, null without one
     */
    boolean allows(String token, String verb, String group, String resource, String namespace) {
        Bound role = token == null ? null : roles.get(token);
        if (role != null) {
            return role.allows(verb, group, resource, namespace);
        }
        return rules.stream().noneMatch(d -> d.matches(verb, group, resource, namespace));
    }

    /**
     * The Forbidden message, if the request is denied.
     *
     * @param resource plural, with "/subresource" when one is addressed
     * @param name the object's name, null for collections
     * @param namespace null for cluster-scoped resources
     */
    Optional<String> check(String token, String verb, ResourceType type, String resource, String name,
            String namespace) {
        if (allows(token, verb, type.group(), resource, namespace)) {
            return Optional.empty();
        }
        String subject = type.qualifiedName() + (name != null ? " \"" + name + "\"" : "");
        String scope = namespace != null ? "in the namespace \"" + namespace + "\"" : "at the cluster scope";
        return Optional.of(subject + " is forbidden: User \"" + user + "\" cannot " + verb + " resource \""
                + resource + "\" in API group \"" + type.group() + "\" " + scope);
    }
}
