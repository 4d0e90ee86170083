package io.jenkins.plugins.progressive.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jenkins.plugins.progressive.analysis.MetricProvider;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.kubernetes.controller.DeploymentController;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/routers/*.md for Kubernetes are complete examples: every YAML block parses (specs with the spec reader,
 * manifests with fabric8), the manifests applied to an API server pass the preflight of every spec on the page,
 * and the page's Role grants every permission the preflight asks for.
 */
class RouterDocsTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    @ParameterizedTest
    @ValueSource(strings = {"replicas.md", "nginx-ingress.md", "gateway-api.md", "istio.md"})
    void everyExampleIsValidAndTheRoleCoversWhatTheRolloutNeeds(String page) throws Exception {
        List<HasMetadata> manifests = new ArrayList<>();
        List<RolloutSpec> specs = new ArrayList<>();
        for (String doc : DocsManifests.yamlDocuments("routers/" + page)) {
            if (doc.contains("apiVersion:") && doc.contains("kind:")) {
                Object o = Serialization.unmarshal(doc);
                assertThat(o).as("%s: a Kubernetes object:%n%s", page, doc).isInstanceOf(HasMetadata.class);
                manifests.add((HasMetadata) o);
            } else {
                specs.add(SpecReader.parse(doc, SpecReader.Format.YAML, Map.of()));
            }
        }
        assertThat(specs).as(page + " has a spec").isNotEmpty();
        List<Role> roles = manifests.stream().filter(Role.class::isInstance).map(Role.class::cast).toList();
        assertThat(roles).as(page + " has exactly one Role").hasSize(1);
        assertThat(manifests).extracting(HasMetadata::getKind).contains("Deployment", "Service", "RoleBinding");

        api.createNamespace("prod");
        KubernetesClient client = api.client();
        // The Deployment as a cluster runs it (a rolling update starts only from its current ReplicaSet); the
        // controller stops before preflight, so whatever changes after that is preflight's doing.
        try (DeploymentController controller = new DeploymentController(api.client(), Duration.ofMillis(20)).start()) {
            for (HasMetadata m : manifests) {
                client.resource(m).create();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                var d = client.apps().deployments().inNamespace("prod").withName("shop").get();
                return d.getStatus() != null && d.getSpec().getReplicas().equals(d.getStatus().getReadyReplicas());
            });
        }
        MetricProvider noMetrics = (t, vars) -> {
            throw new AssertionError("preflight measures nothing");
        };
        try (KubernetesPlatform platform = new KubernetesPlatform(client, noMetrics, (Runnable) null)) {
            long before = api.resourceVersion();
            for (RolloutSpec spec : specs) {
                platform.validate(spec);
                for (Preflight.Need need : Preflight.needs(spec)) {
                    assertThat(roles.get(0).getRules()).as("%s: the Role grants %s %s", page, need.verb(),
                            need.qualified()).anyMatch(r -> grants(r, need));
                }
            }
            assertThat(api.resourceVersion()).as("preflight changes nothing").isEqualTo(before);
        }
    }

    private static boolean grants(PolicyRule rule, Preflight.Need need) {
        return rule.getApiGroups().contains(need.group()) && rule.getResources().contains(need.resource())
                && rule.getVerbs().contains(need.verb());
    }
}
