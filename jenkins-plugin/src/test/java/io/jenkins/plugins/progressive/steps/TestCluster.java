package io.jenkins.plugins.progressive.steps;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import hudson.util.Secret;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.configuration.Cluster;
import io.jenkins.plugins.progressive.configuration.ProgressiveConfiguration;
import java.io.IOException;
import java.util.List;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;

/** The JenkinsRule tests' cluster: the test API server as cluster {@code test}, and its Deployment {@code shop}. */
final class TestCluster {

    private TestCluster() {
    }

    /** Cluster {@code test} of the global configuration: the API server at {@code url}, token credential, {@code prod}. */
    static void configure(String url) throws IOException {
        SystemCredentialsProvider.getInstance().getCredentials().add(new StringCredentialsImpl(CredentialsScope.GLOBAL,
                "kube-token", "test API server", Secret.fromString("test-token")));
        SystemCredentialsProvider.getInstance().save();
        Cluster test = new Cluster("test");
        test.setServerUrl(url);
        test.setCredentialsId("kube-token");
        test.setNamespace("prod");
        ProgressiveConfiguration.get().setClusters(List.of(test));
    }

    /** Deployment {@code shop} in {@code prod}: 4 x registry/shop:1.0, rolling one pod at a time. */
    static void createShop(KubernetesClient client) {
        client.apps().deployments().inNamespace("prod").resource(new DeploymentBuilder().withNewMetadata()
                .withName("shop").withNamespace("prod").addToLabels("app", "shop").endMetadata()
                .withNewSpec().withReplicas(4).withNewSelector().addToMatchLabels("app", "shop").endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate().withMaxSurge(new IntOrString(1))
                .withMaxUnavailable(new IntOrString(0)).endRollingUpdate().endStrategy()
                .withNewTemplate().withNewMetadata().addToLabels("app", "shop").endMetadata()
                .withNewSpec().addNewContainer().withName("shop").withImage("registry/shop:1.0").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
    }

    static Deployment deployment(KubernetesClient client, String name) {
        return client.apps().deployments().inNamespace("prod").withName(name).get();
    }

    /** Ready replicas of Deployment {@code name}; 0 when it does not exist. */
    static int ready(KubernetesClient client, String name) {
        Deployment d = deployment(client, name);
        Integer ready = d == null || d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
        return ready == null ? 0 : ready;
    }

    static String image(KubernetesClient client, String name) {
        return deployment(client, name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }
}
