package io.jenkins.plugins.progressive.kubernetes.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process Kubernetes API server for tests: fabric8's {@link KubernetesMockServer} driven by our own
 * dispatcher and object store, so that discovery, resourceVersion and optimistic concurrency, status and
 * scale subresources, patches, selectors, paging, watches that resume, RBAC denials, namespaces, CRDs,
 * Leases and Events behave the way a real cluster's API server does (see docs/kubernetes.md for the limits).
 *
 * <p>Use it as a JUnit 5 extension ({@code @RegisterExtension KubernetesApiServer api = new KubernetesApiServer();},
 * a fresh server per test) or as a plain fixture ({@link #start()} / {@link #close()}).
 */
public final class KubernetesApiServer implements BeforeEachCallback, AfterEachCallback, AutoCloseable {

    // The mock web server logs every request at INFO; tests only want to hear about problems.
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger(
            MockWebServer.class.getName());

    static {
        if (System.getenv("PROGRESSIVE_MOCK_LOG") == null) {
            MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        }
    }

    private final ObjectStore store = new ObjectStore();
    private final Rbac rbac = new Rbac();
    private final List<KubernetesClient> clients = new ArrayList<>();
    private KubernetesMockServer server;
    private MockWebServer web;
    private ApiDispatcher dispatcher;
    private boolean https;

    public KubernetesApiServer() {
        for (ResourceType t : BuiltInTypes.ALL) {
            store.register(t);
        }
    }

    /**
     * Serves HTTPS (call before {@link #start()}) with a self-signed certificate for {@code localhost}, which is
     * its own CA: {@link #caCertificate()}.
     */
    public synchronized KubernetesApiServer https() {
        if (server != null) {
            throw new IllegalStateException("https() must be called before start()");
        }
        https = true;
        return this;
    }

    /** Starts listening on a free port of 127.0.0.1 with the namespaces {@code default} and {@code kube-system}. */
    public synchronized KubernetesApiServer start() {
        if (server != null) {
            return this;
        }
        web = new MockWebServer();
        dispatcher = new ApiDispatcher(store, rbac, () -> "127.0.0.1:" + server.getPort());
        server = new KubernetesMockServer(new Context(), web, new HashMap<>(), dispatcher, https);
        try {
            server.init(InetAddress.getLoopbackAddress(), 0);
        } catch (RuntimeException e) {
            server = null;
            throw e;
        }
        createNamespace("default");
        createNamespace("kube-system");
        return this;
    }

    /** Plays the containers' side of {@code pods/exec} (the server has no containers): see {@link ContainerExec}. */
    public void onExec(ContainerExec exec) {
        start();
        dispatcher.onExec(exec);
    }

    @Override
    public synchronized void close() {
        clients.forEach(KubernetesClient::close);
        clients.clear();
        if (server != null) {
            server.destroy();
            server = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** The server's base URL, {@code http://127.0.0.1:<port>} or, with {@link #https()}, {@code https://localhost:<port>}. */
    public String url() {
        return (https ? "https://localhost:" : "http://127.0.0.1:") + server.getPort();
    }

    /** The PEM file of the CA that signed the server's certificate (with {@link #https()}). */
    public Path caCertificate() {
        if (!https) {
            throw new IllegalStateException("the server speaks plain HTTP; call https() before start()");
        }
        return Path.of(web.getSelfSignedCertificate().certificatePath());
    }

    /**
     * From now on every request must carry {@code Authorization: Bearer <token>}; others get 401 Unauthorized
     * as from kube-apiserver. Null accepts any request again.
     */
    public void requireToken(String token) {
        dispatcher.requireToken(token);
    }

    /**
     * Drops every open watch connection, as an API server restart or a load balancer's idle timeout does;
     * clients reconnect from the last resourceVersion they saw (which {@link #compactHistory()} may have made
     * too old). Returns how many were dropped.
     */
    public int dropWatches() {
        return dispatcher.dropWatches();
    }

    /** A client configuration pointing at this server (namespace {@code default}, no retries). */
    public Config config() {
        return new ConfigBuilder(Config.empty()).withMasterUrl(url()).withNamespace("default")
                .withHttp2Disable(true).withRequestRetryBackoffLimit(0).withTrustCerts(true).build();
    }

    /** A new client, closed with the server. */
    public synchronized KubernetesClient client() {
        KubernetesClient c = new KubernetesClientBuilder().withConfig(config()).build();
        clients.add(c);
        return c;
    }

    /** A new client that authenticates with the bearer {@code token} (see {@link #bindRole}), closed with the server. */
    public synchronized KubernetesClient client(String token) {
        KubernetesClient c = new KubernetesClientBuilder().withConfig(new ConfigBuilder(config()).withOauthToken(token)
                .build()).build();
        clients.add(c);
        return c;
    }

    /**
     * Writes a kubeconfig for this server (context {@code test}, namespace {@code default}, token
     * {@code test-token}, and the CA with {@link #https()}).
     */
    public Path writeKubeconfig(Path dir) {
        String yaml = "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: " + url()
                + (https ? "\n    certificate-authority: " + caCertificate() : "")
                + "\nusers:\n- name: test\n  user:\n    token: test-token\ncontexts:\n- name: test\n  context:\n"
                + "    cluster: test\n    user: test\n    namespace: default\ncurrent-context: test\n";
        try {
            Path file = dir.resolve("kubeconfig");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates objects straight in the store (no HTTP round trip per object), with the same checks and
     * server-set fields as a POST: for seeding thousands of objects in benchmarks and snapshot tests.
     * Namespaced objects without a namespace go to {@code default}; their namespaces must exist.
     */
    public void preload(java.util.Collection<? extends io.fabric8.kubernetes.api.model.HasMetadata> objects) {
        ObjectMapper mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
        for (var o : objects) {
            dispatcher.createDirect(mapper.valueToTree(o));
        }
    }

    /** Creates a namespace if it does not exist yet. */
    public void createNamespace(String name) {
        ResourceType namespaces = store.type("", "v1", "namespaces");
        if (store.get(namespaces, null, name) == null) {
            ObjectNode ns = new ObjectMapper().createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
            ns.putObject("metadata").put("name", name).put("uid", java.util.UUID.randomUUID().toString())
                    .put("creationTimestamp", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                            .toString());
            ns.putObject("status").put("phase", "Active");
            store.put(namespaces, ns);
        }
    }

    /**
     * Denies {@code verb} on {@code resource} (plural, or {@code plural/subresource}) of {@code group} ("" for
     * core) in {@code namespace} (null or "*": everywhere); "*" matches any verb, group or resource.
     */
    public void deny(String verb, String group, String resource, String namespace) {
        rbac.deny(verb, group, resource, namespace);
    }

    /**
     * Requests with the bearer {@code token} may do exactly what {@code role} grants, in its namespace, and nothing
     * else (an allow-list, as a RoleBinding of that Role to the token's service account gives on a real cluster);
     * requests without it are not affected. The kubeconfig {@link #writeKubeconfig} writes carries
     * {@code test-token}.
     */
    public void bindRole(String token, io.fabric8.kubernetes.api.model.rbac.Role role) {
        List<Rbac.Grant> grants = role.getRules().stream().map(r -> new Rbac.Grant(
                r.getApiGroups() == null ? List.of() : r.getApiGroups(),
                r.getResources() == null ? List.of() : r.getResources(), r.getVerbs())).toList();
        rbac.bind(token, role.getMetadata().getNamespace(), grants);
    }

    /** Lifts every deny rule. */
    public void allowAll() {
        rbac.clear();
    }

    /** The user named in Forbidden messages (default {@code system:serviceaccount:ci:jenkins}). */
    public void user(String name) {
        rbac.user(name);
    }

    /**
     * The next update (PUT or PATCH) of this object loses a race: just before it is applied, a concurrent
     * writer changes the object (annotation {@code test.progressive.jenkins.io/concurrent-write}), so a
     * request carrying the resourceVersion read earlier gets 409 Conflict.
     */
    public void raceNextUpdate(String group, String plural, String namespace, String name) {
        dispatcher.raceNextUpdate(group, plural, namespace, name);
    }

    /** Drops the watch history, as etcd compaction does: a watch from an older resourceVersion gets 410 Gone. */
    public void compactHistory() {
        store.compact();
    }

    /**
     * Calls {@code listener} with each object as the server stores it (after a create, update, patch or delete), at
     * that moment and in order: for tests that need when something happened on the server, not when a watch of
     * theirs got to hear of it.
     */
    public void onChange(java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> listener) {
        store.onChange(listener);
    }

    /** The current global resourceVersion. */
    public long resourceVersion() {
        return store.currentResourceVersion();
    }
}
