package io.jenkins.plugins.progressive.hosts.haproxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.hosts.snapshot.HostObjects;
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
import java.util.Optional;
import java.util.TreeMap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.jenkins.plugins.progressive.hosts.LoadGenerator;
import io.jenkins.plugins.progressive.hosts.demo.DemoService;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.Routes;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaproxyRouterTest {

    @TempDir
    Path dir;

    private HaproxyProcess haproxy;
    private final List<DemoService> services = new ArrayList<>();
    private final Map<Role, List<String>> addresses = new EnumMap<>(Role.class);
    private HaproxyRouter router;

    @BeforeEach
    void start() throws Exception {
        haproxy = new HaproxyProcess(dir);
        addresses.put(Role.STABLE, List.of(serve("1.0"), serve("1.0")));
        addresses.put(Role.CANARY, List.of(serve("2.0")));
        router = new HaproxyRouter(new Traffic.Haproxy(haproxy.runtimeApi(), "shop"), addresses::get,
                Duration.ofSeconds(10));
    }

    private String serve(String version) throws Exception {
        DemoService service = DemoService.start(0, version, 0, 0);
        services.add(service);
        return "127.0.0.1:" + service.port();
    }

    @AfterEach
    void stop() {
        services.forEach(DemoService::close);
        if (haproxy != null) {
            haproxy.close();
        }
    }

    @Test
    void canaryShareIsWithinOnePointOfTheWeight() throws Exception {
        router.check();
        for (int weight : new int[] {5, 25, 50, 75}) {
            router.setRoutes(Routes.canary(weight));
            assertThat(router.getRoutes()).isEqualTo(Routes.canary(weight));

            LoadGenerator load = LoadGenerator.run(haproxy.uri(), 4, 10_000);

            assertThat(load.failures()).as("failures %s", load.failureSamples()).isZero();
            double share = 100.0 * load.count("2.0") / 10_000;
            assertThat(share).as("canary share at weight %d", weight).isCloseTo(weight, within(1.0));
        }
    }

    @Test
    void weightChangesAndBlueGreenSwitchLoseNoRequest() throws Exception {
        router.setRoutes(Routes.ALL_STABLE);
        try (LoadGenerator load = LoadGenerator.start(haproxy.uri(), 4, 500_000, Duration.ofSeconds(60))) {
            long[] mark = {0};
            Runnable progress = () -> {
                long target = load.answered() + 300;
                await().atMost(Duration.ofSeconds(10)).until(() -> load.answered() >= target);
            };
            progress.run();
            for (int weight : new int[] {5, 25, 50, 100, 0}) {
                router.setRoutes(Routes.canary(weight));
                progress.run();
            }
            // Blue-green: all at once to the new version, and back.
            router.setRoutes(Routes.ALL_CANARY);
            progress.run();
            mark[0] = load.count("1.0");
            progress.run();
            assertThat(load.count("1.0")).as("no stable answer once all traffic is on canary").isEqualTo(mark[0]);
            router.setRoutes(Routes.ALL_STABLE);
            progress.run();
            load.close();

            assertThat(load.failures()).as("failed requests: %s", load.failureSamples()).isZero();
            assertThat(load.count("2.0")).isPositive();
        }
    }

    @Test
    void readsBackWhatItSetAndRepeatingChangesNothing() {
        router.setRoutes(Routes.canary(5));
        Map<String, Integer> weights = router.weights();

        // 95% over two stable servers, 5% over one canary server.
        assertThat(weights).containsOnlyKeys("stable-1", "stable-2", "canary-1");
        int stable = weights.get("stable-1") + weights.get("stable-2");
        assertThat(weights.get("stable-1")).isEqualTo(weights.get("stable-2"));
        assertThat(100.0 * weights.get("canary-1") / (stable + weights.get("canary-1"))).isEqualTo(5.0);
        assertThat(router.getRoutes()).isEqualTo(Routes.canary(5));

        router.setRoutes(Routes.canary(5));

        assertThat(router.weights()).isEqualTo(weights);
        assertThat(haproxy.log()).containsOnlyOnce("'server shop/canary-1' : New server registered");
    }

    @Test
    void aLeavingInstanceIsDrainedWithoutFailedRequests() throws Exception {
        String second = serve("2.0");
        DemoService leaving = services.get(services.size() - 1);
        addresses.put(Role.CANARY, List.of(addresses.get(Role.CANARY).get(0), second));
        router.setRoutes(Routes.canary(50));
        assertThat(router.weights()).containsKeys("canary-1", "canary-2");

        try (LoadGenerator load = LoadGenerator.start(haproxy.uri(), 4, 500_000, Duration.ofSeconds(60))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> leaving.requests() > 100);

            addresses.put(Role.CANARY, List.of(addresses.get(Role.CANARY).get(0)));
            // As the engine does: set the routes, and set them again until the router has settled.
            router.setRoutes(Routes.canary(50));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                router.setRoutes(Routes.canary(50));
                return router.settled();
            });
            long servedBeforeStop = leaving.requests();
            leaving.close();
            long target = load.answered() + 1000;
            await().atMost(Duration.ofSeconds(10)).until(() -> load.answered() >= target);
            load.close();

            assertThat(router.weights()).containsOnlyKeys("stable-1", "stable-2", "canary-1");
            assertThat(leaving.requests()).isEqualTo(servedBeforeStop);
            assertThat(load.failures()).as("failed requests: %s", load.failureSamples()).isZero();
        }
        assertThat(router.getRoutes()).isEqualTo(Routes.canary(50));
    }

    @Test
    void aBusyLeavingServerDrainsWithoutBlockingAndGoesOnALaterCall() throws Exception {
        DemoService slow = DemoService.start(0, "2.0", 0, 3_000);
        services.add(slow);
        addresses.put(Role.CANARY, List.of("127.0.0.1:" + slow.port()));
        router.setRoutes(Routes.ALL_CANARY);
        LoadGenerator inFlight = LoadGenerator.start(haproxy.uri(), 1, 1, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> slow.inFlight() == 1);

        long before = System.nanoTime();
        router.setRoutes(Routes.ALL_STABLE);
        Duration took = Duration.ofNanos(System.nanoTime() - before);

        // setRoutes returned at once (the request in flight takes 3 s); the canary drains, listed at weight 0.
        assertThat(took).isLessThan(Duration.ofSeconds(2));
        assertThat(router.settled()).isFalse();
        assertThat(router.weights()).containsEntry("canary-1", 0);
        assertThat(router.getRoutes()).isEqualTo(Routes.ALL_STABLE);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            router.setRoutes(Routes.ALL_STABLE);
            return router.settled();
        });
        inFlight.await();
        assertThat(inFlight.failures()).as("the request in flight finished: %s", inFlight.failureSamples()).isZero();
        assertThat(router.weights()).containsOnlyKeys("stable-1", "stable-2");
    }

    @Test
    void aRoleWithoutShareKeepsNoServer() {
        router.setRoutes(Routes.canary(25));
        assertThat(router.weights()).containsKeys("canary-1");

        router.setRoutes(Routes.ALL_STABLE);

        // after a rollback no server points at canary instances that are about to stop
        assertThat(router.settled()).isTrue();
        assertThat(router.weights()).containsOnlyKeys("stable-1", "stable-2");
        assertThat(router.getRoutes()).isEqualTo(Routes.ALL_STABLE);
    }

    @Test
    void previewBackendServesTheCanaryOnly() {
        router.setRoutes(Routes.ALL_STABLE);

        LoadGenerator main = LoadGenerator.run(haproxy.uri(), 2, 200);
        LoadGenerator preview = LoadGenerator.run(haproxy.previewUri(), 2, 200);

        assertThat(main.count("1.0")).isEqualTo(200);
        assertThat(preview.count("2.0")).isEqualTo(200);
    }

    @Test
    void theRuntimeApiCanBeATcpSocket() throws Exception {
        HaproxyRouter overTcp = new HaproxyRouter(
                new Traffic.Haproxy("tcp:127.0.0.1:" + haproxy.apiPort, "shop"), addresses::get);

        overTcp.check();
        overTcp.setRoutes(Routes.canary(25));

        assertThat(router.getRoutes()).isEqualTo(Routes.canary(25));
    }

    @Test
    void missingSocketIsReportedBeforeAnyChange() {
        HaproxyRouter missing = new HaproxyRouter(new Traffic.Haproxy("unix:" + dir.resolve("nope.sock"), "shop"),
                addresses::get);

        assertThatThrownBy(missing::check).isInstanceOf(InvalidSpecException.class)
                .hasMessage("traffic.haproxy.runtimeApi: haproxy runtime API not reachable at unix:"
                        + dir.resolve("nope.sock") + ": No such file");
    }

    @Test
    void aMalformedRuntimeApiAddressIsReportedBeforeAnyChange() {
        HaproxyRouter malformed = new HaproxyRouter(new Traffic.Haproxy("/run/haproxy.sock", "shop"), addresses::get);

        assertThatThrownBy(malformed::check).isInstanceOf(InvalidSpecException.class)
                .hasMessage("traffic.haproxy.runtimeApi: runtimeApi must be unix:/path/to/socket or tcp:host:port,"
                        + " got '/run/haproxy.sock'");
    }

    @Test
    void unknownBackendIsReportedBeforeAnyChange() {
        HaproxyRouter unknown = new HaproxyRouter(new Traffic.Haproxy(haproxy.runtimeApi(), "x"), addresses::get);

        assertThatThrownBy(unknown::check).isInstanceOf(InvalidSpecException.class)
                .hasMessageStartingWith("traffic.haproxy.backend: backend 'x' does not exist in HAProxy");
        assertThat(router.weights()).isEmpty();
    }

    @Test
    void socketWithoutAdminLevelIsReportedBeforeAnyChange() {
        HaproxyRouter operator = new HaproxyRouter(
                new Traffic.Haproxy("unix:" + haproxy.operatorSocket, "shop"), addresses::get);

        assertThatThrownBy(operator::check).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("has level 'operator'").hasMessageContaining("level admin");
        assertThat(router.weights()).isEmpty();
    }

    @Test
    void aRoleWithoutInstancesCannotReceiveTrafficAndNothingChanges() {
        addresses.put(Role.CANARY, List.of());

        assertThatThrownBy(() -> router.setRoutes(Routes.canary(25)))
                .hasMessage("cannot send 25% to canary: it has no instances");
        assertThat(router.weights()).isEmpty();
    }

    // ---- snapshots of the router's configuration (hosts targets) ----

    private HostObjects objects() {
        return objects("shop");
    }

    private HostObjects objects(String backend) {
        return new HostObjects("shop", new Target.Endpoints(addresses.get(Role.STABLE), addresses.get(Role.CANARY)),
                new Traffic.Haproxy(haproxy.runtimeApi(), backend), Optional.empty());
    }

    private SnapshotStore store() {
        return SnapshotStores.open("file:" + dir.resolve("snapshots"));
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
        Manifest m = Snapshots.capture(objects(), SnapshotSpec.DISABLED, store(), KeyProvider.none(),
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

        RestorePlan plan = Snapshots.restore(store(), m.id(), KeyProvider.none(),
                RestoreOptions.defaults().withExisting(RestoreOptions.Existing.UPDATE), objects());

        assertThat(plan.counts()).containsEntry(RestorePlan.Action.UPDATE, 3);
        assertThat(live()).isEqualTo(captured);
        assertThat(router.weights()).as("a role with no share keeps no server").isEqualTo(Map.of("stable-1", 100, "stable-2", 7));
        LoadGenerator load = LoadGenerator.run(haproxy.uri(), 2, 200);
        assertThat(load.failures()).isZero();
        assertThat(load.count("2.0")).as("the canary gets nothing after the restore").isZero();
        assertThat(load.count("1.0")).isEqualTo(200);
    }

    @Test
    void aSnapshotOfAnotherBackendIsRefusedBeforeAnyChange() throws Exception {
        router.setRoutes(Routes.ALL_STABLE);
        Manifest m = Snapshots.capture(objects(), SnapshotSpec.DISABLED, store(), KeyProvider.none(),
                CaptureOptions.forRollout("shop"));
        router.setRoutes(Routes.canary(50));
        Map<ObjectKey, ObjectNode> before = live();
        HostObjects other = objects("cart");

        assertThatThrownBy(() -> Snapshots.restore(store(), m.id(), KeyProvider.none(),
                RestoreOptions.defaults().withExisting(RestoreOptions.Existing.UPDATE), other))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("HaproxyBackend shop")
                .hasMessageContaining("haproxy backend cart");
        assertThat(live()).isEqualTo(before);
        SnapshotContents contents = Snapshots.load(store(), m.id(), KeyProvider.none());
        assertThat(contents.items()).hasSize(3);
    }
}
