package io.jenkins.plugins.progressive.kubernetes.apiserver;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Simulated authorization: everything is allowed except what a deny rule matches. Answers with the
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

    private final List<Deny> rules = new CopyOnWriteArrayList<>();
    private volatile String user = "system:serviceaccount:ci:jenkins";

    void deny(String verb, String group, String resource, String namespace) {
        rules.add(new Deny(verb, group, resource, namespace));
    }

    void clear() {
        rules.clear();
    }

    void user(String name) {
        this.user = name;
    }

    /** What a SelfSubjectAccessReview answers: is {@code verb} on {@code group}/{@code resource} allowed? */
    boolean allows(String verb, String group, String resource, String namespace) {
        return rules.stream().noneMatch(d -> d.matches(verb, group, resource, namespace));
    }

    /**
     * The Forbidden message, if the request is denied.
     *
     * @param resource plural, with "/subresource" when one is addressed
     * @param name the object's name, null for collections
     * @param namespace null for cluster-scoped resources
     */
    Optional<String> check(String verb, ResourceType type, String resource, String name, String namespace) {
        for (Deny d : rules) {
            if (d.matches(verb, type.group(), resource, namespace)) {
                String subject = type.qualifiedName() + (name != null ? " \"" + name + "\"" : "");
                String scope = namespace != null ? "in the namespace \"" + namespace + "\"" : "at the cluster scope";
                return Optional.of(subject + " is forbidden: User \"" + user + "\" cannot " + verb + " resource \""
                        + resource + "\" in API group \"" + type.group() + "\" " + scope);
            }
        }
        return Optional.empty();
    }
}
