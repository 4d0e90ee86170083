package io.jenkins.plugins.progressive.rollout;

import static io.jenkins.plugins.progressive.rollout.testing.Specs.canary;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.weight;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.progressive.rollout.testing.FallbackJudge;
import io.jenkins.plugins.progressive.rollout.testing.Harness;
import io.jenkins.plugins.progressive.rollout.testing.Specs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A router that drains without blocking (HAProxy's leaving servers, nginx's old workers) is not settled for a
 * while after each change: the engine waits without blocking, sets the same routes again, and changes nothing
 * else (no instance is stopped) until the router has settled.
 */
class RouterSettlingTest {

    /** Settles only after {@code setRoutes} was called again {@code resends} times with the same routes. */
    private static final class DrainingRouter implements TrafficRouter {
        private final TrafficRouter delegate;
        private final int resends;
        private Routes last;
        private int repeats;

        DrainingRouter(TrafficRouter delegate, int resends) {
            this.delegate = delegate;
            this.resends = resends;
        }

        @Override
        public synchronized void setRoutes(Routes routes) {
            repeats = routes.equals(last) ? repeats + 1 : 0;
            last = routes;
            delegate.setRoutes(routes);
        }

        @Override
        public Routes getRoutes() {
            return delegate.getRoutes();
        }

        @Override
        public synchronized boolean settled() {
            return repeats >= resends;
        }
    }

    @Test
    void nothingElseChangesUntilTheRouterHasSettled() {
        Harness h = new Harness(2, "1.0", true);
        h.engine = RolloutEngine.builder(h.store, spec -> {
            Platform p = h.platform.platform();
            return new Platform(p.workload(), new DrainingRouter(p.router(), 2), p.metrics(), p.snapshots());
        }).clock(h.clock).events(h.events::add).judge(FallbackJudge.INSTANCE).pollInterval(Duration.ofSeconds(1))
                .build();
        Instant start = h.now();
        String key = h.start(Specs.spec(canary(weight(50))).build());

        RolloutResult r = h.runToEnd(key);

        assertThat(r.status()).isEqualTo(Phase.SUCCEEDED);
        List<String> calls = h.platform.calls();
        // each change is set three times (twice again while draining) before the next action
        assertThat(calls).containsSubsequence("routes 50/50", "routes 50/50", "routes 50/50",
                "routes 0/100", "routes 0/100", "routes 0/100", "scale STABLE 2.0 x2",
                "routes 100/0", "routes 100/0", "routes 100/0", "scale CANARY 2.0 x0");
        assertThat(calls.subList(calls.lastIndexOf("routes 100/0"), calls.size()))
                .containsExactly("routes 100/0", "scale CANARY 2.0 x0");
        // the waits were wake-ups on the (virtual) clock, one poll interval each
        assertThat(Duration.between(start, h.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(6));
    }
}
