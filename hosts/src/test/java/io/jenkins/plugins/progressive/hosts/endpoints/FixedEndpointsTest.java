package io.jenkins.plugins.progressive.hosts.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.progressive.hosts.Ports;
import io.jenkins.plugins.progressive.hosts.demo.DemoService;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixedEndpointsTest {

    private static final Target.Endpoints AB = new Target.Endpoints(List.of("10.0.0.5:8080"), List.of("10.0.0.9:8080"));

    @TempDir
    Path dir;

    @Test
    void promotionSwapsTheRolesAndTheNextRunKnowsTheStableVersion() throws Exception {
        Path memory = dir.resolve("memory.json");
        FixedEndpoints first = new FixedEndpoints(AB, "2.0", Optional.empty(), Optional.of(memory));
        // Nothing recorded yet: the stable endpoints serve a version progressive cannot know, but they serve.
        assertThat(first.status(Role.STABLE).version()).contains(FixedEndpoints.UNKNOWN);
        assertThat(first.status(Role.STABLE).desired()).isEqualTo(1);

        // What promotion asks: canary up, stable on the new version, canary down.
        first.scale(Role.CANARY, "2.0", 1);
        first.scale(Role.STABLE, "2.0", 1);
        first.scale(Role.CANARY, "2.0", 0);

        assertThat(first.addresses(Role.STABLE)).containsExactly("10.0.0.9:8080");
        assertThat(first.addresses(Role.CANARY)).isEmpty();

        // The next release runs on the old hosts, the lists swapped: stable is known to run 2.0.
        Target.Endpoints swapped = new Target.Endpoints(List.of("10.0.0.9:8080"), List.of("10.0.0.5:8080"));
        FixedEndpoints next = new FixedEndpoints(swapped, "3.0", Optional.empty(), Optional.of(memory));
        next.check();
        assertThat(next.status(Role.STABLE).version()).contains("2.0");
        assertThat(next.addresses(Role.STABLE)).containsExactly("10.0.0.9:8080");

        // The same spec again: 2.0 already serves on its endpoints.
        FixedEndpoints again = new FixedEndpoints(AB, "2.0", Optional.empty(), Optional.of(memory));
        assertThat(again.status(Role.STABLE).version()).contains("2.0");
        assertThat(again.addresses(Role.STABLE)).containsExactly("10.0.0.9:8080");
    }

    @Test
    void aRollbackAfterTheSwapPutsStableBackOnTheEndpointsOfThePreviousVersion() {
        Path memory = dir.resolve("memory.json");
        FixedEndpoints endpoints = new FixedEndpoints(AB, "2.0", Optional.empty(), Optional.of(memory));
        endpoints.scale(Role.STABLE, "1.0", 1); // a first release of 1.0 recorded on the stable endpoints
        endpoints.scale(Role.CANARY, "2.0", 1);
        endpoints.scale(Role.STABLE, "2.0", 1);

        // What a rollback asks once stable had moved: the previous version in the canary role, then stable.
        endpoints.scale(Role.CANARY, "1.0", 1);
        assertThat(endpoints.addresses(Role.CANARY)).containsExactly("10.0.0.5:8080");
        endpoints.scale(Role.STABLE, "1.0", 1);
        endpoints.scale(Role.CANARY, "1.0", 0);

        assertThat(endpoints.addresses(Role.STABLE)).containsExactly("10.0.0.5:8080");
        assertThat(endpoints.status(Role.STABLE).version()).contains("1.0");
        assertThat(new FixedEndpoints(AB, "2.0", Optional.empty(), Optional.of(memory)).status(Role.STABLE).version())
                .contains("1.0");
    }

    @Test
    void aSpecWhoseCanaryEndpointsServeAnotherVersionAsStableIsRefused() {
        Path memory = dir.resolve("memory.json");
        FixedEndpoints endpoints = new FixedEndpoints(AB, "2.0", Optional.empty(), Optional.of(memory));
        endpoints.scale(Role.CANARY, "2.0", 1);
        endpoints.scale(Role.STABLE, "2.0", 1);

        FixedEndpoints stale = new FixedEndpoints(AB, "3.0", Optional.empty(), Optional.of(memory));

        assertThatThrownBy(stale::check).isInstanceOf(InvalidSpecException.class)
                .hasMessage("target.endpoints.canary: the endpoints [10.0.0.9:8080] serve as stable with version 2.0"
                        + " since the last rollout; list them under target.endpoints.stable and the endpoints that"
                        + " run 3.0 under canary");
    }

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
