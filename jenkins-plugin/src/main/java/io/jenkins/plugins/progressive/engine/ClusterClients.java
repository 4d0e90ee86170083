package io.jenkins.plugins.progressive.engine;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.KubernetesConnection;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * A Kubernetes client for a step's cluster: a named cluster of the global configuration (server URL and a credential
 * the Kubernetes Credentials plugin makes a login of: secret text token, token producer, kubeconfig file, client
 * certificate), a cloud of the Kubernetes plugin (when it is
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
        Optional<Server> server = cluster.map(Server::of);
        if (server.isEmpty() || server.get().isControllers()) {
            access.checkKubernetesIdentity(cluster);
            return controllerAccount();
        }
        RolloutDriver.ClusterConnection c = cluster.get();
        String serverUrl = server.get().url();
        String credentialsId = server.get().credentialsId();
        String caCertificate = server.get().caCertificate();
        boolean skipTlsVerify = server.get().skipTlsVerify();
        if (credentialsId.isEmpty()) {
            throw new ClusterException("cluster '" + c.name() + "': a server URL needs a credential");
        }
        RolloutDriver.Credential credential;
        try {
            credential = credentials.findForCluster(credentialsId);
        } catch (IOException e) {
            throw new ClusterException("cluster '" + c.name() + "': " + e.getMessage());
        }
        if (!(credential instanceof RolloutDriver.Credential.ServiceAccount
                || credential instanceof RolloutDriver.Credential.ClusterLogin)) {
            throw new ClusterException("cluster '" + c.name() + "': credential '" + credentialsId
                    + "' is no Kubernetes login; use a secret text token, a kubeconfig secret file, a Kubernetes"
                    + " token credential or a certificate");
        }
        boolean needsServerUrl = !(credential instanceof RolloutDriver.Credential.ClusterLogin login)
                || login.needsServerUrl();
        if (needsServerUrl && serverUrl.isEmpty()) {
            throw new ClusterException("cluster '" + c.name() + "': credential '" + credentialsId
                    + "' names no server; give the server URL too (or use a kubeconfig file credential)");
        }
        if (credential instanceof RolloutDriver.Credential.ServiceAccount account) {
            caCertificate = account.caCertificate();
        }
        ConfigBuilder config = new ConfigBuilder(Config.empty()).withMasterUrl(serverUrl);
        if (caCertificate != null && !caCertificate.isBlank()) {
            // fabric8 takes the PEM as data, so no copy of it is written anywhere
            config.withCaCertData(Base64.getEncoder().encodeToString(caCertificate.getBytes(StandardCharsets.UTF_8)));
        }
        if (skipTlsVerify) {
            config.withTrustCerts(true);
        }
        if (credential instanceof RolloutDriver.Credential.ServiceAccount account) {
            config.withOauthToken(account.token());
        } else {
            try {
                config = ((RolloutDriver.Credential.ClusterLogin) credential).auth().decorate(config, serverUrl,
                        caCertificate, skipTlsVerify);
            } catch (IOException e) {
                throw new ClusterException("cluster '" + c.name() + "': " + e.getMessage());
            }
        }
        return KubernetesConnection.fromConfig(config.build());
    }

    /**
     * Whether a connection would use the controller's own account: no cluster, or a cluster (or a cloud of the
     * Kubernetes plugin) with neither a server URL nor a credential.
     *
     * @throws ClusterException when the named cloud does not exist
     */
    static boolean usesControllerAccount(Optional<RolloutDriver.ClusterConnection> cluster) {
        return cluster.map(Server::of).map(Server::isControllers).orElse(true);
    }

    /** Where a cluster's API server is and which credential logs in: its own fields, or its cloud's. */
    private record Server(String url, String credentialsId, String caCertificate, boolean skipTlsVerify) {

        /** @throws ClusterException when the named cloud does not exist */
        static Server of(RolloutDriver.ClusterConnection c) {
            if (c.cloud().isEmpty()) {
                return new Server(c.serverUrl(), c.credentialsId(), null, false);
            }
            KubernetesClouds.Cloud cloud = KubernetesClouds.find(c.cloud());
            return new Server(cloud.serverUrl(), c.credentialsId().isEmpty() ? cloud.credentialsId()
                    : c.credentialsId(), cloud.serverCertificate(), cloud.skipTlsVerify());
        }

        /** Neither a server URL nor a credential: the controller's own account. */
        boolean isControllers() {
            return url.isEmpty() && credentialsId.isEmpty();
        }
    }

    private static KubernetesClient controllerAccount() {
        if (Files.isReadable(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"))) {
            return KubernetesConnection.inCluster();
        }
        return KubernetesConnection.fromKubeconfig(Path.of(System.getProperty("user.home"), ".kube", "config"), null);
    }
}
