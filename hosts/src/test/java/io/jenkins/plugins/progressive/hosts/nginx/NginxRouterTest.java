package io.jenkins.plugins.progressive.hosts.nginx;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.hosts.snapshot.HostObjects;
import io.jenkins.plugins.progressive.snapshot.CaptureOptions;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.ObjectKey;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.Selection;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NginxRouterTest {

    @TempDir
    Path dir;

    private NginxProcess nginx;
    private final List<DemoService> services = new ArrayList<>();
    private final Map<Role, List<String>> addresses = new EnumMap<>(Role.class);
    private NginxRouter router;

    @BeforeEach
    void start() throws Exception {
        addresses.put(Role.STABLE, List.of(serve("1.0"), serve("1.0")));
        addresses.put(Role.CANARY, List.of(serve("2.0")));
        nginx = new NginxProcess(dir, addresses.get(Role.STABLE).get(0));
        router = new NginxRouter(new Traffic.Nginx(nginx.upstreamFile.toString(), "shop", nginx.reloadCommand),
                addresses::get);
    }

    private String serve(String version) throws Exception {
        DemoService service = DemoService.start(0, version, 0, 0);
        services.add(service);
        return "127.0.0.1:" + service.port();
    }

    @AfterEach
    void stop() {
        if (nginx != null) {
            nginx.close();
        }
        services.forEach(DemoService::close);
    }

    private void setRoutes(Routes routes) {
        Set<Long> before = nginx.workers();
        router.setRoutes(routes);
        nginx.awaitReloaded(before);
    }

    @Test
    void canaryShareIsWithinOnePointOfTheWeight() throws Exception {
        router.check();
        for (int weight : new int[] {5, 25, 50, 75}) {
            setRoutes(Routes.canary(weight));
            assertThat(router.getRoutes()).isEqualTo(Routes.canary(weight));

            LoadGenerator load = LoadGenerator.run(nginx.uri(), 4, 10_000);

            assertThat(load.failures()).as("failures %s", load.failureSamples()).isZero();
            double share = 100.0 * load.count("2.0") / 10_000;
            assertThat(share).as("canary share at weight %d", weight).isCloseTo(weight, within(1.0));
        }
    }

    @Test
    void weightChangesAndBlueGreenSwitchLoseNoRequest() {
        setRoutes(Routes.ALL_STABLE);
        try (LoadGenerator load = LoadGenerator.start(nginx.uri(), 4, 500_000, Duration.ofSeconds(60))) {
            Runnable progress = () -> {
                long target = load.answered() + 300;
                await().atMost(Duration.ofSeconds(10)).until(() -> load.answered() >= target);
            };
            progress.run();
            for (int weight : new int[] {5, 25, 50, 100, 0}) {
                setRoutes(Routes.canary(weight));
                progress.run();
            }
            setRoutes(Routes.ALL_CANARY);
            long stableAnswers = load.count("1.0");
            progress.run();
            assertThat(load.count("1.0")).as("no stable answer once all traffic is on canary").isEqualTo(stableAnswers);
            setRoutes(Routes.ALL_STABLE);
            progress.run();
            load.close();

            assertThat(load.failures()).as("failed requests: %s", load.failureSamples()).isZero();
            assertThat(load.count("2.0")).isPositive();
        }
    }

    @Test
    void readsBackWhatItSetAndRepeatingChangesNothing() throws Exception {
        setRoutes(Routes.canary(5));
        String written = Files.readString(nginx.upstreamFile);
        assertThat(router.getRoutes()).isEqualTo(Routes.canary(5));
        assertThat(written).contains("upstream shop {").contains(addresses.get(Role.CANARY).get(0));

        Set<Long> workers = nginx.workers();
        router.setRoutes(Routes.canary(5));

        assertThat(Files.readString(nginx.upstreamFile)).isEqualTo(written);
        assertThat(nginx.workers()).as("no reload").isEqualTo(workers);
    }

    @Test
    void itHasSettledOnlyOnceTheReloadedWorkersServeAlone() {
        Set<Long> before = nginx.workers();

        router.setRoutes(Routes.canary(50));
        await().atMost(Duration.ofSeconds(30)).until(router::settled);

        // the workers of the old file are gone, new ones serve the new file
        assertThat(nginx.workers()).isNotEmpty().doesNotContainAnyElementsOf(before);
        LoadGenerator load = LoadGenerator.run(nginx.uri(), 2, 200);
        assertThat(load.failures()).isZero();
        assertThat(load.count("2.0")).isBetween(90L, 110L);
    }

    @Test
    void aRoleAtZeroIsMarkedDown() throws Exception {
        setRoutes(Routes.ALL_STABLE);

        assertThat(Files.readString(nginx.upstreamFile))
                .contains("server " + addresses.get(Role.CANARY).get(0) + " weight=1 down; # canary");
        assertThat(router.getRoutes()).isEqualTo(Routes.ALL_STABLE);
        assertThat(LoadGenerator.run(nginx.uri(), 2, 300).count("1.0")).isEqualTo(300);
    }

    @Test
    void aLeavingInstanceIsDrainedWithoutFailedRequests() throws Exception {
        String second = serve("2.0");
        DemoService leaving = services.get(services.size() - 1);
        addresses.put(Role.CANARY, List.of(addresses.get(Role.CANARY).get(0), second));
        setRoutes(Routes.canary(50));

        try (LoadGenerator load = LoadGenerator.start(nginx.uri(), 4, 500_000, Duration.ofSeconds(60))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> leaving.requests() > 100);
            addresses.put(Role.CANARY, List.of(addresses.get(Role.CANARY).get(0)));
            setRoutes(Routes.canary(50));
            long servedBeforeStop = leaving.requests();
            leaving.close();
            long target = load.answered() + 1000;
            await().atMost(Duration.ofSeconds(10)).until(() -> load.answered() >= target);
            load.close();

            assertThat(leaving.requests()).isEqualTo(servedBeforeStop);
            assertThat(load.failures()).as("failed requests: %s", load.failureSamples()).isZero();
        }
        assertThat(Files.readString(nginx.upstreamFile)).doesNotContain(second);
    }

    @Test
    void aCanaryThatIsGoneLeavesBothFiles() throws Exception {
        setRoutes(Routes.canary(25));
        String canary = addresses.get(Role.CANARY).get(0);

        setRoutes(Routes.ALL_STABLE);
        addresses.put(Role.CANARY, List.of());
        setRoutes(Routes.ALL_STABLE);

        assertThat(Files.readString(nginx.upstreamFile)).doesNotContain(canary).contains("# stable");
        assertThat(Files.readString(router.previewFile())).doesNotContain(canary);
        assertThat(router.getRoutes()).isEqualTo(Routes.ALL_STABLE);
        assertThat(LoadGenerator.run(nginx.uri(), 2, 200).count("1.0")).isEqualTo(200);
    }

    @Test
    void previewUpstreamServesTheCanaryOnly() {
        setRoutes(Routes.ALL_STABLE);

        assertThat(router.previewFile()).isEqualTo(dir.resolve("shop-preview.upstream"));
        assertThat(LoadGenerator.run(nginx.previewUri(), 2, 200).count("2.0")).isEqualTo(200);
        assertThat(LoadGenerator.run(nginx.uri(), 2, 200).count("1.0")).isEqualTo(200);
    }

    @Test
    void aFailedReloadLeavesTheFilesAsNginxKnowsThem() throws Exception {
        String before = Files.readString(nginx.upstreamFile);
        NginxRouter broken = new NginxRouter(new Traffic.Nginx(nginx.upstreamFile.toString(), "shop",
                List.of("sh", "-c", "echo 'nginx: [emerg] bad' >&2; exit 1")), addresses::get);

        assertThatThrownBy(() -> broken.setRoutes(Routes.canary(25)))
                .hasMessageContaining("nginx reload failed (exit code 1)").hasMessageContaining("[emerg] bad");
        assertThat(Files.readString(nginx.upstreamFile)).isEqualTo(before);
    }

    @Test
    void badSettingsAreReportedBeforeAnyChange() throws Exception {
        NginxRouter noDir = new NginxRouter(new Traffic.Nginx(dir.resolve("missing/shop.upstream").toString(), "shop",
                nginx.reloadCommand), addresses::get);
        NginxRouter noProgram = new NginxRouter(new Traffic.Nginx(nginx.upstreamFile.toString(), "shop",
                List.of("no-such-nginx", "-s", "reload")), addresses::get);
        NginxRouter otherUpstream = new NginxRouter(new Traffic.Nginx(nginx.upstreamFile.toString(), "web",
                nginx.reloadCommand), addresses::get);
        String before = Files.readString(nginx.upstreamFile);

        assertThatThrownBy(noDir::check).isInstanceOf(InvalidSpecException.class)
                .hasMessage("traffic.nginx.upstreamFile: directory " + dir.resolve("missing") + " does not exist");
        assertThatThrownBy(noProgram::check).isInstanceOf(InvalidSpecException.class)
                .hasMessage("traffic.nginx.reloadCommand: program 'no-such-nginx' not found (on PATH or as a path)");
        assertThatThrownBy(otherUpstream::check).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("does not define 'upstream web'");
        assertThat(Files.readString(nginx.upstreamFile)).isEqualTo(before);
    }

    // ---- snapshots of the router's configuration (hosts targets) ----

    private Map<ObjectKey, ObjectNode> live(HostObjects objects) {
        Map<ObjectKey, ObjectNode> out = new TreeMap<>();
        objects.objects(Selection.ALL).forEach(o -> out.put(ObjectKey.of(o), o));
        return out;
    }

    @Test
    void restoreRewritesTheUpstreamFilesAndReloads() throws Exception {
        Set<Long> workers = nginx.workers();
        router.setRoutes(Routes.ALL_STABLE);
        nginx.awaitReloaded(workers);
        String capturedFile = Files.readString(nginx.upstreamFile);
        HostObjects objects = new HostObjects("shop", new Target.Endpoints(addresses.get(Role.STABLE),
                addresses.get(Role.CANARY)), new Traffic.Nginx(nginx.upstreamFile.toString(), "shop", nginx.reloadCommand), Optional.empty());
        Map<ObjectKey, ObjectNode> captured = live(objects);
        SnapshotStore store = SnapshotStores.open("file:" + dir.resolve("snapshots"));
        Manifest m = Snapshots.capture(objects, SnapshotSpec.DISABLED, store, KeyProvider.none(),
                CaptureOptions.forRollout("shop"));
        assertThat(m.counts()).containsEntry("NginxUpstream.routers.progressive.jenkins.io", 1);
        assertThat(captured.get(new ObjectKey(HostObjects.ROUTERS, "v1", "NginxUpstream", "", "shop"))
                .path("spec").path("content").asText()).isEqualTo(capturedFile);

        workers = nginx.workers();
        router.setRoutes(Routes.canary(50));
        nginx.awaitReloaded(workers);
        assertThat(LoadGenerator.run(nginx.uri(), 2, 200).count("2.0")).isPositive();

        workers = nginx.workers();
        Snapshots.restore(store, m.id(), KeyProvider.none(),
                RestoreOptions.defaults().withExisting(RestoreOptions.Existing.UPDATE), objects);
        nginx.awaitReloaded(workers);

        assertThat(Files.readString(nginx.upstreamFile)).isEqualTo(capturedFile);
        assertThat(live(objects)).isEqualTo(captured);
        LoadGenerator load = LoadGenerator.run(nginx.uri(), 2, 200);
        assertThat(load.failures()).isZero();
        assertThat(load.count("1.0")).isEqualTo(200);
    }
}
