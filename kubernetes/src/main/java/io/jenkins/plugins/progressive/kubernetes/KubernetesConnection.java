package io.jenkins.plugins.progressive.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.OAuthTokenProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds clients for the three ways a pipeline reaches a cluster: a kubeconfig file and context, the pod's
 * service account (in-cluster), or a server URL with a token and CA certificate. Every client is checked
 * once ({@code GET /version}) so an unreachable server fails at once with a clear message instead of at the
 * first rollout action.
 */
public final class KubernetesConnection {

    static final String SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

    private KubernetesConnection() {
    }

    /**
     * @param context the kubeconfig context, null for its current-context
     */
    public static KubernetesClient fromKubeconfig(Path kubeconfig, String context) {
        if (!Files.isReadable(kubeconfig)) {
            throw new ClusterException("kubeconfig " + kubeconfig + " does not exist or is not readable");
        }
        Config config;
        try {
            config = Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString());
        } catch (IOException e) {
            throw new ClusterException("cannot read kubeconfig " + kubeconfig + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ClusterException("kubeconfig " + kubeconfig + (context != null ? " (context " + context + ")"
                    : "") + " is not usable: " + e.getMessage());
        }
        if (context != null && (config.getCurrentContext() == null
                || !context.equals(config.getCurrentContext().getName()))) {
            throw new ClusterException("kubeconfig " + kubeconfig + " has no context named '" + context + "'");
        }
        return connect(tune(config));
    }

    /**
     * The service account a pod runs as: its token, CA certificate and namespace under
     * {@code /var/run/secrets/kubernetes.io/serviceaccount}, and the API server at
     * {@code KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT}. No kubeconfig is consulted, even when one
     * exists (fabric8's auto-configuration would prefer it).
     */
    public static KubernetesClient inCluster() {
        return inCluster(Path.of(SERVICE_ACCOUNT), System.getenv());
    }

    /** {@link #inCluster()} with the service account mounted at {@code serviceAccount} and environment {@code env}. */
    static KubernetesClient inCluster(Path serviceAccount, Map<String, String> env) {
        Path token = serviceAccount.resolve("token");
        String host = env.get("KUBERNETES_SERVICE_HOST");
        if (!Files.isReadable(token) || host == null || host.isBlank()) {
            throw new ClusterException("not running in a Kubernetes pod: no service account token at " + token
                    + " or KUBERNETES_SERVICE_HOST is unset");
        }
        String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
        String url = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        // Bound service-account tokens expire and the kubelet rotates the file: TokenFile reads it per request.
        ConfigBuilder b = new ConfigBuilder(Config.empty()).withMasterUrl(url)
                .withOauthTokenProvider(new TokenFile(token));
        Path ca = serviceAccount.resolve("ca.crt");
        if (Files.isReadable(ca)) {
            b.withCaCertFile(ca.toString());
        }
        Path namespace = serviceAccount.resolve("namespace");
        if (Files.isReadable(namespace)) {
            try {
                b.withNamespace(Files.readString(namespace).trim());
            } catch (IOException e) {
                throw new ClusterException("cannot read the service account's namespace " + namespace + ": "
                        + e.getMessage());
            }
        }
        return connect(tune(b.build()));
    }

    /**
     * @param caCertificate PEM file of the API server's CA, null to use the JVM's trust store
     */
    public static KubernetesClient fromToken(String serverUrl, String token, Path caCertificate) {
        checkServerUrl(serverUrl);
        ConfigBuilder b = new ConfigBuilder(Config.empty()).withMasterUrl(serverUrl).withOauthToken(token);
        if (caCertificate != null) {
            if (!Files.isReadable(caCertificate)) {
                throw new ClusterException("CA certificate " + caCertificate + " does not exist or is not readable");
            }
            b.withCaCertFile(caCertificate.toString());
        }
        return connect(tune(b.build()));
    }

    /** A configuration made elsewhere (a login made by a Jenkins credentials plugin), with its server URL checked. */
    public static KubernetesClient fromConfig(Config config) {
        checkServerUrl(config.getMasterUrl());
        return connect(tune(config));
    }

    private static void checkServerUrl(String serverUrl) {
        if (serverUrl == null || !(serverUrl.startsWith("https://") || serverUrl.startsWith("http://"))) {
            throw new ClusterException("server URL must start with https:// (or http://), got '" + serverUrl + "'");
        }
    }

    /** Fail fast and clearly: no long retry loops against a server that is not there. */
    private static Config tune(Config config) {
        config.setRequestRetryBackoffLimit(1);
        config.setRequestRetryBackoffInterval(200);
        config.setConnectionTimeout(5_000);
        config.setRequestTimeout(30_000);
        return config;
    }

    static KubernetesClient connect(Config config) {
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        try {
            client.getKubernetesVersion();
            return client;
        } catch (KubernetesClientException e) {
            client.close();
            throw ClusterErrors.translate(e, "the Kubernetes API server", config.getMasterUrl());
        }
    }

    /**
     * The token file, read for every request: the kubelet replaces a bound token before it expires, and the
     * file is tiny. While it cannot be read (it is being replaced), the last token read is sent.
     */
    static final class TokenFile implements OAuthTokenProvider {
        private final Path file;
        private volatile String last;

        TokenFile(Path file) {
            this.file = file;
            if (getToken() == null) {
                throw new ClusterException("cannot read the service account token " + file);
            }
        }

        @Override
        public String getToken() {
            try {
                last = Files.readString(file).trim();
            } catch (IOException e) {
                // keep the last one
            }
            return last;
        }
    }
}
