package io.jenkins.plugins.progressive.kubernetes.traffic;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads and conditionally updates a custom object (HTTPRoute, VirtualService) as untyped maps, so the
 * routers need no model classes for CRDs a cluster may not even have.
 */
public final class CustomObjects {

    private static final int ATTEMPTS = 8;

    private final KubernetesClient client;
    private final String apiVersion;
    private final String kind;
    private final String namespace;
    private final String name;
    private final String what;

    public CustomObjects(KubernetesClient client, String apiVersion, String kind, String namespace, String name) {
        this.client = client;
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.namespace = namespace;
        this.name = name;
        this.what = kind.toLowerCase() + " " + namespace + "/" + name;
    }

    /** What users call the object in messages ({@code httproute prod/shop}). */
    public String what() {
        return what;
    }

    /** The object; a missing object (or a missing CRD) is a {@link ClusterException} "... not found". */
    public GenericKubernetesResource read() {
        try {
            GenericKubernetesResource r = client.genericKubernetesResources(apiVersion, kind).inNamespace(namespace)
                    .withName(name).get();
            if (r == null) {
                throw new ClusterException(what + " not found", 404);
            }
            return r;
        } catch (KubernetesClientException e) {
            throw ClusterException.from(e, what, String.valueOf(client.getMasterUrl()));
        }
    }

    /**
     * Reads, lets {@code change} edit the copy (returning whether it changed anything) and PUTs it with the
     * read resourceVersion, reading again on 409.
     */
    public void update(Predicate<GenericKubernetesResource> change) {
        for (int attempt = 1; ; attempt++) {
            GenericKubernetesResource copy = Serialization.clone(read());
            if (!change.test(copy)) {
                return;
            }
            try {
                client.genericKubernetesResources(apiVersion, kind).inNamespace(namespace).resource(copy).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= ATTEMPTS) {
                    throw ClusterException.from(e, what, String.valueOf(client.getMasterUrl()));
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    public static int intOf(Object o, int fallback) {
        return o instanceof Number n ? n.intValue() : fallback;
    }
}
