package io.jenkins.plugins.progressive.kubernetes;

/**
 * The cluster refused or could not do what a rollout asked, said in a sentence a user can act on
 * ({@code deployment prod/shop not found}, the API server's Forbidden message, an unreachable server).
 * Never carries a token or other secret.
 */
public final class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;

    public ClusterException(String message) {
        this(message, 0);
    }

    public ClusterException(String message, int code) {
        super(message, null, false, false);
        this.code = code;
    }

    /**
     * The sentence for a failed API call.
     *
     * @param what the object as users name it ({@code deployment prod/shop}): a 404 becomes "... not found"
     * @param server the API server's URL, named when it cannot be reached
     */
    public static ClusterException from(io.fabric8.kubernetes.client.KubernetesClientException e, String what,
            String server) {
        return ClusterErrors.translate(e, what, server);
    }

    /** The HTTP status the API server answered (403, 404, 409…), 0 when there was no answer. */
    public int code() {
        return code;
    }
}
