package io.jenkins.plugins.progressive.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RolloutLeaseTest {

    @RegisterExtension
    final KubernetesApiServer api = new KubernetesApiServer();

    private KubernetesClient client;
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @BeforeEach
    void setUp() {
        api.createNamespace("prod");
        client = api.client();
    }

    private RolloutLease lease(String holder) {
        return new RolloutLease(client, "prod", "shop", holder, Duration.ofSeconds(15), clock);
    }

    @Test
    void aSecondHolderIsRefusedWithAMessageNamingTheHolder() {
        lease("jenkins-a#12").acquire();
        Lease stored = client.leases().inNamespace("prod").withName("progressive-shop").get();
        assertThat(stored.getSpec().getHolderIdentity()).isEqualTo("jenkins-a#12");
        assertThat(stored.getSpec().getLeaseDurationSeconds()).isEqualTo(15);

        assertThatThrownBy(() -> lease("cli@laptop").acquire()).isInstanceOf(RolloutLease.HeldException.class)
                .hasMessage("rollout 'shop' is already being driven by jenkins-a#12 (lease prod/progressive-shop, "
                        + "expires in 15s unless renewed)");
        assertThat(lease("cli@laptop").holder()).contains("jenkins-a#12");
    }

    @Test
    void renewingKeepsItAndReleasingFreesIt() {
        RolloutLease a = lease("a");
        a.acquire();
        now.set(now.get().plusSeconds(10));
        a.renew();
        now.set(now.get().plusSeconds(10));
        assertThatThrownBy(() -> lease("b").acquire()).isInstanceOf(RolloutLease.HeldException.class);
        a.acquire(); // re-acquiring one's own lease is a renewal
        a.release();
        a.release();
        lease("b").acquire();
        assertThat(lease("a").holder()).contains("b");
        assertThatThrownBy(a::renew).isInstanceOf(RolloutLease.HeldException.class).hasMessageContaining("lost to b");
    }

    @Test
    void anExpiredLeaseIsTakenOver() {
        lease("a").acquire();
        now.set(now.get().plusSeconds(16));
        assertThat(lease("b").holder()).isEmpty();
        lease("b").acquire();
        Lease stored = client.leases().inNamespace("prod").withName("progressive-shop").get();
        assertThat(stored.getSpec().getHolderIdentity()).isEqualTo("b");
        assertThat(stored.getSpec().getLeaseTransitions()).isEqualTo(1);
    }
}
