package io.jenkins.plugins.progressive.bench;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.progressive.kubernetes.apiserver.KubernetesApiServer;
import io.jenkins.plugins.progressive.kubernetes.snapshot.ClusterObjects;
import io.jenkins.plugins.progressive.snapshot.CaptureOptions;
import io.jenkins.plugins.progressive.snapshot.DirectorySnapshotStore;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.RestorePlan;
import io.jenkins.plugins.progressive.snapshot.Selection;
import io.jenkins.plugins.progressive.snapshot.SnapshotKey;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Snapshot capture and restore against the project's test API server (kubernetes module's test jar):
 * N objects (40% ConfigMaps, 30% Secrets, 30% Deployments) across 10 namespaces are preloaded, then
 * <ul>
 *   <li>{@code kubectl get configmaps,secrets,deployments -A -o json} (Debian {@code kubernetes-client}) is
 *       timed against the same server, output to a file;</li>
 *   <li>{@link ClusterObjects} reading the same kinds, and a whole {@link Snapshots#capture} (hashing,
 *       sealing the Secrets, writing the store) into an empty store, then again into the same store;</li>
 *   <li>{@link Snapshots#restore} of that snapshot into a second, empty API server (objects/s).</li>
 * </ul>
 * Each timing is the median of R runs after one warm-up. Arguments: objects (10000), runs (3).
 */
public final class SnapshotBench {

    private static final List<String> KINDS = List.of("configmaps", "secrets", "deployments.apps");
    private static final int NAMESPACES = 10;

    private SnapshotBench() {
    }

    public static void main(String[] args) throws Exception {
        int objects = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path kubectl = Path.of("/usr/bin/kubectl");
        if (!Files.isExecutable(kubectl)) {
            System.err.println("kubectl is missing: install the Debian package kubernetes-client");
            System.exit(2);
        }
        Path work = Files.createTempDirectory("snapshot-bench-");
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        SnapshotKey key = SnapshotKey.of(raw);
        try (KubernetesApiServer source = new KubernetesApiServer().start()) {
            long t0 = System.nanoTime();
            seed(source, objects);
            System.out.printf(Locale.ROOT, "preloaded %,d objects in %d namespaces in %.1f s%n", objects, NAMESPACES,
                    (System.nanoTime() - t0) / 1e9);
            Path kubeconfig = source.writeKubeconfig(work);
            KubernetesClient client = source.client();
            SnapshotSpec spec = new SnapshotSpec(true, "file:" + work.resolve("store"), List.of(), KINDS,
                    Optional.empty(), List.of(), Optional.empty(), List.of(), List.of());
            Selection selection = Selection.of(spec);

            double[] kubectlTimes = new double[runs];
            double[] readTimes = new double[runs];
            double[] captureTimes = new double[runs];
            runKubectl(kubectl, kubeconfig, work); // warm-up: discovery cache, page cache
            long read = new ClusterObjects(client).objects(selection).count(); // warm-up: JIT
            Snapshots.capture(new ClusterObjects(client), spec, new DirectorySnapshotStore(work.resolve("warm")),
                    KeyProvider.of(key), CaptureOptions.forRollout("bench"));
            if (read != objects) {
                throw new IllegalStateException("read " + read + " objects, expected " + objects);
            }
            Manifest manifest = null;
            DirectorySnapshotStore store = null;
            for (int i = 0; i < runs; i++) {
                kubectlTimes[i] = runKubectl(kubectl, kubeconfig, work);
                long s = System.nanoTime();
                long n = new ClusterObjects(client).objects(selection).count();
                readTimes[i] = (System.nanoTime() - s) / 1e9;
                store = new DirectorySnapshotStore(work.resolve("store-" + i));
                s = System.nanoTime();
                manifest = Snapshots.capture(new ClusterObjects(client), spec, store, KeyProvider.of(key),
                        CaptureOptions.forRollout("bench"));
                captureTimes[i] = (System.nanoTime() - s) / 1e9;
                if (n != objects || manifest.objects().size() != objects) {
                    throw new IllegalStateException("captured " + manifest.objects().size() + " of " + objects);
                }
            }
            double[] unchangedTimes = new double[runs];
            long s;
            for (int i = 0; i < runs; i++) {
                s = System.nanoTime();
                Snapshots.capture(new ClusterObjects(client), spec, store, KeyProvider.of(key),
                        CaptureOptions.forRollout("bench"));
                unchangedTimes[i] = (System.nanoTime() - s) / 1e9;
            }
            double[] memoryTimes = new double[runs];
            for (int i = 0; i < runs; i++) {
                s = System.nanoTime();
                Snapshots.capture(new ClusterObjects(client), spec, new MemoryStore(), KeyProvider.of(key),
                        CaptureOptions.forRollout("bench"));
                memoryTimes[i] = (System.nanoTime() - s) / 1e9;
            }

            double kubectlMedian = median(kubectlTimes);
            double captureMedian = median(captureTimes);
            double readMedian = median(readTimes);
            System.out.printf(Locale.ROOT, "kubectl get %s -A -o json: median %.2f s %s%n", String.join(",", KINDS),
                    kubectlMedian, Arrays.toString(kubectlTimes));
            System.out.printf(Locale.ROOT, "ClusterObjects read:            median %.2f s %s  ratio %.2f%n",
                    readMedian, Arrays.toString(readTimes), readMedian / kubectlMedian);
            System.out.printf(Locale.ROOT, "Snapshots.capture (empty store): median %.2f s %s  ratio %.2f%n",
                    captureMedian, Arrays.toString(captureTimes), captureMedian / kubectlMedian);
            System.out.printf(Locale.ROOT, "Snapshots.capture (unchanged, same store): median %.2f s %s  ratio %.2f%n",
                    median(unchangedTimes), Arrays.toString(unchangedTimes), median(unchangedTimes) / kubectlMedian);
            System.out.printf(Locale.ROOT, "Snapshots.capture (into memory, no disk): median %.2f s %s  ratio %.2f%n",
                    median(memoryTimes), Arrays.toString(memoryTimes), median(memoryTimes) / kubectlMedian);

            double[] restoreTimes = new double[runs];
            for (int i = 0; i < runs; i++) {
                try (KubernetesApiServer standby = new KubernetesApiServer().start()) {
                    KubernetesClient target = standby.client();
                    long r = System.nanoTime();
                    RestorePlan plan = Snapshots.restore(store, manifest.id(), KeyProvider.of(key),
                            RestoreOptions.defaults(), new ClusterObjects(target));
                    restoreTimes[i] = (System.nanoTime() - r) / 1e9;
                    long created = plan.steps().stream().filter(st -> st.action() == RestorePlan.Action.CREATE).count();
                    if (created < objects) {
                        throw new IllegalStateException("restore created " + created + " of " + objects);
                    }
                }
            }
            double restoreMedian = median(restoreTimes);
            System.out.printf(Locale.ROOT, "Snapshots.restore into an empty server: median %.2f s %s  %.0f objects/s%n",
                    restoreMedian, Arrays.toString(restoreTimes), objects / restoreMedian);
        } finally {
            try (Stream<Path> walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void seed(KubernetesApiServer server, int objects) {
        KubernetesClient client = server.client();
        for (int n = 0; n < NAMESPACES; n++) {
            server.createNamespace("bench-" + n);
        }
        List<HasMetadata> batch = new ArrayList<>();
        for (int i = 0; i < objects; i++) {
            String ns = "bench-" + (i % NAMESPACES);
            String name = "app-" + i;
            int kind = i % 10;
            if (kind < 4) {
                batch.add(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns)
                        .addToLabels("app", name).endMetadata().addToData("application.properties",
                                "server.port=8080\nfeature.flags=a,b,c\nitem=" + i + "\n")
                        .addToData("log-level", "info").build());
            } else if (kind < 7) {
                batch.add(new SecretBuilder().withNewMetadata().withName(name).withNamespace(ns)
                        .addToLabels("app", name).endMetadata().addToData("password",
                                java.util.Base64.getEncoder().encodeToString(("password-" + i).getBytes()))
                        .addToData("username", "YWRtaW4=").build());
            } else {
                batch.add(new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns)
                        .addToLabels("app", name).endMetadata().withNewSpec().withReplicas(2).withNewSelector()
                        .addToMatchLabels("app", name).endSelector().withNewTemplate().withNewMetadata()
                        .addToLabels("app", name).endMetadata().withNewSpec().addNewContainer().withName("app")
                        .withImage("registry.example.com/app:1." + i).addNewPort().withContainerPort(8080).endPort()
                        .addNewEnv().withName("MODE").withValue("production").endEnv().endContainer().endSpec()
                        .endTemplate().endSpec().build());
            }
        }
        server.preload(batch);
        if (client.configMaps().inAnyNamespace().list().getItems().isEmpty()) {
            throw new IllegalStateException("preload failed");
        }
    }

    private static double runKubectl(Path kubectl, Path kubeconfig, Path work) throws Exception {
        Path out = work.resolve("kubectl.json");
        List<String> cmd = List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString(), "--cache-dir",
                work.resolve("kubectl-cache").toString(), "get", String.join(",", KINDS), "-A", "-o", "json");
        long s = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(work.resolve("kubectl.err")
                .toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("kubectl failed: " + Files.readString(work.resolve("kubectl.err")));
        }
        return (System.nanoTime() - s) / 1e9;
    }

    /** A store in memory: separates the capture pipeline's cost from the file system's. */
    static final class MemoryStore implements io.jenkins.plugins.progressive.snapshot.SnapshotStore {
        private final java.util.Map<String, byte[]> blobs = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.Map<String, byte[]> manifests = new java.util.concurrent.ConcurrentSkipListMap<>();

        @Override
        public boolean putBlob(String address, byte[] bytes) {
            return blobs.putIfAbsent(address, bytes) == null;
        }

        @Override
        public boolean hasBlob(String address) {
            return blobs.containsKey(address);
        }

        @Override
        public Optional<byte[]> getBlob(String address) {
            return Optional.ofNullable(blobs.get(address));
        }

        @Override
        public java.util.Set<String> blobAddresses() {
            return new java.util.TreeSet<>(blobs.keySet());
        }

        @Override
        public void deleteBlob(String address) {
            blobs.remove(address);
        }

        @Override
        public void putManifest(String id, byte[] json) {
            manifests.put(id, json);
        }

        @Override
        public Optional<byte[]> getManifest(String id) {
            return Optional.ofNullable(manifests.get(id));
        }

        @Override
        public List<String> manifestIds() {
            return List.copyOf(manifests.keySet());
        }

        @Override
        public void deleteManifest(String id) {
            manifests.remove(id);
        }

        @Override
        public String describe() {
            return "memory";
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
