package io.jenkins.plugins.progressive.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.function.Supplier;

/** Turns fabric8's exceptions into {@link ClusterException}s that name what failed. */
final class ClusterErrors {

    private ClusterErrors() {
    }

    /** @see ClusterException#from */
    static ClusterException translate(KubernetesClientException e, String what, String server) {
        if (server != null && server.endsWith("/")) {
            server = server.substring(0, server.length() - 1); // fabric8's master URL ends with one
        }
        int code = e.getCode();
        String status = e.getStatus() != null ? e.getStatus().getMessage() : null;
        if (code == 404) {
            return new ClusterException(what + " not found", 404);
        }
        if (code == 403) {
            return new ClusterException("the Kubernetes API server refused: " + (status != null ? status
                    : "forbidden (" + what + ")") + "; grant it in the Role (see docs/kubernetes.md)", 403);
        }
        if (code == 401) {
            return new ClusterException("the Kubernetes API server at " + server + " rejected the credentials "
                    + "(401 Unauthorized): check the token or kubeconfig user", 401);
        }
        if (code > 0) {
            return new ClusterException(what + ": the Kubernetes API server answered " + code
                    + (status != null ? ": " + status : ""), code);
        }
        Throwable cause = rootCause(e);
        if (find(e, javax.net.ssl.SSLException.class) != null) {
            return new ClusterException("cannot verify the Kubernetes API server at " + server + ": the TLS "
                    + "handshake failed; check the CA certificate given for this server (" + describe(cause) + ")");
        }
        if (cause instanceof ConnectException || cause instanceof UnknownHostException
                || cause instanceof IOException) {
            return new ClusterException("cannot reach the Kubernetes API server at " + server + ": "
                    + describe(cause));
        }
        return new ClusterException(what + ": " + describe(cause));
    }

    /** Runs a call, translating its failure. */
    static <T> T call(String what, String server, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw translate(e, what, server);
        }
    }

    private static Throwable find(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return c;
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
