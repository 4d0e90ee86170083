package io.jenkins.plugins.progressive.engine;

import hudson.slaves.Cloud;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import java.util.List;
import jenkins.model.Jenkins;
import org.csanchez.jenkins.plugins.kubernetes.KubernetesCloud;

/** Loaded only when the Kubernetes plugin is installed ({@link KubernetesClouds} checks). */
final class KubernetesCloudReader {

    private KubernetesCloudReader() {
    }

    static KubernetesClouds.Cloud read(String name) {
        Cloud cloud = Jenkins.get().getCloud(name);
        if (!(cloud instanceof KubernetesCloud k)) {
            throw new ClusterException(cloud == null ? "no cloud named '" + name + "' in Manage Jenkins » Clouds"
                    : "cloud '" + name + "' is not a Kubernetes cloud");
        }
        return new KubernetesClouds.Cloud(text(k.getServerUrl()), text(k.getNamespace()), text(k.getCredentialsId()),
                text(k.getServerCertificate()), k.isSkipTlsVerify());
    }

    /** The names of the Kubernetes clouds in Manage Jenkins » Clouds. */
    static List<String> names() {
        return Jenkins.get().clouds.getAll(KubernetesCloud.class).stream().map(c -> c.name).toList();
    }

    private static String text(String s) {
        return s == null ? "" : s.trim();
    }
}
