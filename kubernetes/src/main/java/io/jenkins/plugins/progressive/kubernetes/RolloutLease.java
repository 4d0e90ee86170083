package io.jenkins.plugins.progressive.kubernetes;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * One live driver per rollout, across Jenkins controllers and CLI runs: a coordination.k8s.io/v1 Lease
 * {@code progressive-<rollout>} held by {@code holderIdentity} and renewed before {@code leaseDurationSeconds}
 * run out. A Lease that was not renewed in time may be taken over; every write carries the resourceVersion
 * read, so two drivers racing for it cannot both win.
 */
public final class RolloutLease {

    /** Another driver holds the lease. */
    public static final class HeldException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HeldException(String message) {
            super(message, null, false, false);
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String rollout;
    private final String holder;
    private final Duration duration;
    private final Clock clock;

    public RolloutLease(KubernetesClient client, String namespace, String rollout, String holder, Duration duration) {
        this(client, namespace, rollout, holder, duration, Clock.systemUTC());
    }

    RolloutLease(KubernetesClient client, String namespace, String rollout, String holder, Duration duration,
            Clock clock) {
        if (duration.getSeconds() < 1) {
            throw new IllegalArgumentException("lease duration must be at least 1s, got " + duration);
        }
        this.client = client;
        this.namespace = namespace;
        this.rollout = rollout;
        this.holder = holder;
        this.duration = duration;
        this.clock = clock;
    }

    String name() {
        return ObjectNames.forKey(rollout);
    }

    /**
     * Takes the lease (or renews it when already held by this holder).
     *
     * @throws HeldException naming the current holder when another driver holds an unexpired lease
     */
    public void acquire() {
        write(true);
    }

    /** Renews the lease; throws {@link HeldException} if somebody else took it meanwhile. */
    public void renew() {
        write(false);
    }

    /** Gives the lease up if this holder has it. Idempotent. */
    public void release() {
        Lease lease = read();
        if (lease == null || lease.getSpec() == null || !holder.equals(lease.getSpec().getHolderIdentity())) {
            return;
        }
        try {
            client.leases().inNamespace(namespace).resource(new LeaseBuilder(lease).editSpec().withHolderIdentity(null)
                    .withRenewTime((ZonedDateTime) null).endSpec().build()).update();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 404) {
                throw ClusterException.from(e, what(), String.valueOf(client.getMasterUrl()));
            }
        }
    }

    /** Who holds it now, if anybody (an expired lease counts as free). */
    public java.util.Optional<String> holder() {
        Lease lease = read();
        if (lease == null || lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null || expired(lease)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(lease.getSpec().getHolderIdentity());
    }

    private void write(boolean mayTake) {
        Lease current = read();
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS),
                ZoneOffset.UTC);
        try {
            if (current == null) {
                client.leases().inNamespace(namespace).resource(new LeaseBuilder().withNewMetadata().withName(name())
                        .withNamespace(namespace).addToLabels("progressive.jenkins.io/rollout", ObjectNames
                                .forKey(rollout).substring("progressive-".length()))
                        .endMetadata().withNewSpec().withHolderIdentity(holder)
                        .withLeaseDurationSeconds((int) duration.getSeconds()).withAcquireTime(now).withRenewTime(now)
                        .withLeaseTransitions(0).endSpec().build()).create();
                return;
            }
            String owner = current.getSpec() == null ? null : current.getSpec().getHolderIdentity();
            boolean mine = holder.equals(owner);
            if (!mine && !mayTake) {
                throw new HeldException("rollout '" + rollout + "': lease " + namespace + "/" + name()
                        + " was lost" + (owner != null ? " to " + owner : ""));
            }
            if (!mine && owner != null && !expired(current)) {
                throw held(current);
            }
            var spec = new LeaseBuilder(current).editSpec().withHolderIdentity(holder)
                    .withLeaseDurationSeconds((int) duration.getSeconds()).withRenewTime(now);
            if (!mine) {
                spec.withAcquireTime(now).withLeaseTransitions(
                        (current.getSpec().getLeaseTransitions() == null ? 0 : current.getSpec().getLeaseTransitions())
                                + 1);
            }
            client.leases().inNamespace(namespace).resource(spec.endSpec().build()).update();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                Lease now2 = read();
                throw now2 != null ? held(now2) : new HeldException("rollout '" + rollout + "': lease " + namespace
                        + "/" + name() + " changed while acquiring it; try again");
            }
            throw ClusterException.from(e, what(), String.valueOf(client.getMasterUrl()));
        }
    }

    private HeldException held(Lease lease) {
        String owner = lease.getSpec().getHolderIdentity();
        Instant renewed = renewTime(lease);
        long left = renewed == null ? 0 : Math.max(0, Duration.between(clock.instant(), renewed.plusSeconds(
                seconds(lease))).getSeconds());
        return new HeldException("rollout '" + rollout + "' is already being driven by " + owner + " (lease "
                + namespace + "/" + name() + ", expires in " + left + "s unless renewed)");
    }

    private boolean expired(Lease lease) {
        Instant renewed = renewTime(lease);
        return renewed == null || clock.instant().isAfter(renewed.plusSeconds(seconds(lease)));
    }

    private static long seconds(Lease lease) {
        Integer s = lease.getSpec().getLeaseDurationSeconds();
        return s == null ? 0 : s;
    }

    private static Instant renewTime(Lease lease) {
        ZonedDateTime t = lease.getSpec() == null ? null : lease.getSpec().getRenewTime();
        return t == null ? null : t.toInstant();
    }

    private Lease read() {
        try {
            return client.leases().inNamespace(namespace).withName(name()).get();
        } catch (KubernetesClientException e) {
            throw ClusterException.from(e, what(), String.valueOf(client.getMasterUrl()));
        }
    }

    private String what() {
        return "lease " + namespace + "/" + name();
    }
}
