package io.jenkins.plugins.progressive.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hosts target's router configuration and instance state are snapshot objects like any other. */
class HostsObjectsTest {

    @TempDir
    Path dir;

    /** What a hosts platform would implement: its router backend and its local instances as documents. */
    static final class Host implements ObjectSource, ObjectSink {
        final Map<ObjectKey, ObjectNode> state = new LinkedHashMap<>();
        final List<String> log = new ArrayList<>();

        void put(String json) throws Exception {
            ObjectNode o = (ObjectNode) InMemoryCluster.JSON.readTree(json);
            state.put(ObjectKey.of(o), o);
        }

        @Override
        public Stream<ObjectNode> objects(Selection selection) {
            return state.values().stream().map(ObjectNode::deepCopy);
        }

        @Override
        public String describe() {
            return "host build-agent-7";
        }

        @Override
        public boolean sensitive(ObjectNode object) {
            return object.path("spec").has("adminPassword");
        }

        @Override
        public boolean exists(ObjectKey key) {
            return state.containsKey(key);
        }

        @Override
        public void create(ObjectNode object) {
            log.add("create " + ObjectKey.of(object));
            state.put(ObjectKey.of(object), object);
        }

        @Override
        public void update(ObjectNode object) {
            log.add("update " + ObjectKey.of(object));
            state.put(ObjectKey.of(object), object);
        }

        @Override
        public void delete(ObjectKey key) {
            log.add("delete " + key);
            state.remove(key);
        }
    }

    @Test
    void routerBackendsAndInstancesRoundTrip() throws Exception {
        Host host = new Host();
        host.put("""
                {"apiVersion":"hosts.progressive.jenkins.io/v1","kind":"HaproxyBackend","metadata":{"name":"shop"},
                 "spec":{"runtimeApi":"unix:/run/haproxy/admin.sock","servers":[
                   {"name":"stable-1","address":"127.0.0.1:8081","weight":95},
                   {"name":"canary-1","address":"127.0.0.1:8082","weight":5}]}}""");
        host.put("""
                {"apiVersion":"hosts.progressive.jenkins.io/v1","kind":"LocalInstances","metadata":{"name":"shop"},
                 "spec":{"version":"1.4.1","ports":[8081],"adminPassword":"do-not-leak-42"}}""");
        SnapshotSpec spec = new SnapshotSpec(true, "file:x", List.of(), List.of(), Optional.empty(), List.of(),
                Optional.empty(), List.of(), List.of());
        DirectorySnapshotStore store = new DirectorySnapshotStore(dir);

        Manifest m = Snapshots.capture(host, spec, store, KeyProvider.of(Fixtures.KEY), CaptureOptions.forRollout("shop"));
        assertThat(m.source()).isEqualTo("host build-agent-7");
        assertThat(m.counts()).containsEntry("HaproxyBackend.hosts.progressive.jenkins.io", 1)
                .containsEntry("LocalInstances.hosts.progressive.jenkins.io", 1);
        assertThat(m.objects()).filteredOn(e -> e.key().kind().equals("LocalInstances")).allMatch(Manifest.Entry::encrypted);

        ((ObjectNode) host.state.values().iterator().next().get("spec").get("servers").get(1)).put("weight", 50);
        RestorePlan plan = Snapshots.restore(store, m.id(), KeyProvider.of(Fixtures.KEY),
                RestoreOptions.defaults().withExisting(RestoreOptions.Existing.UPDATE), host);

        assertThat(plan.steps()).extracting(s -> s.key().namespaced()).containsOnly(false); // no namespace invented
        assertThat(host.log).containsExactly("update HaproxyBackend shop", "update LocalInstances shop");
        assertThat(host.state.get(new ObjectKey("hosts.progressive.jenkins.io", "v1", "HaproxyBackend", "", "shop"))
                .path("spec").path("servers").get(1).path("weight").asInt()).isEqualTo(5);
    }
}
