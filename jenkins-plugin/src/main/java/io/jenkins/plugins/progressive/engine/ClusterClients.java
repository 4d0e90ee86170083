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
 * installed), or — when an administrator allows it ({@link ControllerAccess}) — the controller's own account
 * (in-cluster, else {@code ~/.kube/config}).
 */
final class ClusterClients {

    private ClusterClients() {
    }

    /**
     * A client for the step's cluster. The controller's own account is used only when {@code access} allows it
     * (checked when the work started, and here again: the administrator may have changed it since).
     */
    static KubernetesClient connect(Optional<RolloutDriver.ClusterConnection> cluster,
            RolloutDriver.CredentialLookup credentials, ControllerAccess access) {
        if (usesControllerAccount(cluster)) {
            access.checkKubernetesIdentity(cluster);
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
        }
        if (credentialsId.isEmpty()) {
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
            return fromToken(serverUrl, account.token(), account.caCertificate());
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
        return fromToken(serverUrl, token, caCertificate);
    }

    /**
     * Whether a connection would use the controller's own account: no cluster, or a cluster (or a cloud of the
     * Kubernetes plugin) with neither a server URL nor a credential.
     *
     * @throws ClusterException when the named cloud does not exist
     */
    static boolean usesControllerAccount(Optional<RolloutDriver.ClusterConnection> cluster) {
        if (cluster.isEmpty()) {
            return true;
        }
        RolloutDriver.ClusterConnection c = cluster.get();
        String serverUrl = c.serverUrl();
        String credentialsId = c.credentialsId();
        if (!c.cloud().isEmpty()) {
            KubernetesClouds.Cloud cloud = KubernetesClouds.find(c.cloud());
            serverUrl = cloud.serverUrl();
            credentialsId = credentialsId.isEmpty() ? cloud.credentialsId() : credentialsId;
        }
        return serverUrl.isEmpty() && credentialsId.isEmpty();
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
            deleteQuietly(file);
        }
    }

    /**
     * The client builds its TLS trust from the CA file while it is built (fabric8's HttpClientUtils reads it then),
     * so the private copy of the certificate is deleted as soon as the client exists.
     */
    private static KubernetesClient fromToken(String serverUrl, String token, String caCertificate) {
        if (caCertificate == null || caCertificate.isBlank()) {
            return KubernetesConnection.fromToken(serverUrl, token, null);
        }
        Path file = null;
        try {
            file = Files.createTempFile("progressive-ca", ".pem",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, caCertificate);
            return KubernetesConnection.fromToken(serverUrl, token, file);
        } catch (IOException e) {
            throw new ClusterException("cannot use the cluster's server certificate: " + e.getMessage());
        } finally {
            deleteQuietly(file);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a private temp file; the JVM's temp cleanup takes it
            }
        }
    }
}
