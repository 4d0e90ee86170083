package io.jenkins.plugins.progressive.hosts.nginx;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.jenkins.plugins.progressive.snapshot.Selection;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.SnapshotStores;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hosts target's snapshot of a real nginx: the upstream files captured, rewritten and reloaded on restore. */
class NginxSnapshotTest {

    @TempDir
    Path dir;

    private NginxProcess nginx;
    private final List<DemoService> services = new ArrayList<>();
    private final Map<Role, List<String>> addresses = new EnumMap<>(Role.class);
    private NginxRouter router;
    private Traffic.Nginx config;

    @BeforeEach
    void start() throws Exception {
        addresses.put(Role.STABLE, List.of(serve("1.0"), serve("1.0")));
        addresses.put(Role.CANARY, List.of(serve("2.0")));
        nginx = new NginxProcess(dir, addresses.get(Role.STABLE).get(0));
        config = new Traffic.Nginx(nginx.upstreamFile.toString(), "shop", nginx.reloadCommand);
        router = new NginxRouter(config, addresses::get);
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
                addresses.get(Role.CANARY)), config, Optional.empty());
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
