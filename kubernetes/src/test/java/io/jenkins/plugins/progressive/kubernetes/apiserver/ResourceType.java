package io.jenkins.plugins.progressive.kubernetes.apiserver;

import java.util.List;

/**
 * One servable resource of the test API server: what discovery lists and what the object store keys on.
 *
 * @param group API group, "" for core
 * @param versions served versions, the first is the preferred one
 * @param hasStatus a {@code /status} subresource exists (then writes to the main resource ignore status)
 * @param hasScale a {@code /scale} subresource exists
 * @param hasGeneration {@code metadata.generation} is maintained (bumped on spec changes)
 */
record ResourceType(String group, List<String> versions, String plural, String kind, boolean namespaced,
        boolean hasStatus, boolean hasScale, boolean hasGeneration, List<String> shortNames) {

    static final List<String> VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    ResourceType {
        versions = List.copyOf(versions);
        shortNames = List.copyOf(shortNames);
    }

    /** "deployments.apps", or "pods" for the core group: how the API server names a resource in messages. */
    String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    String apiVersion(String version) {
        return group.isEmpty() ? version : group + "/" + version;
    }

    static ResourceType core(String plural, String kind, boolean namespaced, boolean status, String... shortNames) {
        return new ResourceType("", List.of("v1"), plural, kind, namespaced, status, false, false, List.of(shortNames));
    }

    static ResourceType of(String group, List<String> versions, String plural, String kind, boolean status,
            boolean scale, String... shortNames) {
        return new ResourceType(group, versions, plural, kind, true, status, scale, true, List.of(shortNames));
    }
}
