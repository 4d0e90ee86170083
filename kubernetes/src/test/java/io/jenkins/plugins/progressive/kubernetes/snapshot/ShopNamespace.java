package io.jenkins.plugins.progressive.kubernetes.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jenkins.plugins.progressive.snapshot.ObjectKey;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A namespace {@code shop} with what an application has: Deployments, Services, ConfigMaps, a Secret, a
 * CRD ({@code widgets.example.com}) and two of its custom resources; plus noise a snapshot must leave
 * out (a Pod, an object in another namespace).
 */
final class ShopNamespace {

    static final String SECRET_VALUE = "hunter2-very-secret-password";
    static final String SECRET_BASE64 = java.util.Base64.getEncoder().encodeToString(
            SECRET_VALUE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    static final List<String> KINDS_IN_SHOP = List.of("v1/ConfigMap", "v1/Secret", "v1/Service", "apps/v1/Deployment",
            "example.com/v1/Widget");

    private ShopNamespace() {
    }

    static void create(KubernetesClient client) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
                .addToLabels("team", "checkout").endMetadata().build()).create();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("other").endMetadata().build())
                .create();
        for (String app : List.of("shop", "cart")) {
            client.apps().deployments().inNamespace("shop").resource(deployment(app)).create();
            client.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName(app)
                    .addToLabels("app", app).endMetadata().withNewSpec().addToSelector("app", app).addNewPort()
                    .withPort(80).withNewTargetPort(8080).endPort().endSpec().build()).create();
            client.configMaps().inNamespace("shop").resource(new ConfigMapBuilder().withNewMetadata()
                    .withName(app + "-config").addToLabels("app", app).endMetadata()
                    .addToData("settings.properties", "color=blue\nworkers=" + app.length()).build()).create();
        }
        client.secrets().inNamespace("shop").resource(new SecretBuilder().withNewMetadata().withName("shop-db")
                .addToLabels("app", "shop").endMetadata().addToData("password", SECRET_BASE64).build()).create();
        client.apiextensions().v1().customResourceDefinitions().resource(widgetCrd()).create();
        for (String name : List.of("blue", "green")) {
            client.genericKubernetesResources("example.com/v1", "Widget").inNamespace("shop").resource(widget(name))
                    .create();
        }
        // Noise: recreated by controllers, or outside the namespace.
        client.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName("shop-abc12")
                .addToLabels("app", "shop").endMetadata().withNewSpec().addNewContainer().withName("shop")
                .withImage("registry/shop:1.0").endContainer().endSpec().build()).create();
        client.configMaps().inNamespace("other").resource(new ConfigMapBuilder().withNewMetadata().withName("elsewhere")
                .endMetadata().addToData("k", "v").build()).create();
    }

    static Deployment deployment(String app) {
        return new DeploymentBuilder().withNewMetadata().withName(app).addToLabels("app", app).endMetadata()
                .withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", app).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", app).endMetadata().withNewSpec()
                .addNewContainer().withName(app).withImage("registry/" + app + ":1.0").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    static CustomResourceDefinition widgetCrd() {
        return new CustomResourceDefinitionBuilder().withNewMetadata().withName("widgets.example.com").endMetadata()
                .withNewSpec().withGroup("example.com").withScope("Namespaced").withNewNames().withKind("Widget")
                .withPlural("widgets").withSingular("widget").withListKind("WidgetList").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true).withNewSchema()
                .withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion().endSpec().build();
    }

    static GenericKubernetesResource widget(String name) {
        return new GenericKubernetesResourceBuilder().withApiVersion("example.com/v1").withKind("Widget")
                .withNewMetadata().withName(name).addToLabels("app", "shop").endMetadata()
                .addToAdditionalProperties("spec", Map.of("color", name, "size", 3)).build();
    }

    /**
     * Every object of the application's kinds in {@code namespace} (plus the Namespace), keyed as if it lived
     * in {@code shop}, without the fields the server sets: what a restore must reproduce.
     */
    static Map<ObjectKey, JsonNode> comparable(KubernetesClient client, String namespace) {
        Map<ObjectKey, JsonNode> out = new TreeMap<>();
        for (String kind : KINDS_IN_SHOP) {
            int slash = kind.lastIndexOf('/');
            for (GenericKubernetesResource r : client.genericKubernetesResources(kind.substring(0, slash),
                    kind.substring(slash + 1)).inNamespace(namespace).list().getItems()) {
                ObjectNode o = Serialization.jsonMapper().valueToTree(r);
                strip(o);
                ((ObjectNode) o.get("metadata")).put("namespace", "shop");
                out.put(ObjectKey.of(o), o);
            }
        }
        var ns = client.namespaces().withName(namespace).get();
        if (ns != null) {
            ObjectNode o = Serialization.jsonMapper().valueToTree(ns);
            strip(o);
            ((ObjectNode) o.get("metadata")).put("name", "shop");
            out.put(ObjectKey.of(o), o);
        }
        return out;
    }

    private static void strip(ObjectNode o) {
        ObjectNode meta = (ObjectNode) o.get("metadata");
        meta.remove(List.of("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                "ownerReferences", "selfLink"));
        if (meta.path("labels").has("kubernetes.io/metadata.name")) {
            ((ObjectNode) meta.get("labels")).remove("kubernetes.io/metadata.name");
        }
        if (meta.path("labels").isEmpty()) {
            meta.remove("labels");
        }
        o.remove("status");
        if (o.path("spec") instanceof ObjectNode spec) {
            spec.remove(List.of("clusterIP", "clusterIPs"));
        }
    }
}
