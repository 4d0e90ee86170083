package io.jenkins.plugins.progressive.hosts.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.progressive.hosts.Ports;
import io.jenkins.plugins.progressive.hosts.demo.DemoService;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.spec.Target;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FixedEndpointsTest {

    @Test
    void rolesEnterAndLeaveRoutingWithoutStartingAnything() throws Exception {
        try (DemoService stable = DemoService.start(0, "1.0", 0, 0); DemoService canary = DemoService.start(0, "2.0", 0, 0)) {
            String s = "127.0.0.1:" + stable.port();
            String c = "127.0.0.1:" + canary.port();
            FixedEndpoints workload = new FixedEndpoints(new Target.Endpoints(List.of(s), List.of(c)),
                    Optional.of("/health"));

            assertThat(workload.size()).isEqualTo(1);
            assertThat(workload.addresses(Role.STABLE)).containsExactly(s);
            assertThat(workload.addresses(Role.CANARY)).isEmpty();
            assertThat(workload.status(Role.CANARY)).isEqualTo(RoleStatus.NONE);

            workload.scale(Role.CANARY, "2.0", 1);
            assertThat(workload.status(Role.CANARY).isReady("2.0", 1)).isTrue();
            assertThat(workload.addresses(Role.CANARY)).containsExactly(c);

            workload.scale(Role.CANARY, "2.0", 0);
            assertThat(workload.addresses(Role.CANARY)).isEmpty();
            assertThat(workload.status(Role.CANARY).isReady("2.0", 0)).isTrue();
        }
    }

    @Test
    void anEndpointFailingItsHealthCheckIsNotReady() {
        String down = "127.0.0.1:" + Ports.free();
        FixedEndpoints workload = new FixedEndpoints(new Target.Endpoints(List.of(down), List.of()),
                Optional.of("/health"));

        workload.scale(Role.STABLE, "1.0", 1);

        assertThat(workload.status(Role.STABLE).ready()).isZero();
        assertThat(workload.status(Role.STABLE).isReady("1.0", 1)).isFalse();
    }

    @Test
    void aRoleWithoutEndpointsReportsWhy() {
        FixedEndpoints workload = new FixedEndpoints(new Target.Endpoints(List.of("10.0.0.5:8080"), List.of()),
                Optional.empty());

        workload.scale(Role.CANARY, "2.0", 1);

        assertThat(workload.status(Role.CANARY).failure())
                .contains("target.endpoints.canary is empty: there is nothing to route to");
    }

    @Test
    void badAddressesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new FixedEndpoints(new Target.Endpoints(List.of("10.0.0.5:8080"),
                List.of("http://10.0.0.9")), Optional.empty()))
                .hasMessage("target.endpoints.canary[0] must be host:port, got 'http://10.0.0.9'");
        assertThatThrownBy(() -> new FixedEndpoints(new Target.Endpoints(List.of(), List.of()), Optional.empty()))
                .hasMessage("target.endpoints.stable must list at least one host:port");
    }
}
