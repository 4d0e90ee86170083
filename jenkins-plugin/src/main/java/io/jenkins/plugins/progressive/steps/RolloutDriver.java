package io.jenkins.plugins.progressive.steps;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.jenkins.plugins.progressive.spec.AnalysisTemplate;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSubject;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the steps need from the engine, and nothing more. Every call returns quickly: the engine performs at most
 * one idempotent action per {@link #advance} and says when it wants to be called again, so a step never holds a
 * thread while a rollout waits. State lives in the engine's store under the returned key, which is why an execution
 * that survived a controller restart only needs its key to carry on.
 */
public interface RolloutDriver {

    /** Registers the work and returns its key; nothing on the target changes before the first {@link #advance}. */
    Started start(Request request) throws IOException;

    /**
     * Performs the next action of the work under {@code key}, or reports that it is over. {@code credentials} is
     * the running build's lookup, given on every call because a resumed build's is a new one.
     */
    Tick advance(String key, CredentialLookup credentials) throws IOException;

    /**
     * The rollout that {@code key} (a key or a rollout's name) designates, and the job that started it, so that a
     * command from elsewhere can be checked against that job's permissions before it is sent.
     */
    Owner owner(String key) throws IOException;

    /** Ends a pause (or every remaining step when {@code full}); {@code key} may be a rollout's name. */
    void promote(String key, boolean full) throws IOException;

    /** Stops a live rollout; the engine then applies its {@code onFailure} policy. */
    void abort(String key, String reason) throws IOException;

    /**
     * Returns the target to what the rollout's pre-rollout snapshot holds, finished rollouts included. A rollout
     * that no build drives any more is rolled back with {@code credentials}, the asking build's lookup.
     */
    void rollback(String key, String reason, CredentialLookup credentials) throws IOException;

    /**
     * A rollout's key and the full name of the job whose build started it; {@code job} is empty for a rollout
     * stored before the job was recorded.
     */
    record Owner(String key, String job) {
    }

    /** What a long step asks for. */
    enum Operation {
        /** canaryDeploy, blueGreenSwitch, rollingUpdate: the strategy is the spec's. */
        ROLLOUT,
        /** snapshotState. */
        SNAPSHOT,
        /** restoreState; options carry {@code snapshotId}, {@code existing}, {@code mapNamespace}, {@code dryRun}. */
        RESTORE,
        /** promotionGate; option {@code templates} lists the templates to run (comma-separated), default all. */
        GATE
    }

    /**
     * One request.
     *
     * @param work what to run, as the spec reader validated it
     * @param cluster where Kubernetes targets live; empty means the controller's own kubeconfig or in-cluster account
     * @param options operation-specific settings (see {@link Operation}) and credential ids such as
     *                {@code encryptionKeyCredentialsId}; never a secret value. {@value #WORKSPACE} is the build's
     *                workspace when it is on the controller's own file system (what a relative {@code file:}
     *                snapshot store is relative to); {@value #JOB} is the asking build's job
     * @param credentials where the engine reads the credentials that the spec, the options and the cluster name
     */
    record Request(Operation operation, Work work, Optional<ClusterConnection> cluster,
            Map<String, String> options, CredentialLookup credentials) {
        /** The option naming the workspace's path on the controller. */
        public static final String WORKSPACE = "workspace";
        /** The option naming the full name of the job whose build asks, the rollout's owner. */
        public static final String JOB = "job";

        public Request {
            options = Map.copyOf(options);
        }

        /** One live rollout (or snapshot, restore, gate) per name and target. */
        public String lockKey() {
            return work.lockKey();
        }

        public String name() {
            return work.name();
        }
    }

    /**
     * What a step runs, read through the spec reader's entry for it: a rollout needs the whole spec; a snapshot or a
     * restore only name, target and snapshot; a gate name, target and its analysis templates.
     */
    sealed interface Work {
        String name();

        /** The release's version; empty when the step has none (snapshots, restores, gates without one). */
        String version();

        String lockKey();

        /** canaryDeploy, blueGreenSwitch, rollingUpdate. */
        record Rollout(RolloutSpec spec) implements Work {
            @Override
            public String name() {
                return spec.name();
            }

            @Override
            public String version() {
                return spec.version();
            }

            @Override
            public String lockKey() {
                return spec.lockKey();
            }
        }

        /** snapshotState, restoreState. */
        record Snapshot(SnapshotSubject subject) implements Work {
            @Override
            public String name() {
                return subject.name();
            }

            @Override
            public String version() {
                return "";
            }

            @Override
            public String lockKey() {
                return subject.name() + "@" + subject.target().key();
            }
        }

        /** promotionGate: {@code templates} in spec order; {@code version} is the canary's, may be empty. */
        record Gate(SnapshotSubject subject, String version, Map<String, AnalysisTemplate> templates) implements Work {
            public Gate {
                templates = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(templates));
            }

            @Override
            public String name() {
                return subject.name();
            }

            @Override
            public String lockKey() {
                return subject.name() + "@" + subject.target().key();
            }
        }
    }

    /**
     * Reads a credential from the Jenkins credentials store, in the context of the build that runs the step (so
     * folder credentials and the build's permissions apply, and the use is tracked). The engine asks when it needs
     * a value and keeps it no longer than the call that uses it: never in its state, a log or a snapshot.
     */
    @FunctionalInterface
    interface CredentialLookup {
        /** @throws IOException (an {@code AbortException}) when the id is unknown or of a kind the plugin cannot use */
        Credential find(String credentialsId) throws IOException;

        /**
         * The credential as a login to a Kubernetes API server: from the credentials store a {@link
         * Credential.ClusterLogin}. By default what {@link #find} gives, for lookups that are no store (the pod's
         * own service account, tests).
         *
         * @throws IOException (an {@code AbortException}) when the id is unknown or no cluster login can be made of it
         */
        default Credential findForCluster(String credentialsId) throws IOException {
            return find(credentialsId);
        }

        /** For work that has no build: every lookup fails, naming the id. */
        CredentialLookup NONE = id -> {
            throw new hudson.AbortException("credential '" + id + "' cannot be read: there is no build to read it for");
        };
    }

    /** A credential's value, in the forms the engine uses. {@code toString()} never shows the secret. */
    sealed interface Credential {
        /** A secret text: a bearer token, an API key, a snapshot key. */
        record Token(String value) implements Credential {
            @Override
            public String toString() {
                return "Token[****]";
            }
        }

        record UsernamePassword(String username, String password) implements Credential {
            @Override
            public String toString() {
                return "UsernamePassword[" + username + ", ****]";
            }
        }

        /** A secret file: a kubeconfig, a key file. */
        record File(byte[] content) implements Credential {
            @Override
            public String toString() {
                return "File[" + content.length + " bytes]";
            }
        }

        /** The service account of the pod agent a step runs in: its token and the cluster's CA (PEM). */
        record ServiceAccount(String token, String caCertificate) implements Credential {
            @Override
            public String toString() {
                return "ServiceAccount[****]";
            }
        }

        /**
         * A login to a Kubernetes API server that the Kubernetes Credentials plugin makes of a stored credential (its
         * {@code KubernetesAuth}): a secret text token, a token producer, a kubeconfig secret file, a client
         * certificate, a username with password. Only a kubeconfig names its own server ({@code needsServerUrl} false).
         */
        record ClusterLogin(boolean needsServerUrl, ClusterAuth auth) implements Credential {
        }
    }

    /** Adds a login to a client configuration for an API server. */
    @FunctionalInterface
    interface ClusterAuth {
        /** @throws IOException when no login can be made; its message names the credential and no secret */
        ConfigBuilder decorate(ConfigBuilder builder, String serverUrl, String caCertificate, boolean skipTlsVerify)
                throws IOException;
    }

    /**
     * A named cluster from the global configuration, as it was when the step started. A plain class, not a record:
     * it is part of a running step's state, which Pipeline persists with JBoss Marshalling.
     */
    final class ClusterConnection implements Serializable {
        private static final long serialVersionUID = 1L;

        private final String name;
        private final String serverUrl;
        private final String credentialsId;
        private final String namespace;
        private final String cloud;

        public ClusterConnection(String name, String serverUrl, String credentialsId, String namespace, String cloud) {
            this.name = name;
            this.serverUrl = serverUrl;
            this.credentialsId = credentialsId;
            this.namespace = namespace;
            this.cloud = cloud;
        }

        public String name() {
            return name;
        }

        /** Empty: the cloud, or the controller's own kubeconfig or in-cluster account. */
        public String serverUrl() {
            return serverUrl;
        }

        /** A Jenkins credentials id, resolved by the driver in the build's context; never the secret. */
        public String credentialsId() {
            return credentialsId;
        }

        public String namespace() {
            return namespace;
        }

        /** The name of a Kubernetes-plugin cloud, or empty. */
        public String cloud() {
            return cloud;
        }
    }

    /** The key every later call names. */
    record Started(String key) {
    }

    /** The answer of {@link #advance}. */
    sealed interface Tick {
        /**
         * Not over: call again after {@code after}; {@code status} says where the work is, for people;
         * {@code progress} is the same for the build page, null when the driver has nothing to chart.
         */
        record Wait(Duration after, String status, Progress progress) implements Tick {
            public Wait(Duration after, String status) {
                this(after, status, null);
            }
        }

        /** Over. */
        record Done(Outcome outcome) implements Tick {
        }
    }

    /**
     * Where a rollout is, for the build page's chart.
     *
     * @param phase the engine's phase ({@code PROGRESSING}, {@code PAUSED}, …)
     * @param canaryWeight the share of traffic the canary gets now, 0–100
     * @param measurements every measurement so far (same maps as {@link Outcome#measurements})
     */
    record Progress(String phase, int step, int canaryWeight, List<Map<String, Object>> measurements) {
        public Progress {
            measurements = List.copyOf(measurements);
        }
    }

    /**
     * How the work ended.
     *
     * @param status e.g. {@code Succeeded}, {@code RolledBack}, {@code Paused}, {@code Failed}, {@code Aborted}
     * @param verdict the deciding analysis verdict ({@code Successful}, {@code Failed}, …), empty when none ran
     * @param snapshotId the snapshot taken or restored, empty when none
     * @param measurements one map per measurement: template, verdict, value, at, message
     * @param succeeded whether the step succeeds; a failed gate or a rollback does not
     * @param reason why it did not succeed, for the build log
     * @param details further entries of the step's result map (a snapshot's object counts, a restore's plan):
     *                plain strings, numbers, lists and maps; never a secret
     */
    record Outcome(String status, String verdict, String snapshotId, List<Map<String, Object>> measurements,
            boolean succeeded, String reason, Map<String, Object> details) {
        public Outcome {
            measurements = List.copyOf(measurements);
            details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
        }

        public Outcome(String status, String verdict, String snapshotId, List<Map<String, Object>> measurements,
                boolean succeeded, String reason) {
            this(status, verdict, snapshotId, measurements, succeeded, reason, Map.of());
        }
    }

    /** The driver of a controller where the engine has not been wired in: every call says so. */
    static RolloutDriver unavailable() {
        return new RolloutDriver() {
            // a plain IOException, not an AbortException: a resumed step retries until the engine is wired in
            private IOException missing() {
                return new IOException("the progressive delivery engine is not available (yet) on this controller");
            }

            @Override
            public Started start(Request request) throws IOException {
                throw missing();
            }

            @Override
            public Tick advance(String key, CredentialLookup credentials) throws IOException {
                throw missing();
            }

            @Override
            public Owner owner(String key) throws IOException {
                throw missing();
            }

            @Override
            public void promote(String key, boolean full) throws IOException {
                throw missing();
            }

            @Override
            public void abort(String key, String reason) throws IOException {
                throw missing();
            }

            @Override
            public void rollback(String key, String reason, CredentialLookup credentials) throws IOException {
                throw missing();
            }
        };
    }
}
