package io.jenkins.plugins.progressive.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.progressive.rollout.StateStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rollout state in ConfigMaps: {@code progressive-<key>} in one namespace, the JSON under {@code state.json}.
 *
 * <p>Revisions: the store's revision (1, 2, 3…) is kept in the annotation {@code progressive.jenkins.io/revision};
 * the compare-and-set itself is the API server's: every write is a PUT carrying the resourceVersion of the
 * ConfigMap that was read (a create for revision 0), so a concurrent writer gets 409 Conflict and a
 * {@link StateStore.ConflictException}. The resourceVersion is opaque to clients, so it is never turned
 * into a number itself.
 */
public final class KubernetesStateStore implements StateStore {

    static final String DATA_KEY = "state.json";
    static final String KEY_ANNOTATION = "progressive.jenkins.io/key";
    static final String REVISION_ANNOTATION = "progressive.jenkins.io/revision";
    static final String STATE_LABEL = "progressive.jenkins.io/state";

    private final KubernetesClient client;
    private final String namespace;

    public KubernetesStateStore(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public Optional<Stored> load(String key) {
        return read(key).map(cm -> new Stored(cm.getData() == null ? "" : cm.getData().getOrDefault(DATA_KEY, ""),
                revisionOf(cm)));
    }

    @Override
    public long save(String key, long expectedRevision, String json) throws ConflictException {
        String name = ObjectNames.forKey(key);
        String what = "configmap " + namespace + "/" + name;
        Optional<ConfigMap> current = read(key);
        long actual = current.map(KubernetesStateStore::revisionOf).orElse(0L);
        if (actual != expectedRevision) {
            throw new ConflictException(key, expectedRevision, actual);
        }
        long next = expectedRevision + 1;
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(STATE_LABEL, "true").addToAnnotations(KEY_ANNOTATION, key)
                .addToAnnotations(REVISION_ANNOTATION, Long.toString(next))
                .withResourceVersion(current.map(c -> c.getMetadata().getResourceVersion()).orElse(null))
                .endMetadata().withData(Map.of(DATA_KEY, json)).build();
        try {
            if (current.isEmpty()) {
                client.configMaps().inNamespace(namespace).resource(cm).create();
            } else {
                client.configMaps().inNamespace(namespace).resource(cm).update();
            }
            return next;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new ConflictException(key, expectedRevision, read(key).map(KubernetesStateStore::revisionOf)
                        .orElse(0L));
            }
            throw ClusterException.from(e, what, String.valueOf(client.getMasterUrl()));
        }
    }

    @Override
    public List<String> keys() {
        try {
            return client.configMaps().inNamespace(namespace).withLabel(STATE_LABEL, "true").list().getItems()
                    .stream().map(cm -> cm.getMetadata().getAnnotations() == null ? null
                            : cm.getMetadata().getAnnotations().get(KEY_ANNOTATION))
                    .filter(k -> k != null).sorted().toList();
        } catch (KubernetesClientException e) {
            throw ClusterException.from(e, "configmaps in " + namespace, String.valueOf(client.getMasterUrl()));
        }
    }

    private Optional<ConfigMap> read(String key) {
        String name = ObjectNames.forKey(key);
        try {
            return Optional.ofNullable(client.configMaps().inNamespace(namespace).withName(name).get());
        } catch (KubernetesClientException e) {
            throw ClusterException.from(e, "configmap " + namespace + "/" + name, String.valueOf(client.getMasterUrl()));
        }
    }

    private static long revisionOf(ConfigMap cm) {
        Map<String, String> a = cm.getMetadata().getAnnotations();
        try {
            return a == null ? 1 : Long.parseLong(a.getOrDefault(REVISION_ANNOTATION, "1"));
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
