package io.jenkins.plugins.progressive.hosts.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.hosts.LoadGenerator;
import io.jenkins.plugins.progressive.hosts.demo.DemoService;
import io.jenkins.plugins.progressive.hosts.snapshot.HostObjects;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.snapshot.CaptureOptions;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.ObjectKey;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.RestorePlan;
import io.jenkins.plugins.progressive.snapshot.Selection;
import io.jenkins.plugins.progressive.snapshot.SnapshotContents;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.SnapshotStores;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hosts target's snapshot of a real HAProxy: servers, weights and states captured and put back. */
class HaproxySnapshotTest {

    @TempDir
    Path dir;

    private HaproxyProcess haproxy;
    private final List<DemoService> services = new ArrayList<>();
    private final Map<Role, List<String>> addresses = new EnumMap<>(Role.class);
    private HaproxyRouter router;
    private Traffic.Haproxy config;
    private Target.Endpoints target;
    private SnapshotStore store;

    @BeforeEach
    void start() throws Exception {
        haproxy = new HaproxyProcess(dir);
        addresses.put(Role.STABLE, List.of(serve("1.0"), serve("1.0")));
        addresses.put(Role.CANARY, List.of(serve("2.0")));
        config = new Traffic.Haproxy(haproxy.runtimeApi(), "shop");
        router = new HaproxyRouter(config, addresses::get, Duration.ofSeconds(2));
        target = new Target.Endpoints(addresses.get(Role.STABLE), addresses.get(Role.CANARY));
        store = SnapshotStores.open("file:" + dir.resolve("snapshots"));
    }

    private String serve(String version) throws Exception {
        DemoService service = DemoService.start(0, version, 0, 0);
        services.add(service);
        return "127.0.0.1:" + service.port();
    }

    @AfterEach
    void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        services.forEach(DemoService::close);
    }

    private HostObjects objects() {
        return new HostObjects("shop", target, config, Optional.empty());
    }

    private Map<ObjectKey, ObjectNode> live() {
        Map<ObjectKey, ObjectNode> out = new TreeMap<>();
        objects().objects(Selection.ALL).forEach(o -> out.put(ObjectKey.of(o), o));
        return out;
    }

    private String command(String command) throws Exception {
        return new RuntimeApi(haproxy.runtimeApi()).execute(command);
    }

    @Test
    void restorePutsBackServersWeightsAndStatesAsCaptured() throws Exception {
        router.setRoutes(Routes.ALL_STABLE);
        // A hand-tuned weight and a server in maintenance are part of the configuration too.
        assertThat(command("set server shop/stable-2 weight 7")).isEmpty();
        Map<ObjectKey, ObjectNode> captured = live();
        Manifest m = Snapshots.capture(objects(), SnapshotSpec.DISABLED, store, KeyProvider.none(),
                CaptureOptions.forRollout("shop"));
        assertThat(m.counts()).containsEntry("HaproxyBackend.routers.progressive.jenkins.io", 2)
                .containsEntry("FixedEndpoints.instances.progressive.jenkins.io", 1);
        ObjectNode backend = captured.get(new ObjectKey(HostObjects.ROUTERS, "v1", "HaproxyBackend", "", "shop"));
        assertThat(backend.path("spec").path("servers").toString())
                .contains("\"name\":\"stable-1\",\"address\":\"" + addresses.get(Role.STABLE).get(0)
                        + "\",\"weight\":100,\"state\":\"ready\"")
                .contains("\"name\":\"stable-2\",\"address\":\"" + addresses.get(Role.STABLE).get(1)
                        + "\",\"weight\":7,\"state\":\"ready\"");

        // The release moves on: a canary server, other weights, a stable server in maintenance.
        router.setRoutes(Routes.canary(50));
        assertThat(command("set server shop/stable-1 state maint")).isEmpty();
        assertThat(live()).isNotEqualTo(captured);

        RestorePlan plan = Snapshots.restore(store, m.id(), KeyProvider.none(),
                RestoreOptions.defaults().withExisting(RestoreOptions.Existing.UPDATE), objects());

        assertThat(plan.counts()).containsEntry(RestorePlan.Action.UPDATE, 3);
        assertThat(live()).isEqualTo(captured);
        assertThat(router.weights()).isEqualTo(Map.of("stable-1", 100, "stable-2", 7, "canary-1", 0));
        LoadGenerator load = LoadGenerator.run(haproxy.uri(), 2, 200);
        assertThat(load.failures()).isZero();
        assertThat(load.count("2.0")).as("the canary gets nothing after the restore").isZero();
        assertThat(load.count("1.0")).isEqualTo(200);
    }

    @Test
    void aSnapshotOfAnotherBackendIsRefusedBeforeAnyChange() throws Exception {
        router.setRoutes(Routes.ALL_STABLE);
        Manifest m = Snapshots.capture(objects(), SnapshotSpec.DISABLED, store, KeyProvider.none(),
                CaptureOptions.forRollout("shop"));
        router.setRoutes(Routes.canary(50));
        Map<ObjectKey, ObjectNode> before = live();
        HostObjects other = new HostObjects("shop", target, new Traffic.Haproxy(haproxy.runtimeApi(), "cart"),
                Optional.empty());

        assertThatThrownBy(() -> Snapshots.restore(store, m.id(), KeyProvider.none(),
                RestoreOptions.defaults().withExisting(RestoreOptions.Existing.UPDATE), other))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("HaproxyBackend shop")
                .hasMessageContaining("haproxy backend cart");
        assertThat(live()).isEqualTo(before);
        SnapshotContents contents = Snapshots.load(store, m.id(), KeyProvider.none());
        assertThat(contents.items()).hasSize(3);
    }
}
