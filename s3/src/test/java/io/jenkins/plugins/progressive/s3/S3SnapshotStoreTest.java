package io.jenkins.plugins.progressive.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.snapshot.CaptureOptions;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.ObjectKey;
import io.jenkins.plugins.progressive.snapshot.ObjectSink;
import io.jenkins.plugins.progressive.snapshot.ObjectSource;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.Selection;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotIntegrityException;
import io.jenkins.plugins.progressive.snapshot.SnapshotKey;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.SnapshotStores;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The S3 store against a real S3 API server (S3Proxy, in-memory blob store) on 127.0.0.1. */
class S3SnapshotStoreTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String PASSWORD_B64 = Base64.getEncoder().encodeToString("hunter2-but-longer-9d1".getBytes(StandardCharsets.UTF_8));

    static S3Proxy proxy;
    static BlobStoreContext blobs;
    static String endpoint;

    @BeforeAll
    static void startS3() throws Exception {
        blobs = ContextBuilder.newBuilder("transient").credentials("local", "local").build(BlobStoreContext.class);
        // The SDK signs with the credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (set by the pom).
        proxy = S3Proxy.builder().blobStore(blobs.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, System.getenv("AWS_ACCESS_KEY_ID"),
                        System.getenv("AWS_SECRET_ACCESS_KEY"))
                .endpoint(URI.create("http://127.0.0.1:0")).build();
        proxy.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
        endpoint = "http://127.0.0.1:" + proxy.getPort();
        blobs.getBlobStore().createContainerInLocation(null, "snapshots");
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
        if (blobs != null) {
            blobs.close();
        }
    }

    static String uri(String prefix) {
        return "s3://snapshots/" + prefix + "?endpoint=" + endpoint + "&region=us-east-1";
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void putGetListDeleteBlobsAndManifestsUnderAPrefix() throws Exception {
        try (S3SnapshotStore store = S3SnapshotStore.open(uri("team-a/prod"));
                S3SnapshotStore other = S3SnapshotStore.open(uri("team-b"))) {
            byte[] blob = "{\"kind\":\"ConfigMap\"}".getBytes(StandardCharsets.UTF_8);
            String sha = sha256(blob);

            assertThat(store.hasBlob(sha)).isFalse();
            assertThat(store.getBlob(sha)).isEmpty();
            assertThat(store.putBlob(sha, blob)).isTrue();
            assertThat(store.putBlob(sha, blob)).as("content-addressed: stored once").isFalse();
            assertThat(store.hasBlob(sha)).isTrue();
            assertThat(store.getBlob(sha)).hasValueSatisfying(b -> assertThat(b).isEqualTo(blob));
            store.putManifest("20261125T100000000Z-aaaaaa", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
            store.putManifest("20261124T100000000Z-bbbbbb", "{\"b\":2}".getBytes(StandardCharsets.UTF_8));

            assertThat(store.blobAddresses()).containsExactly(sha);
            assertThat(store.manifestIds()).containsExactly("20261124T100000000Z-bbbbbb", "20261125T100000000Z-aaaaaa");
            assertThat(store.getManifest("20261125T100000000Z-aaaaaa")).hasValueSatisfying(
                    b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}"));
            assertThat(keys()).contains("team-a/prod/objects/" + sha.substring(0, 2) + "/" + sha,
                    "team-a/prod/manifests/20261125T100000000Z-aaaaaa.json");
            assertThat(other.blobAddresses()).isEmpty();
            assertThat(other.manifestIds()).isEmpty();

            store.deleteBlob(sha);
            store.deleteManifest("20261125T100000000Z-aaaaaa");
            store.deleteManifest("20261124T100000000Z-bbbbbb");
            assertThat(store.blobAddresses()).isEmpty();
            assertThat(store.manifestIds()).isEmpty();
            assertThat(store.describe()).isEqualTo("s3://snapshots/team-a/prod at " + endpoint);
        }
    }

    @Test
    void captureAndRestoreThroughTheS3StoreFoundByItsUri() throws Exception {
        SnapshotStore store = SnapshotStores.open(uri("shop"));
        assertThat(store).isInstanceOf(S3SnapshotStore.class);
        Cluster cluster = new Cluster();
        cluster.add("""
                {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"prod"}}""");
        cluster.add("""
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"shop","namespace":"prod","uid":"u-1",
                 "resourceVersion":"7"},"spec":{"replicas":3},"status":{"readyReplicas":3}}""");
        cluster.add("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shop","namespace":"prod"},"data":{"a":"b"}}""");
        cluster.add("""
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"prod"},"data":{"password":"%s"}}"""
                .formatted(PASSWORD_B64));
        SnapshotKey key = SnapshotKey.of(new byte[32]);
        SnapshotSpec spec = new SnapshotSpec(true, uri("shop"), List.of("prod"), List.of(), Optional.empty(), List.of(),
                Optional.empty(), List.of(), List.of());

        Manifest first = Snapshots.capture(cluster, spec, store, KeyProvider.of(key), CaptureOptions.forRollout("shop"));
        int blobs = store.blobAddresses().size();
        Manifest second = Snapshots.capture(cluster, spec, store, KeyProvider.of(key), CaptureOptions.forRollout("shop"));

        assertThat(blobs).isEqualTo(4);
        assertThat(store.blobAddresses()).as("unchanged objects are not stored again").hasSize(blobs);
        assertThat(store.manifestIds()).containsExactly(first.id(), second.id());
        for (String k : keys()) {
            String content = new String(blobs().getBlob("snapshots", k).getPayload().openStream().readAllBytes(),
                    StandardCharsets.ISO_8859_1);
            assertThat(content).as(k).doesNotContain(PASSWORD_B64);
        }

        cluster.objects.clear();
        Snapshots.restore(store, second.id(), KeyProvider.of(key), RestoreOptions.defaults(), cluster);
        assertThat(cluster.created).containsExactly("Namespace prod", "Secret prod/db", "ConfigMap prod/shop",
                "Deployment prod/shop");
        ObjectNode deployment = cluster.objects.get("Deployment prod/shop");
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(deployment.has("status")).isFalse();
        assertThat(deployment.path("metadata").has("uid")).isFalse();
        assertThat(cluster.objects.get("Secret prod/db").path("data").path("password").asText()).isEqualTo(PASSWORD_B64);
    }

    @Test
    void aChangedObjectInTheBucketIsRefusedBeforeAnythingIsApplied() throws Exception {
        SnapshotStore store = SnapshotStores.open(uri("tamper"));
        Cluster cluster = new Cluster();
        cluster.add("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shop","namespace":"prod"},"data":{"a":"b"}}""");
        SnapshotSpec spec = new SnapshotSpec(true, uri("tamper"), List.of(), List.of(), Optional.empty(), List.of(),
                Optional.empty(), List.of(), List.of());
        Manifest m = Snapshots.capture(cluster, spec, store, KeyProvider.none(), CaptureOptions.forRollout("shop"));
        String blobKey = "tamper/objects/" + m.objects().get(0).blob().substring(0, 2) + "/" + m.objects().get(0).blob();
        try (S3SnapshotStore raw = S3SnapshotStore.open(uri("tamper"))) {
            byte[] bytes = raw.getBlob(m.objects().get(0).blob()).orElseThrow();
            bytes[5] ^= 1;
            blobs().putBlob("snapshots", blobs().blobBuilder(blobKey).payload(bytes).build());
        }
        cluster.objects.clear();

        assertThatThrownBy(() -> Snapshots.restore(store, m.id(), KeyProvider.none(), RestoreOptions.defaults(), cluster))
                .isInstanceOf(SnapshotIntegrityException.class).hasMessageContaining("ConfigMap prod/shop");
        assertThat(cluster.created).isEmpty();

        cluster.add("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shop","namespace":"prod"},"data":{"a":"b"}}""");
        Manifest again = Snapshots.capture(cluster, spec, store, KeyProvider.none(), CaptureOptions.forRollout("shop"));
        cluster.objects.clear();
        cluster.created.clear();
        Snapshots.restore(store, again.id(), KeyProvider.none(), RestoreOptions.defaults(), cluster);
        assertThat(cluster.created).as("the damaged blob is not reused: the next capture stores it again")
                .containsExactly("Namespace prod", "ConfigMap prod/shop");
    }

    @Test
    void aMissingBucketAndBadUrisAreReportedClearly() {
        try (S3SnapshotStore store = S3SnapshotStore.open("s3://no-such-bucket/x?endpoint=" + endpoint)) {
            assertThatThrownBy(() -> store.putManifest("20261125T100000000Z-aaaaaa", new byte[] {'{', '}'}))
                    .isInstanceOf(SnapshotException.class).hasMessageContaining("no-such-bucket")
                    .hasMessageContaining("does not exist");
        }
        assertThatThrownBy(() -> SnapshotStores.open("s3://Bad_Bucket/x")).hasMessageContaining("snapshot.store")
                .hasMessageContaining("bucket name");
        assertThatThrownBy(() -> SnapshotStores.open("s3://bucket/x?endpoint=ftp://h")).hasMessageContaining("endpoint");
        assertThatThrownBy(() -> SnapshotStores.open("s3://bucket/x?colour=red")).hasMessageContaining("unknown parameter 'colour'")
                .hasMessageContaining("endpoint, region, pathStyle");
    }

    static org.jclouds.blobstore.BlobStore blobs() {
        return blobs.getBlobStore();
    }

    static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (var meta : blobs().list("snapshots", org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive())) {
            if (meta.getType() == org.jclouds.blobstore.domain.StorageType.BLOB) {
                keys.add(meta.getName());
            }
        }
        return keys;
    }

    /** Just enough of a cluster for a round trip through the store. */
    static final class Cluster implements ObjectSource, ObjectSink {
        final Map<String, ObjectNode> objects = new TreeMap<>();
        final List<String> created = new ArrayList<>();

        void add(String json) throws Exception {
            ObjectNode o = (ObjectNode) JSON.readTree(json);
            objects.put(ObjectKey.of(o).toString(), o);
        }

        @Override
        public Stream<ObjectNode> objects(Selection selection) {
            return new ArrayList<>(objects.values()).stream();
        }

        @Override
        public String describe() {
            return "memory";
        }

        @Override
        public boolean exists(ObjectKey key) {
            return objects.containsKey(key.toString());
        }

        @Override
        public void create(ObjectNode object) {
            created.add(ObjectKey.of(object).toString());
            objects.put(ObjectKey.of(object).toString(), object);
        }

        @Override
        public void update(ObjectNode object) {
            objects.put(ObjectKey.of(object).toString(), object);
        }

        @Override
        public void delete(ObjectKey key) {
            objects.remove(key.toString());
        }
    }
}
