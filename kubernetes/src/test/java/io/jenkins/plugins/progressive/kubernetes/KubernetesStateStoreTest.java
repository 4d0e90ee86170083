package io.jenkins.plugins.progressive.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.rollout.StateStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KubernetesStateStoreTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    private KubernetesClient client;
    private KubernetesStateStore store;

    @BeforeEach
    void setUp() {
        api.createNamespace("ci");
        client = api.client();
        store = new KubernetesStateStore(client, "ci");
    }

    @Test
    void savesLoadsAndCountsRevisions() throws Exception {
        assertThat(store.load("shop")).isEmpty();
        assertThat(store.save("shop", 0, "{\"step\":1}")).isEqualTo(1);
        assertThat(store.save("shop", 1, "{\"step\":2}")).isEqualTo(2);
        assertThat(store.load("shop")).contains(new StateStore.Stored("{\"step\":2}", 2));
        ConfigMap cm = client.configMaps().inNamespace("ci").withName("progressive-shop").get();
        assertThat(cm.getData()).containsEntry("state.json", "{\"step\":2}");
        assertThat(store.keys()).containsExactly("shop");
    }

    @Test
    void aStaleRevisionIsAConflictAndChangesNothing() throws Exception {
        store.save("shop", 0, "{\"by\":\"a\"}");
        assertThatThrownBy(() -> store.save("shop", 0, "{\"by\":\"b\"}"))
                .isInstanceOf(StateStore.ConflictException.class).hasMessageContaining("expected revision 0, found 1");
        store.save("shop", 1, "{\"by\":\"a2\"}");
        assertThatThrownBy(() -> store.save("shop", 1, "{\"by\":\"b\"}"))
                .isInstanceOf(StateStore.ConflictException.class);
        assertThat(store.load("shop").get().json()).isEqualTo("{\"by\":\"a2\"}");
    }

    @Test
    void twoDriversRacingOnTheSameRevisionCannotBothWin() throws Exception {
        store.save("shop", 0, "{}");
        KubernetesStateStore other = new KubernetesStateStore(api.client(), "ci");
        // Both read revision 1; the API server's resourceVersion check lets exactly one write through.
        int wins = 0;
        int conflicts = 0;
        for (KubernetesStateStore s : new KubernetesStateStore[] {store, other}) {
            try {
                s.save("shop", 1, "{\"winner\":true}");
                wins++;
            } catch (StateStore.ConflictException e) {
                conflicts++;
            }
        }
        assertThat(wins).isEqualTo(1);
        assertThat(conflicts).isEqualTo(1);
    }

    @Test
    void keysWithCharactersKubernetesRefusesGetSafeNames() throws Exception {
        store.save("kubernetes/prod/Shop", 0, "{}");
        assertThat(store.keys()).containsExactly("kubernetes/prod/Shop");
        assertThat(client.configMaps().inNamespace("ci").list().getItems())
                .extracting(c -> c.getMetadata().getName()).anyMatch(n -> n.matches("progressive-kubernetes-prod-shop-[0-9a-f]{8}"));
    }

    @Test
    void forbiddenWritesNameTheVerbAndResource() {
        api.deny("create", "", "configmaps", "ci");
        assertThatThrownBy(() -> store.save("shop", 0, "{}")).isInstanceOf(ClusterException.class)
                .hasMessageContaining("cannot create resource \"configmaps\" in API group \"\" in the namespace \"ci\"");
    }
}
