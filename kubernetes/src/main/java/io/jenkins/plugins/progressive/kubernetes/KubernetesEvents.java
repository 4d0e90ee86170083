package io.jenkins.plugins.progressive.kubernetes;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.progressive.rollout.EventSink;
import io.jenkins.plugins.progressive.rollout.RolloutEvent;
import io.jenkins.plugins.progressive.spec.Target;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records what a rollout does as core/v1 Events on its Deployment, so {@code kubectl describe deployment}
 * tells the story. Writes happen on one background thread with a bounded queue: the sink never blocks
 * the rollout, and when the API server is slow, surplus events are dropped (and counted) rather than queued
 * without bound.
 */
public final class KubernetesEvents implements EventSink, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KubernetesEvents.class.getName());
    private static final Set<String> WARNINGS = Set.of("error", "rollback", "aborted", "failed", "verdict-failed");

    private final KubernetesClient client;
    private final Target.Kubernetes target;
    private final ThreadPoolExecutor writer;
    private final boolean ownsWriter;
    private final AtomicLong failed = new AtomicLong();
    private volatile String deploymentUid;
    private final AtomicBoolean warned = new AtomicBoolean();

    public KubernetesEvents(KubernetesClient client, Target.Kubernetes target) {
        this(client, target, newWriter(), true);
    }

    /** Writes on {@code writer}, shared by many rollouts (one thread for all of them, not one each). */
    KubernetesEvents(KubernetesClient client, Target.Kubernetes target, ThreadPoolExecutor writer) {
        this(client, target, writer, false);
    }

    private KubernetesEvents(KubernetesClient client, Target.Kubernetes target, ThreadPoolExecutor writer,
            boolean ownsWriter) {
        this.client = client;
        this.target = target;
        this.writer = writer;
        this.ownsWriter = ownsWriter;
    }

    /** One daemon thread and a bounded queue; surplus events are dropped, never queued without bound. */
    static ThreadPoolExecutor newWriter() {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1000), r -> {
            Thread t = new Thread(r, "progressive-k8s-events");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
    }

    @Override
    public void accept(RolloutEvent event) {
        writer.execute(() -> write(event));
    }

    /** Events that could not be written (API errors), for diagnostics. */
    public long failures() {
        return failed.get();
    }

    private void write(RolloutEvent e) {
        try {
            String uid = deploymentUid;
            if (uid == null) {
                Deployment d = client.apps().deployments().inNamespace(target.namespace())
                        .withName(target.deployment()).get();
                // Not cached while the Deployment is missing: the next Event looks again.
                uid = d == null ? null : d.getMetadata().getUid();
                deploymentUid = uid;
            }
            String time = e.at().truncatedTo(ChronoUnit.SECONDS).toString();
            client.v1().events().inNamespace(target.namespace()).resource(new EventBuilder().withNewMetadata()
                    .withName(target.deployment() + "." + Long.toHexString(System.nanoTime()))
                    .withNamespace(target.namespace()).addToLabels("progressive.jenkins.io/rollout",
                            ObjectNames.forKey(e.rollout()).substring("progressive-".length()))
                    .endMetadata()
                    .withNewInvolvedObject().withApiVersion("apps/v1").withKind("Deployment")
                    .withName(target.deployment()).withNamespace(target.namespace())
                    .withUid(uid).endInvolvedObject()
                    .withType(WARNINGS.contains(e.kind()) ? "Warning" : "Normal").withReason(reason(e.kind()))
                    .withMessage(e.message()).withCount(1).withFirstTimestamp(time).withLastTimestamp(time)
                    .withNewSource().withComponent("progressive-delivery").endSource()
                    .withReportingComponent("progressive-delivery").build()).create();
        } catch (RuntimeException ex) {
            failed.incrementAndGet();
            String why = ex instanceof KubernetesClientException k
                    ? ClusterErrors.translate(k, "event on deployment " + where(), String.valueOf(client.getMasterUrl()))
                            .getMessage()
                    : ex.getClass().getSimpleName();
            // Once per rollout at WARNING (an RBAC gap shows up in the log), then quietly.
            LOG.log(warned.compareAndSet(false, true) ? Level.WARNING : Level.FINE, "could not record the rollout's "
                    + e.kind() + " event on deployment " + where() + " (later failures are logged at FINE): " + why);
        }
    }

    private String where() {
        return target.namespace() + "/" + target.deployment();
    }

    /** "weight" → "RolloutWeight": Event reasons are UpperCamelCase words. */
    static String reason(String kind) {
        StringBuilder b = new StringBuilder("Rollout");
        for (String part : kind.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                b.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
            }
        }
        return b.toString();
    }

    /** Writes what is queued (up to 5 s), then stops. */
    @Override
    public void close() {
        if (!ownsWriter) {
            return; // the shared writer belongs to whoever made it
        }
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
