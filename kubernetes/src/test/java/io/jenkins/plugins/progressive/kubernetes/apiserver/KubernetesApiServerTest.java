package io.jenkins.plugins.progressive.kubernetes.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class KubernetesApiServerTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    private KubernetesClient client;

    @BeforeEach
    void setUp() {
        client = api.client();
        api.createNamespace("prod");
    }

    static Deployment deployment(String name, int replicas, String image) {
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("prod")
                .addToLabels("app", name).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage(image).endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    @Test
    void discoveryListsBuiltInGroupsAndResources() {
        assertThat(client.getApiGroups().getGroups()).extracting(g -> g.getName())
                .contains("apps", "coordination.k8s.io", "networking.k8s.io", "gateway.networking.k8s.io",
                        "networking.istio.io", "apiextensions.k8s.io");
        assertThat(client.getApiResources("apps/v1").getResources()).extracting(APIResource::getName)
                .contains("deployments", "deployments/status", "deployments/scale", "replicasets");
        assertThat(client.getApiResources("v1").getResources()).extracting(APIResource::getName)
                .contains("pods", "services", "configmaps", "events", "namespaces");
    }

    @Test
    void createSetsServerFieldsAndUpdateWithStaleResourceVersionConflicts() {
        Deployment created = client.apps().deployments().inNamespace("prod").resource(deployment("shop", 2, "shop:1"))
                .create();
        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(created.getMetadata().getCreationTimestamp()).isNotBlank();
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(Long.parseLong(created.getMetadata().getResourceVersion())).isPositive();
        assertThat(created.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getStrVal()).isEqualTo("25%");

        created.getSpec().setReplicas(3);
        Deployment updated = client.apps().deployments().inNamespace("prod").resource(created).update();
        assertThat(updated.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(Long.parseLong(updated.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));

        created.getSpec().setReplicas(4); // still carries the old resourceVersion
        assertThatThrownBy(() -> client.apps().deployments().inNamespace("prod").resource(created).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getMessage()).contains("Operation cannot be fulfilled on deployments.apps "
                            + "\"shop\": the object has been modified");
                });
    }

    @Test
    void metadataOnlyChangesDoNotBumpGenerationAndNoOpUpdatesKeepTheResourceVersion() {
        Deployment d = client.apps().deployments().inNamespace("prod").resource(deployment("shop", 2, "shop:1"))
                .create();
        d.getMetadata().getLabels().put("team", "a");
        Deployment labelled = client.apps().deployments().inNamespace("prod").resource(d).update();
        assertThat(labelled.getMetadata().getGeneration()).isEqualTo(1L);
        Deployment again = client.apps().deployments().inNamespace("prod").resource(labelled).update();
        assertThat(again.getMetadata().getResourceVersion()).isEqualTo(labelled.getMetadata().getResourceVersion());
    }

    @Test
    void notFoundAndAlreadyExistsAnswerWithRealStatusBodies() {
        assertThat(client.apps().deployments().inNamespace("prod").withName("nope").get()).isNull();
        assertThatThrownBy(() -> client.apps().deployments().inNamespace("prod").withName("nope")
                .edit(d -> d)).isInstanceOfSatisfying(KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(404));
        client.apps().deployments().inNamespace("prod").resource(deployment("shop", 1, "shop:1")).create();
        assertThatThrownBy(() -> client.apps().deployments().inNamespace("prod")
                .resource(deployment("shop", 1, "shop:1")).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getReason()).isEqualTo("AlreadyExists");
                    assertThat(e.getStatus().getMessage()).isEqualTo("deployments.apps \"shop\" already exists");
                });
        assertThatThrownBy(() -> client.apps().deployments().inNamespace("missing")
                .resource(deployment("shop", 1, "shop:1")).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(404);
                    assertThat(e.getStatus().getMessage()).isEqualTo("namespaces \"missing\" not found");
                });
    }

    @Test
    void statusSubresourceIsSeparateFromTheMainResource() {
        var deployments = client.apps().deployments().inNamespace("prod");
        deployments.resource(deployment("shop", 2, "shop:1")).create();
        Deployment withStatus = deployments.withName("shop").get();
        withStatus.setStatus(new DeploymentStatusBuilder().withReplicas(2).withReadyReplicas(2).build());
        deployments.resource(withStatus).updateStatus();
        assertThat(deployments.withName("shop").get().getStatus().getReadyReplicas()).isEqualTo(2);

        Deployment noStatus = deployments.withName("shop").get();
        noStatus.setStatus(null);
        noStatus.getSpec().setReplicas(5);
        Deployment after = deployments.resource(noStatus).update();
        assertThat(after.getStatus().getReadyReplicas()).as("a PUT on the main resource keeps status").isEqualTo(2);
        assertThat(after.getSpec().getReplicas()).isEqualTo(5);

        Deployment statusOnly = deployments.withName("shop").get();
        statusOnly.getSpec().setReplicas(9);
        statusOnly.getStatus().setReadyReplicas(1);
        deployments.resource(statusOnly).updateStatus();
        Deployment read = deployments.withName("shop").get();
        assertThat(read.getSpec().getReplicas()).as("/status ignores spec").isEqualTo(5);
        assertThat(read.getStatus().getReadyReplicas()).isEqualTo(1);
    }

    @Test
    void scaleSubresourceReadsAndWritesReplicas() {
        var deployments = client.apps().deployments().inNamespace("prod");
        deployments.resource(deployment("shop", 2, "shop:1")).create();
        Scale scale = deployments.withName("shop").scale();
        assertThat(scale.getSpec().getReplicas()).isEqualTo(2);
        assertThat(scale.getStatus().getSelector()).isEqualTo("app=shop");

        deployments.withName("shop").scale(4);
        Deployment d = deployments.withName("shop").get();
        assertThat(d.getSpec().getReplicas()).isEqualTo(4);
        assertThat(d.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
        assertThat(d.getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void mergePatchReplacesListsAndStrategicMergeMergesContainersByName() {
        var deployments = client.apps().deployments().inNamespace("prod");
        Deployment d = deployment("shop", 2, "shop:1");
        d.getSpec().getTemplate().getSpec().getContainers().add(new io.fabric8.kubernetes.api.model.ContainerBuilder()
                .withName("sidecar").withImage("envoy:1").build());
        deployments.resource(d).create();

        deployments.withName("shop").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"shop\",\"image\":\"shop:2\"}]}}}}");
        var containers = deployments.withName("shop").get().getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).extracting(c -> c.getName() + "=" + c.getImage())
                .containsExactly("shop=shop:2", "sidecar=envoy:1");

        deployments.withName("shop").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"shop\",\"image\":\"shop:3\"}]}}}}");
        assertThat(deployments.withName("shop").get().getSpec().getTemplate().getSpec().getContainers())
                .extracting(c -> c.getName() + "=" + c.getImage()).containsExactly("shop=shop:3");

        deployments.withName("shop").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":7}]");
        assertThat(deployments.withName("shop").get().getSpec().getReplicas()).isEqualTo(7);

        Deployment edited = deployments.withName("shop").edit(x -> {
            x.getSpec().setReplicas(3);
            return x;
        });
        assertThat(edited.getSpec().getReplicas()).isEqualTo(3);

        assertThatThrownBy(() -> deployments.withName("shop").patch(PatchContext.of(PatchType.SERVER_SIDE_APPLY),
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"shop\"}}"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(415));
    }

    @Test
    void preloadingSeedsManyObjectsAsIfCreated() {
        List<ConfigMap> many = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            many.add(new ConfigMapBuilder().withNewMetadata().withName(String.format("cm-%04d", i)).withNamespace("prod")
                    .endMetadata().addToData("i", Integer.toString(i)).build());
        }
        api.preload(many);
        var items = client.configMaps().inNamespace("prod").list().getItems();
        assertThat(items).hasSize(2000);
        assertThat(items.get(1999).getMetadata().getName()).isEqualTo("cm-1999");
        assertThat(items).allMatch(c -> c.getMetadata().getUid() != null && c.getMetadata().getResourceVersion() != null);
    }

    @Test
    void dryRunChecksEverythingAndStoresNothing() {
        long before = api.resourceVersion();
        Deployment answered = client.apps().deployments().inNamespace("prod").resource(deployment("shop", 2, "shop:1"))
                .dryRun().create();
        assertThat(answered.getMetadata().getUid()).isNotBlank();
        assertThat(client.apps().deployments().inNamespace("prod").withName("shop").get()).isNull();
        assertThat(api.resourceVersion()).isEqualTo(before);
        assertThatThrownBy(() -> client.apps().deployments().inNamespace("missing")
                .resource(deployment("shop", 1, "shop:1")).dryRun().create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        client.apps().deployments().inNamespace("prod").resource(deployment("shop", 2, "shop:1")).create();
        client.apps().deployments().inNamespace("prod").withName("shop").dryRun().delete();
        assertThat(client.apps().deployments().inNamespace("prod").withName("shop").get()).isNotNull();
    }

    @Test
    void listsAreSortedFilteredAndPaged() {
        for (String n : List.of("c", "a", "d", "b")) {
            client.configMaps().inNamespace("prod").resource(new ConfigMapBuilder().withNewMetadata().withName(n)
                    .addToLabels("tier", n.equals("d") ? "db" : "web").endMetadata().build()).create();
        }
        assertThat(client.configMaps().inNamespace("prod").list().getItems()).extracting(c -> c.getMetadata().getName())
                .containsExactly("a", "b", "c", "d");
        assertThat(client.configMaps().inNamespace("prod").withLabel("tier", "web").list().getItems())
                .extracting(c -> c.getMetadata().getName()).containsExactly("a", "b", "c");
        assertThat(client.configMaps().inNamespace("prod").withField("metadata.name", "c").list().getItems())
                .extracting(c -> c.getMetadata().getName()).containsExactly("c");

        var page1 = client.configMaps().inNamespace("prod").list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                .withLimit(3L).build());
        assertThat(page1.getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("a", "b", "c");
        assertThat(page1.getMetadata().getContinue()).isNotBlank();
        var page2 = client.configMaps().inNamespace("prod").list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                .withLimit(3L).withContinue(page1.getMetadata().getContinue()).build());
        assertThat(page2.getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("d");
        assertThat(page2.getMetadata().getContinue()).isNull();
    }

    @Test
    void watchesReplayFromAResourceVersionThenGoLiveAndHonourSelectors() {
        var cms = client.configMaps().inNamespace("prod");
        ConfigMap first = cms.resource(cm("one", "web")).create();
        cms.resource(cm("two", "web")).create();
        cms.resource(cm("db", "db")).create();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Watch w = cms.withLabel("tier", "web").withResourceVersion(first.getMetadata().getResourceVersion())
                .watch(recorder(seen, new AtomicReference<>()))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("ADDED two"));
            cms.resource(cm("three", "web")).create();
            cms.withName("one").edit(c -> new ConfigMapBuilder(c).addToData("k", "v").build());
            cms.withName("two").delete();
            cms.withName("db").edit(c -> new ConfigMapBuilder(c).addToData("k", "v").build());
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(seen)
                    .containsExactly("ADDED two", "ADDED three", "MODIFIED one", "DELETED two"));
        }
    }

    @Test
    void informersListThenWatchFromTheListsResourceVersion() {
        var cms = client.configMaps().inNamespace("prod");
        cms.resource(cm("before", "web")).create();
        List<String> seen = new CopyOnWriteArrayList<>();
        var informer = cms.inform(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap obj) {
                seen.add("add " + obj.getMetadata().getName());
            }

            @Override
            public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
                if (!oldObj.getMetadata().getResourceVersion().equals(newObj.getMetadata().getResourceVersion())) {
                    seen.add("update " + newObj.getMetadata().getName());
                }
            }

            @Override
            public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {
                seen.add("delete " + obj.getMetadata().getName());
            }
        });
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("add before"));
            cms.resource(cm("after", "web")).create();
            cms.withName("before").edit(c -> new ConfigMapBuilder(c).addToData("k", "v").build());
            cms.withName("after").delete();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(seen)
                    .containsExactly("add before", "add after", "update before", "delete after"));
        } finally {
            informer.close();
        }
    }

    @Test
    void watchFromACompactedResourceVersionIsGone() {
        var cms = client.configMaps().inNamespace("prod");
        ConfigMap first = cms.resource(cm("one", "web")).create();
        cms.resource(cm("two", "web")).create();
        api.compactHistory();
        AtomicReference<WatcherException> closed = new AtomicReference<>();
        try (Watch w = cms.withResourceVersion(first.getMetadata().getResourceVersion())
                .watch(recorder(new CopyOnWriteArrayList<>(), closed))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> closed.get() != null);
            assertThat(closed.get().isHttpGone()).isTrue();
        }
    }

    @Test
    void selfSubjectAccessReviewsAnswerFromTheSameRulesAndAreNeverStored() {
        api.deny("update", "apps", "deployments", "prod");
        java.util.function.BiFunction<String, String, Boolean> allowed = (verb, ns) -> client.authorization().v1()
                .selfSubjectAccessReview().create(new io.fabric8.kubernetes.api.model.authorization.v1
                        .SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes().withVerb(verb)
                        .withGroup("apps").withResource("deployments").withNamespace(ns).endResourceAttributes()
                        .endSpec().build()).getStatus().getAllowed();
        long before = api.resourceVersion();
        assertThat(allowed.apply("update", "prod")).isFalse();
        assertThat(allowed.apply("get", "prod")).isTrue();
        assertThat(allowed.apply("update", "staging")).isTrue();
        assertThat(api.resourceVersion()).isEqualTo(before);
        assertThat(client.getApiResources("authorization.k8s.io/v1").getResources())
                .filteredOn(r -> r.getName().equals("selfsubjectaccessreviews"))
                .singleElement().satisfies(r -> assertThat(r.getVerbs()).containsExactly("create"));
    }

    @Test
    void rbacDenialsAnswerWithTheRealForbiddenMessage() {
        client.apps().deployments().inNamespace("prod").resource(deployment("shop", 1, "shop:1")).create();
        api.deny("patch", "apps", "deployments", "prod");
        assertThatThrownBy(() -> client.apps().deployments().inNamespace("prod").withName("shop")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":2}}"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getStatus().getMessage()).isEqualTo("deployments.apps \"shop\" is forbidden: User "
                            + "\"system:serviceaccount:ci:jenkins\" cannot patch resource \"deployments\" in API group "
                            + "\"apps\" in the namespace \"prod\"");
                });
        assertThat(client.apps().deployments().inNamespace("prod").withName("shop").get()).isNotNull();
        api.deny("list", "", "pods", null);
        assertThatThrownBy(() -> client.pods().inNamespace("prod").list())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getStatus().getMessage())
                        .isEqualTo("pods is forbidden: User \"system:serviceaccount:ci:jenkins\" cannot list resource "
                                + "\"pods\" in API group \"\" in the namespace \"prod\""));
    }

    @Test
    void deletingANamespaceDeletesItsObjectsAndOwnersTakeTheirDependents() {
        Deployment owner = client.apps().deployments().inNamespace("prod").resource(deployment("shop", 1, "shop:1"))
                .create();
        client.configMaps().inNamespace("prod").resource(new ConfigMapBuilder(cm("owned", "web")).editMetadata()
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName("shop")
                .withUid(owner.getMetadata().getUid()).endOwnerReference().endMetadata().build()).create();
        client.configMaps().inNamespace("prod").resource(cm("free", "web")).create();
        client.apps().deployments().inNamespace("prod").withName("shop").delete();
        assertThat(client.configMaps().inNamespace("prod").list().getItems()).extracting(c -> c.getMetadata().getName())
                .containsExactly("free");

        client.namespaces().withName("prod").delete();
        assertThat(client.namespaces().withName("prod").get()).isNull();
        api.createNamespace("prod");
        assertThat(client.configMaps().inNamespace("prod").list().getItems()).isEmpty();
    }

    @Test
    void leasesAndEventsAreServed() {
        client.leases().inNamespace("prod").resource(new LeaseBuilder().withNewMetadata().withName("shop")
                .endMetadata().withNewSpec().withHolderIdentity("a").withLeaseDurationSeconds(15).endSpec().build())
                .create();
        assertThat(client.leases().inNamespace("prod").withName("shop").get().getSpec().getHolderIdentity())
                .isEqualTo("a");
        client.v1().events().inNamespace("prod").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
                .withNewMetadata().withName("shop.1").endMetadata().withNewInvolvedObject().withKind("Deployment")
                .withName("shop").withNamespace("prod").endInvolvedObject().withReason("Test").withMessage("hello")
                .withType("Normal").build()).create();
        assertThat(client.v1().events().inNamespace("prod").withField("involvedObject.name", "shop").list()
                .getItems()).extracting(e -> e.getMessage()).containsExactly("hello");
    }

    @Test
    void aCreatedCrdBecomesDiscoverableAndServable() {
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("rollouts.example.io").endMetadata().withNewSpec().withGroup("example.io")
                .withScope("Namespaced").withNewNames().withPlural("rollouts").withKind("Rollout").withSingular("rollout")
                .endNames().addNewVersion().withName("v1").withServed(true).withStorage(true).endVersion().endSpec()
                .build()).create();
        assertThat(client.getApiResources("example.io/v1").getResources()).extracting(APIResource::getName)
                .contains("rollouts");
        var rollouts = client.genericKubernetesResources("example.io/v1", "Rollout").inNamespace("prod");
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion("example.io/v1");
        r.setKind("Rollout");
        r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("shop").build());
        r.setAdditionalProperties(Map.of("spec", Map.of("weight", 5)));
        rollouts.resource(r).create();
        assertThat(rollouts.withName("shop").get().get("spec", "weight").toString()).isEqualTo("5");
    }

    @Test
    void kubectlWorksAgainstIt(@TempDir Path dir) throws Exception {
        client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder(deployment("shop", 2,
                "shop:1")).editMetadata().withNamespace("default").endMetadata().build()).create();
        Path kubeconfig = api.writeKubeconfig(dir);
        String resources = Kubectl.run(kubeconfig, dir, "api-resources");
        assertThat(resources).contains("deployments", "apps/v1", "leases", "httproutes", "virtualservices");
        String json = Kubectl.run(kubeconfig, dir, "get", "deployments", "-o", "json");
        assertThat(json).contains("\"name\": \"shop\"", "\"image\": \"shop:1\"");
        String names = Kubectl.run(kubeconfig, dir, "get", "deployments", "-o", "name");
        assertThat(names.trim()).isEqualTo("deployment.apps/shop");
        assertThat(Kubectl.run(kubeconfig, dir, "get", "deployments")).contains("shop");
        assertThat(Kubectl.run(kubeconfig, dir, "get", "deploy", "shop", "-o", "jsonpath={.spec.replicas}"))
                .isEqualTo("2");
        // kubectl scale PATCHes the scale subresource
        assertThat(Kubectl.run(kubeconfig, dir, "scale", "deployment", "shop", "--replicas=5")).contains("scaled");
        assertThat(client.apps().deployments().inNamespace("default").withName("shop").get().getSpec().getReplicas())
                .isEqualTo(5);
        assertThat(Kubectl.run(kubeconfig, dir, "get", "deploy", "-l", "app in (shop,cart)", "-o", "name").trim())
                .isEqualTo("deployment.apps/shop");
        assertThat(Kubectl.run(kubeconfig, dir, "get", "deploy", "-A", "--field-selector",
                "metadata.namespace=default", "-o", "name").trim()).isEqualTo("deployment.apps/shop");
    }

    private static ConfigMap cm(String name, String tier) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).addToLabels("tier", tier).endMetadata().build();
    }

    private static Watcher<ConfigMap> recorder(List<String> seen, AtomicReference<WatcherException> closed) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
                seen.add(action + " " + resource.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
                closed.set(cause);
            }
        };
    }
}
