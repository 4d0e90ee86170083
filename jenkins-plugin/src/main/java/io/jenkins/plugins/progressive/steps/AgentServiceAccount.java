package io.jenkins.plugins.progressive.steps;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The service account of the pod a step runs in (a Kubernetes-plugin pod agent): when a step names neither a
 * cluster nor a cloud and its workspace is in such a pod, the rollout connects with that pod's account, so the
 * pod's RBAC applies. The token and CA are read from the agent whenever the engine connects (a resumed build reads
 * them again) and are never stored: the step keeps only the API server's address and a reserved credential id.
 */
final class AgentServiceAccount {

    /** The credential id that stands for the pod's account; never a Jenkins credential. */
    static final String CREDENTIAL_ID = "progressive:pod-service-account";
    static final String DIR = "/var/run/secrets/kubernetes.io/serviceaccount/";

    /** Reads a file of the agent, null when it does not exist. */
    @FunctionalInterface
    interface AgentFiles {
        String read(String path) throws IOException, InterruptedException;
    }

    private AgentServiceAccount() {
    }

    static AgentFiles of(FilePath workspace) {
        return path -> {
            FilePath file = workspace.child(path);
            return file.exists() ? file.readToString() : null;
        };
    }

    /** The pod's API server and namespace, when the agent is a pod with a service account. */
    static Optional<RolloutDriver.ClusterConnection> detect(AgentFiles files, Map<String, String> env)
            throws IOException, InterruptedException {
        String host = env == null ? null : env.get("KUBERNETES_SERVICE_HOST");
        if (host == null || host.isBlank() || files.read(DIR + "token") == null) {
            return Optional.empty();
        }
        String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
        String namespace = files.read(DIR + "namespace");
        String server = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        return Optional.of(new RolloutDriver.ClusterConnection("pod service account", server, CREDENTIAL_ID,
                namespace == null ? "" : namespace.trim(), ""));
    }

    /** {@code lookup}, which also answers {@link #CREDENTIAL_ID} with the pod's token and CA, read now. */
    static RolloutDriver.CredentialLookup wrap(RolloutDriver.CredentialLookup lookup, AgentFiles files) {
        return new RolloutDriver.CredentialLookup() {
            @Override
            public RolloutDriver.Credential find(String credentialsId) throws IOException {
                return CREDENTIAL_ID.equals(credentialsId) ? podAccount(files) : lookup.find(credentialsId);
            }

            @Override
            public RolloutDriver.Credential findForCluster(String credentialsId) throws IOException {
                return CREDENTIAL_ID.equals(credentialsId) ? podAccount(files) : lookup.findForCluster(credentialsId);
            }
        };
    }

    private static RolloutDriver.Credential podAccount(AgentFiles files) throws IOException {
        try {
            String token = files.read(DIR + "token");
            if (token == null) {
                throw new AbortException("the agent has no service account token at " + DIR + "token any more");
            }
            String ca = files.read(DIR + "ca.crt");
            return new RolloutDriver.Credential.ServiceAccount(token.trim(), ca == null ? "" : ca);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the pod's service account", e);
        }
    }

    /** For a build: the pod's account when the step's workspace is in a pod, else nothing. */
    static Optional<RolloutDriver.ClusterConnection> detect(FilePath workspace, EnvVars env)
            throws IOException, InterruptedException {
        return workspace == null ? Optional.empty() : detect(of(workspace), env);
    }
}
