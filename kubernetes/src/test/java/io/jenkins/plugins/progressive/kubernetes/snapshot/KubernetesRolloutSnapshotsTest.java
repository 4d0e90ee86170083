package io.jenkins.plugins.progressive.kubernetes.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.snapshot.DirectorySnapshotStore;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.SnapshotKey;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The engine's pre-rollout snapshot: what the rollout touches, and a rollback putting it back. */
class KubernetesRolloutSnapshotsTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @TempDir
    Path dir;

    private KubernetesClient client;
    private final SnapshotKey key = SnapshotKey.of(new byte[32]);

    @BeforeEach
    void seed() {
        client = api.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build())
                .create();
        Deployment shop = new DeploymentBuilder().withNewMetadata().withName("shop").addToLabels("app", "shop")
                .endMetadata().withNewSpec().withReplicas(4).withNewSelector().addToMatchLabels("app", "shop")
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "shop").addToLabels("tier", "web")
                .endMetadata().withNewSpec().addNewContainer().withName("shop").withImage("registry/shop:1.0")
                .addNewEnv().withName("DB_PASSWORD").withNewValueFrom().withNewSecretKeyRef("password", "shop-db", false)
                .endValueFrom().endEnv().addNewEnvFrom().withNewConfigMapRef("shop-env", false).endEnvFrom()
                .endContainer().addNewVolume().withName("config").withNewConfigMap().withName("shop-config")
                .endConfigMap().endVolume().endSpec().endTemplate().endSpec().build();
        client.apps().deployments().inNamespace("prod").resource(shop).create();
        for (String cm : new String[] {"shop-config", "shop-env", "unrelated"}) {
            client.configMaps().inNamespace("prod").resource(new ConfigMapBuilder().withNewMetadata().withName(cm)
                    .endMetadata().addToData("k", cm).build()).create();
        }
        client.secrets().inNamespace("prod").resource(new SecretBuilder().withNewMetadata().withName("shop-db")
                .endMetadata().addToData("password", "c2VjcmV0").build()).create();
        client.services().inNamespace("prod").resource(service("shop", Map.of("app", "shop"))).create();
        client.services().inNamespace("prod").resource(service("other", Map.of("app", "other"))).create();
        client.network().v1().ingresses().inNamespace("prod").resource(new IngressBuilder().withNewMetadata()
                .withName("shop").endMetadata().withNewSpec().addNewRule().withHost("shop.example.com").endRule()
                .endSpec().build()).create();
    }

    private static io.fabric8.kubernetes.api.model.Service service(String name, Map<String, String> selector) {
        return new ServiceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withSelector(selector).addNewPort().withPort(80).endPort().endSpec().build();
    }

    private RolloutSpec spec() throws Exception {
        return spec("encryptionKey: {env: PROGRESSIVE_SNAPSHOT_KEY}");
    }

    @Test
    void capturesWhatTheRolloutTouchesAndTheSameStateGivesTheSameId() throws Exception {
        RolloutSpec spec = spec();
        var snapshots = new KubernetesRolloutSnapshots(client, spec, KeyProvider.of(key), Path.of(""));

        String id = snapshots.capture(spec);

        Manifest m = Snapshots.show(new DirectorySnapshotStore(dir.resolve("snapshots")), id);
        assertThat(m.objects()).extracting(e -> e.key().toString()).containsExactlyInAnyOrder("Deployment prod/shop",
                "ConfigMap prod/shop-config", "ConfigMap prod/shop-env", "Secret prod/shop-db", "Service prod/shop",
                "Ingress prod/shop");
        assertThat(m.name()).isEqualTo("shop");
        assertThat(snapshots.capture(spec)).isEqualTo(id);
        assertThat(new DirectorySnapshotStore(dir.resolve("snapshots")).manifestIds()).containsExactly(id);
    }

    @Test
    void anIstioRolloutTakesItsVirtualServiceAndABlueGreenOneItsPreviewService() throws Exception {
        client.genericKubernetesResources("networking.istio.io/v1", "VirtualService").inNamespace("prod")
                .resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                        .withApiVersion("networking.istio.io/v1").withKind("VirtualService").withNewMetadata()
                        .withName("shop").endMetadata().addToAdditionalProperties("spec", Map.of("hosts",
                                java.util.List.of("shop")))
                        .build()).create();
        client.services().inNamespace("prod").resource(service("shop-preview", Map.of("app", "preview"))).create();
        RolloutSpec spec = SpecReader.parse("""
                name: shop
                version: "1.1"
                target:
                  kubernetes: {namespace: prod, deployment: shop, container: shop, image: registry/shop}
                traffic:
                  istio: {virtualService: shop, route: primary}
                strategy:
                  blueGreen: {previewService: shop-preview}
                snapshot:
                  enabled: true
                  store: "file:%s"
                """.formatted(dir.resolve("snapshots")), SpecReader.Format.YAML, Map.of());

        String id = new KubernetesRolloutSnapshots(client, spec, KeyProvider.of(key), Path.of("")).capture(spec);

        Manifest m = Snapshots.show(new DirectorySnapshotStore(dir.resolve("snapshots")), id);
        assertThat(m.objects()).extracting(e -> e.key().toString()).contains("VirtualService prod/shop",
                "Service prod/shop-preview", "Service prod/shop").doesNotContain("Ingress prod/shop",
                "Service prod/other");
    }

    @Test
    void everyWayAPodTemplateNamesAConfigMapOrSecretIsFollowed() throws Exception {
        var podSpec = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"volumes": [{"name": "a", "configMap": {"name": "cm-volume"}},
                             {"name": "b", "secret": {"secretName": "secret-volume"}},
                             {"name": "c", "projected": {"sources": [{"configMap": {"name": "cm-projected"}},
                                                                     {"secret": {"name": "secret-projected"}}]}}],
                 "initContainers": [{"name": "init", "envFrom": [{"secretRef": {"name": "secret-init"}}]}],
                 "containers": [{"name": "app",
                                 "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "cm-env", "key": "x"}}},
                                         {"name": "Y", "valueFrom": {"secretKeyRef": {"name": "secret-env", "key": "y"}}},
                                         {"name": "Z", "value": "plain"}],
                                 "envFrom": [{"configMapRef": {"name": "cm-envfrom"}}]}],
                 "imagePullSecrets": [{"name": "registry-credentials"}]}
                """);
        java.util.Set<String> configMaps = new java.util.TreeSet<>();
        java.util.Set<String> secrets = new java.util.TreeSet<>();

        KubernetesRolloutSnapshots.references(podSpec, configMaps, secrets);

        assertThat(configMaps).containsExactly("cm-env", "cm-envfrom", "cm-projected", "cm-volume");
        assertThat(secrets).containsExactly("registry-credentials", "secret-env", "secret-init", "secret-projected",
                "secret-volume");
    }

    @Test
    void restorePutsBackTheTouchedObjectsOverTheirChangedVersions() throws Exception {
        RolloutSpec spec = spec();
        var snapshots = new KubernetesRolloutSnapshots(client, spec, KeyProvider.of(key), Path.of(""));
        String id = snapshots.capture(spec);
        client.apps().deployments().inNamespace("prod").withName("shop").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("registry/shop:1.1");
            d.getSpec().setReplicas(1);
            return d;
        });
        client.configMaps().inNamespace("prod").withName("shop-config").edit(c -> {
            c.getData().put("k", "changed");
            return c;
        });
        client.secrets().inNamespace("prod").withName("shop-db").delete();

        snapshots.restore(id);

        Deployment shop = client.apps().deployments().inNamespace("prod").withName("shop").get();
        assertThat(shop.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("registry/shop:1.0");
        assertThat(shop.getSpec().getReplicas()).isEqualTo(4);
        assertThat(client.configMaps().inNamespace("prod").withName("shop-config").get().getData())
                .containsEntry("k", "shop-config");
        assertThat(client.secrets().inNamespace("prod").withName("shop-db").get().getData())
                .containsEntry("password", "c2VjcmV0");
    }

    private RolloutSpec spec(String snapshotExtra) throws Exception {
        return SpecReader.parse("""
                name: shop
                version: "1.1"
                target:
                  kubernetes: {namespace: prod, deployment: shop, container: shop, image: registry/shop}
                traffic:
                  nginxIngress: {ingress: shop}
                strategy:
                  canary: {steps: [{setWeight: 10}]}
                snapshot:
                  enabled: true
                  store: "file:%s"
                %s
                """.formatted(dir.resolve("snapshots"), snapshotExtra.indent(2).stripTrailing()), SpecReader.Format.YAML,
                Map.of());
    }

    private Manifest captured(RolloutSpec spec, KeyProvider keys) throws Exception {
        var snapshots = new KubernetesRolloutSnapshots(client, spec, keys, Path.of(""));
        snapshots.preflight();
        return Snapshots.show(new DirectorySnapshotStore(dir.resolve("snapshots")), snapshots.capture(spec));
    }

    @Test
    void includeAddsObjectsTheRolloutDoesNotTouchAndExcludeLeavesOutWhatItOnlyReads() throws Exception {
        client.configMaps().inNamespace("prod").resource(new ConfigMapBuilder().withNewMetadata().withName("feature-flags")
                .addToLabels("app", "shop").endMetadata().addToData("beta", "on").build()).create();

        Manifest m = captured(spec("""
                include: {kinds: [configmaps], labelSelector: "app=shop"}
                exclude: {kinds: [secrets]}
                """), KeyProvider.none());

        assertThat(m.objects()).extracting(e -> e.key().toString()).containsExactlyInAnyOrder("Deployment prod/shop",
                "ConfigMap prod/shop-config", "ConfigMap prod/shop-env", "ConfigMap prod/feature-flags",
                "Service prod/shop", "Ingress prod/shop");
        assertThat(m.selection().kinds()).contains("deployments.apps", "configmaps");
        assertThat(m.selection().excludeKinds()).containsExactly("secrets");
    }

    @Test
    void excludingWhatTheRolloutChangesIsRefusedNamingTheField() throws Exception {
        RolloutSpec spec = spec("exclude: {kinds: [events, deployments]}\nencryptionKey: {env: PROGRESSIVE_SNAPSHOT_KEY}");

        assertThatThrownBy(() -> new KubernetesRolloutSnapshots(client, spec,
                KeyProvider.of(key), Path.of("")).preflight())
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("snapshot.exclude.kinds[1]")
                .hasMessageContaining("'deployments' is what a rollout changes");
        assertThat(dir.resolve("snapshots")).as("nothing stored").doesNotExist();
    }

    @Test
    void aReferencedSecretWithoutAKeyIsRefusedAtPreflightUnlessSecretsAreExcluded() throws Exception {
        RolloutSpec spec = spec("");

        assertThatThrownBy(() -> new KubernetesRolloutSnapshots(client, spec,
                KeyProvider.none(), Path.of("")).preflight())
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("snapshot.encryptionKey")
                .hasMessageContaining("Secret prod/shop-db")
                .hasMessageContaining("snapshot.excludeSecrets: true");
        assertThat(dir.resolve("snapshots")).doesNotExist();

        Manifest m = captured(spec("excludeSecrets: true"), KeyProvider.none());
        assertThat(m.excludeSecrets()).isTrue();
        assertThat(m.objects()).extracting(e -> e.key().toString()).contains("Deployment prod/shop")
                .doesNotContain("Secret prod/shop-db");
    }
}
