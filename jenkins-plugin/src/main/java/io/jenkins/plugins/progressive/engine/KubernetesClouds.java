package io.jenkins.plugins.progressive.engine;

import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import java.util.List;
import jenkins.model.Jenkins;

/**
 * Clouds of the Kubernetes plugin, an optional dependency: this class only checks that the plugin is there, and
 * {@link KubernetesCloudReader} (which names its classes) is loaded only when it is.
 */
public final class KubernetesClouds {

    /** What a step uses of a cloud. Never a secret: the credential is an id. */
    public record Cloud(String serverUrl, String namespace, String credentialsId, String serverCertificate,
            boolean skipTlsVerify) {
    }

    private KubernetesClouds() {
    }

    /** The names of the Kubernetes plugin's clouds; none without the plugin. */
    public static List<String> names() {
        return Jenkins.get().getPlugin("kubernetes") == null ? List.of() : KubernetesCloudReader.names();
    }

    /** @throws ClusterException when the plugin is not installed, or it has no Kubernetes cloud by that name */
    public static Cloud find(String name) {
        if (Jenkins.get().getPlugin("kubernetes") == null) {
            throw new ClusterException("cloud '" + name + "' needs the Kubernetes plugin, which is not installed");
        }
        return KubernetesCloudReader.read(name);
    }
}
