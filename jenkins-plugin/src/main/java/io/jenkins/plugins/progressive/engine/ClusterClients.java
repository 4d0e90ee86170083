package io.jenkins.plugins.progressive.engine;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesConnection;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * A Kubernetes client for a step's cluster: a named cluster of the global configuration (server URL and a credential:
 * secret text token, Kubernetes token producer or kubeconfig file), a cloud of the Kubernetes plugin (when it is
 * installed), or the controller's own account (in-cluster, else {@code ~/.kube/config}).
 */
final class ClusterClients {

    private ClusterClients() {
    }

    static KubernetesClient connect(Optional<RolloutDriver.ClusterConnection> cluster,
            RolloutDriver.CredentialLookup credentials) {
        if (cluster.isEmpty()) {
            return controllerAccount();
        }
        RolloutDriver.ClusterConnection c = cluster.get();
        String serverUrl = c.serverUrl();
        String credentialsId = c.credentialsId();
        String caCertificate = null;
        boolean skipTlsVerify = false;
        if (!c.cloud().isEmpty()) {
            KubernetesClouds.Cloud cloud = KubernetesClouds.find(c.cloud());
            serverUrl = cloud.serverUrl();
            credentialsId = credentialsId.isEmpty() ? cloud.credentialsId() : credentialsId;
            caCertificate = cloud.serverCertificate();
            skipTlsVerify = cloud.skipTlsVerify();
            if (serverUrl.isEmpty() && credentialsId.isEmpty()) {
                return controllerAccount(); // a cloud of the controller's own cluster
            }
        }
        if (credentialsId.isEmpty()) {
            if (serverUrl.isEmpty()) {
                return controllerAccount();
            }
            throw new ClusterException("cluster '" + c.name() + "': a server URL needs a credential");
        }
        RolloutDriver.Credential credential;
        try {
            credential = credentials.find(credentialsId);
        } catch (IOException e) {
            throw new ClusterException("cluster '" + c.name() + "': " + e.getMessage());
        }
        if (credential instanceof RolloutDriver.Credential.File file) {
            return fromKubeconfig(file.content());
        }
        if (credential instanceof RolloutDriver.Credential.ServiceAccount account) {
            return KubernetesConnection.fromToken(serverUrl, account.token(), caFile(account.caCertificate()));
        }
        if (serverUrl.isEmpty()) {
            throw new ClusterException("cluster '" + c.name() + "': credential '" + credentialsId
                    + "' is a token; give the server URL too (or use a kubeconfig file credential)");
        }
        String token;
        if (credential instanceof RolloutDriver.Credential.Token t) {
            token = t.value();
        } else if (credential instanceof RolloutDriver.Credential.ClusterToken producer) {
            try {
                token = producer.source().tokenFor(serverUrl, caCertificate, skipTlsVerify);
            } catch (IOException e) {
                throw new ClusterException("cluster '" + c.name() + "': credential '" + credentialsId
                        + "' made no token: " + e.getMessage());
            }
        } else {
            throw new ClusterException("cluster '" + c.name() + "': credential '" + credentialsId
                    + "' is a username with password; use a secret text token, a Kubernetes token credential"
                    + " or a kubeconfig file");
        }
        return KubernetesConnection.fromToken(serverUrl, token, caFile(caCertificate));
    }

    private static KubernetesClient controllerAccount() {
        if (Files.isReadable(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"))) {
            return KubernetesConnection.inCluster();
        }
        return KubernetesConnection.fromKubeconfig(Path.of(System.getProperty("user.home"), ".kube", "config"), null);
    }

    /** The client reads the file while it is built; the copy of the secret is deleted at once. */
    private static KubernetesClient fromKubeconfig(byte[] content) {
        Path file = null;
        try {
            file = Files.createTempFile("progressive-kubeconfig", ".yaml",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, content);
            return KubernetesConnection.fromKubeconfig(file, null);
        } catch (IOException e) {
            throw new ClusterException("cannot use the kubeconfig credential: " + e.getMessage());
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a private temp file; the JVM's temp cleanup takes it
                }
            }
        }
    }

    private static Path caFile(String pem) {
        if (pem == null || pem.isBlank()) {
            return null;
        }
        try {
            Path file = Files.createTempFile("progressive-ca", ".pem");
            Files.writeString(file, pem);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new ClusterException("cannot use the cloud's server certificate: " + e.getMessage());
        }
    }
}
