package io.jenkins.plugins.progressive.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Snapshots of what a release touches (Velero's model, platform-neutral): capture whole objects into a
 * content-addressed store, verify, plan and restore them in dependency order, compare two snapshots,
 * prune old ones. Platforms plug in through {@link ObjectSource}, {@link ObjectSink} and {@link PodExec}.
 */
public final class Snapshots {

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Snapshots() {
    }

    // ---- capture ----------------------------------------------------------------------------------

    /**
     * Runs the pre hooks, then stores every selected object (Secrets and objects the source marks
     * sensitive sealed with the key) and finally the manifest, which is what makes the snapshot exist.
     *
     * @throws SnapshotException when a Secret is selected and no key is configured (unless
     *                           {@link CaptureOptions#excludeSecrets()}), or a hook fails
     */
    public static Manifest capture(ObjectSource source, SnapshotSpec spec, SnapshotStore store, KeyProvider keys,
            CaptureOptions options) {
        Selection selection = Selection.of(spec);
        Optional<SnapshotKey> key = keys.key();
        if (spec.excludeSecrets() && !options.excludeSecrets()) {
            options = options.withExcludeSecrets(true);
        }
        Supplier<Set<String>> secrets = () -> secretValues(source, selection);
        Map<String, byte[]> hookFiles = new LinkedHashMap<>();
        Hooks.runCapture(PodExec.Phase.PRE, spec.preHooks(), options.hookTimeout(), options.podExec(), secrets,
                hookFiles);
        List<Manifest.Entry> entries;
        List<Manifest.HookFile> files;
        try (SnapshotStore.BlobBatch blobs = store.blobBatch();
                ObjectStorer storer = new ObjectStorer(source, blobs, key, options)) {
            try {
                readObjects(source, selection, storer);
                entries = storer.finish();
            } catch (RuntimeException e) {
                // post hooks undo what pre hooks did (a frozen database), whether or not the objects were read
                try {
                    Hooks.runCapture(PodExec.Phase.POST, spec.postHooks(), options.hookTimeout(), options.podExec(),
                            secrets, new LinkedHashMap<>());
                } catch (RuntimeException post) {
                    e.addSuppressed(post);
                }
                throw e;
            }
            Hooks.runCapture(PodExec.Phase.POST, spec.postHooks(), options.hookTimeout(), options.podExec(), secrets,
                    hookFiles);
            files = storeHookFiles(hookFiles, blobs, key);
            blobs.commit();
        }
        Instant now = options.clock().instant();
        byte[] random = new byte[3];
        RANDOM.nextBytes(random);
        String id = ID_TIME.format(now) + "-" + HexFormat.of().formatHex(random);
        Manifest manifest = Manifest.sealed(id, options.name(), now, options.createdBy(), source.describe(),
                toolVersion(), selection, options.excludeSecrets(), entries, files);
        store.putManifest(id, manifest.toBytes());
        return manifest;
    }

    private static void readObjects(ObjectSource source, Selection selection, ObjectStorer storer) {
        Set<String> customKinds = new TreeSet<>();
        try (Stream<ObjectNode> objects = source.objects(selection)) {
            for (Iterator<ObjectNode> it = objects.iterator(); it.hasNext(); ) {
                ObjectNode object = it.next();
                if (selection.matches(object)) {
                    ObjectKey k = storer.add(object);
                    if (k != null && RestoreOrder.rank(k) == RestoreOrder.CUSTOM) {
                        customKinds.add(k.kind() + "." + k.group());
                    }
                }
            }
        }
        // Like Velero: the definitions of captured custom resources come along, or a restore into an
        // empty cluster could not create them.
        if (!customKinds.isEmpty()) {
            try (Stream<ObjectNode> crds = source.objects(CRDS)) {
                for (Iterator<ObjectNode> it = crds.iterator(); it.hasNext(); ) {
                    ObjectNode crd = it.next();
                    JsonNode crdSpec = crd.path("spec");
                    if (CRDS.matches(crd) && customKinds.contains(crdSpec.path("names").path("kind").asText() + "."
                            + crdSpec.path("group").asText()) && !storer.seen(ObjectKey.of(crd))) {
                        storer.add(crd);
                    }
                }
            }
        }
    }

    private static List<Manifest.HookFile> storeHookFiles(Map<String, byte[]> hookFiles, SnapshotStore.BlobBatch blobs,
            Optional<SnapshotKey> key) {
        List<Manifest.HookFile> files = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : hookFiles.entrySet()) {
            String sha = Canonical.sha256(f.getValue());
            // Database dumps are as sensitive as Secrets: sealed whenever a key is configured.
            if (key.isPresent()) {
                String aad = SnapshotContents.hookAad(f.getKey());
                String address = Sealing.address(key.get(), aad, f.getValue());
                keepSealed(blobs, address, key.get(), aad, f.getValue());
                files.add(new Manifest.HookFile(f.getKey(), sha, address, true, Optional.of(key.get().id())));
            } else {
                keepPlain(blobs, sha, f.getValue());
                files.add(new Manifest.HookFile(f.getKey(), sha, sha, false, Optional.empty()));
            }
        }
        return files;
    }

    /**
     * The values of the selected Secrets (and sensitive objects' {@code data}) as stored and decoded: what a
     * failing hook's message must not show. Read only when a hook fails; unreadable means none known.
     */
    private static Set<String> secretValues(ObjectSource source, Selection selection) {
        Set<String> values = new HashSet<>();
        try (Stream<ObjectNode> objects = source.objects(selection)) {
            objects.filter(o -> isSecret(ObjectKey.of(o)) || source.sensitive(o)).forEach(o -> addSecretValues(o, values));
        } catch (RuntimeException e) {
            // the hook's failure is what matters; without the Secrets only the cap protects the message
        }
        return values;
    }

    static void addSecretValues(JsonNode object, Set<String> into) {
        for (String field : List.of("data", "stringData")) {
            for (Iterator<JsonNode> it = object.path(field).elements(); it.hasNext(); ) {
                JsonNode v = it.next();
                if (!v.isTextual()) {
                    continue;
                }
                into.add(v.asText());
                if (field.equals("data")) {
                    try {
                        into.add(new String(java.util.Base64.getDecoder().decode(v.asText()),
                                java.nio.charset.StandardCharsets.UTF_8).strip());
                    } catch (IllegalArgumentException notBase64) {
                        // kept as stored
                    }
                }
            }
        }
    }

    private static final Selection CRDS = new Selection(List.of(),
            List.of("customresourcedefinitions.apiextensions.k8s.io"), Optional.empty(), List.of());

    /**
     * Stores objects: canonical JSON, sha256, sealing and the check of a stored copy run on worker threads
     * (they are most of a capture's CPU time), in windows so memory stays bounded; entries keep the
     * source's order.
     */
    private static final class ObjectStorer implements AutoCloseable {
        private static final int WINDOW = 512;

        private final ObjectSource source;
        private final SnapshotStore.BlobBatch blobs;
        private final Optional<SnapshotKey> key;
        private final CaptureOptions options;
        private final Set<ObjectKey> seen = new HashSet<>();
        private final List<Manifest.Entry> entries = new ArrayList<>();
        private final List<Future<Manifest.Entry>> pending = new ArrayList<>();
        private final ExecutorService pool = Executors.newFixedThreadPool(
                Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
                    Thread t = new Thread(r, "snapshot-capture");
                    t.setDaemon(true);
                    return t;
                });

        ObjectStorer(ObjectSource source, SnapshotStore.BlobBatch blobs, Optional<SnapshotKey> key,
                CaptureOptions options) {
            this.source = source;
            this.blobs = blobs;
            this.key = key;
            this.options = options;
        }

        /** Queues one object; returns its key, or null when it is left out (an excluded Secret). */
        ObjectKey add(ObjectNode object) {
            ObjectKey k = ObjectKey.of(object);
            boolean sensitive = isSecret(k) || source.sensitive(object);
            if (sensitive && options.excludeSecrets()) {
                return null;
            }
            if (!seen.add(k)) {
                throw new SnapshotException(source.describe() + " returned " + k + " twice");
            }
            if (sensitive && key.isEmpty()) {
                throw new SnapshotException("snapshot.encryptionKey: " + k + " is " + (isSecret(k) ? "a Secret" : "sensitive")
                        + " and no encryption key is configured; refusing to store it in clear. Set"
                        + " snapshot.encryptionKey ({env: VAR} or {file: path}, 32 bytes in base64), or leave Secrets"
                        + " out: snapshot.excludeSecrets: true in the spec, --exclude-secrets on the command line");
            }
            pending.add(pool.submit(() -> store(k, object, sensitive)));
            if (pending.size() >= WINDOW) {
                drain();
            }
            return k;
        }

        boolean seen(ObjectKey k) {
            return seen.contains(k);
        }

        List<Manifest.Entry> finish() {
            drain();
            return entries;
        }

        private Manifest.Entry store(ObjectKey k, ObjectNode object, boolean sensitive) {
            byte[] plain = Canonical.bytes(object);
            String sha = Canonical.sha256(plain);
            if (sensitive) {
                SnapshotKey sk = key.orElseThrow();
                String address = Sealing.address(sk, k.id(), plain);
                keepSealed(blobs, address, sk, k.id(), plain);
                return new Manifest.Entry(k, sha, address, true, Optional.of(sk.id()));
            }
            keepPlain(blobs, sha, plain);
            return new Manifest.Entry(k, sha, sha, false, Optional.empty());
        }

        private void drain() {
            try {
                for (Future<Manifest.Entry> f : pending) {
                    entries.add(f.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SnapshotException("capture interrupted");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new SnapshotException("capture failed: " + e.getCause(), e.getCause());
            }
            pending.clear();
        }

        /** Waits for the workers (nothing may write into the batch after it is closed). */
        @Override
        public void close() {
            pending.forEach(f -> f.cancel(false));
            pool.shutdown();
            try {
                if (!pool.awaitTermination(5, TimeUnit.MINUTES)) {
                    throw new SnapshotException("capture: workers did not stop within 5 minutes");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /*
     * A blob already stored is reused only when it is read back intact; a damaged copy (a flipped bit on
     * disk) would otherwise become part of every later snapshot. So it is written again, and the new copy
     * is the one read from then on. Reading back costs a positional read per unchanged object.
     */

    private static void keepPlain(SnapshotStore.BlobBatch blobs, String sha, byte[] plain) {
        Optional<byte[]> stored = blobs.stored(sha);
        if (stored.isEmpty() || !Arrays.equals(stored.get(), plain)) {
            blobs.put(sha, plain);
        }
    }

    private static void keepSealed(SnapshotStore.BlobBatch blobs, String address, SnapshotKey key, String aad,
            byte[] plain) {
        Optional<byte[]> stored = blobs.stored(address);
        if (stored.isEmpty() || !opensTo(key, aad, stored.get(), plain)) {
            blobs.put(address, Sealing.seal(key, aad, plain));
        }
    }

    private static boolean opensTo(SnapshotKey key, String aad, byte[] sealed, byte[] plain) {
        try {
            return Arrays.equals(Sealing.open(key, aad, sealed), plain);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static boolean isSecret(ObjectKey k) {
        return k.group().isEmpty() && k.kind().equals("Secret");
    }

    static String toolVersion() {
        String v = Snapshots.class.getPackage().getImplementationVersion();
        return "progressive " + (v == null ? "dev" : v);
    }

    /**
     * Capturing unchanged state again gives the same id (what a rollout's snapshot promises): when the
     * last snapshot of the same name holds exactly the same objects from the same source and selection,
     * and neither has hook files, the new manifest is dropped for it.
     *
     * @return the id to use: the earlier snapshot's, or {@code created}'s
     */
    public static String reuseIfUnchanged(SnapshotStore store, Manifest created) {
        if (!created.hooks().isEmpty()) {
            return created.id();
        }
        List<String> ids = new ArrayList<>(store.manifestIds());
        for (int i = ids.size() - 1; i >= 0; i--) {
            String id = ids.get(i);
            if (id.equals(created.id())) {
                continue;
            }
            Manifest m;
            try {
                m = show(store, id);
            } catch (SnapshotException | IllegalArgumentException e) {
                continue;
            }
            if (!m.name().equals(created.name())) {
                continue;
            }
            if (m.hooks().isEmpty() && m.objects().equals(created.objects()) && m.source().equals(created.source())
                    && m.selection().equals(created.selection())) {
                store.deleteManifest(created.id());
                return m.id();
            }
            return created.id();
        }
        return created.id();
    }

    // ---- reading ----------------------------------------------------------------------------------

    /** Manifests in the store, oldest first; each checked against its own sha256. */
    public static List<Manifest> list(SnapshotStore store) {
        List<Manifest> out = new ArrayList<>();
        for (String id : store.manifestIds()) {
            store.getManifest(id).ifPresent(b -> out.add(Manifest.parse(id, b)));
        }
        return out;
    }

    /** One manifest, refused when it does not match its sha256. */
    public static Manifest show(SnapshotStore store, String id) {
        return SnapshotContents.readManifest(store, id);
    }

    /** Reads a whole snapshot and verifies every blob; nothing is returned unless all of it is intact. */
    public static SnapshotContents load(SnapshotStore store, String id, KeyProvider keys) {
        return SnapshotContents.load(store, id, keys);
    }

    /** Objects added, removed and changed from {@code fromId} to {@code toId}; Secret values are never shown. */
    public static SnapshotDiff diff(SnapshotStore store, String fromId, String toId, KeyProvider keys) {
        SnapshotContents a = SnapshotContents.load(store, SnapshotContents.readManifest(store, fromId), keys, false);
        SnapshotContents b = SnapshotContents.load(store, SnapshotContents.readManifest(store, toId), keys, false);
        return SnapshotDiff.between(a, b);
    }

    // ---- restore ----------------------------------------------------------------------------------

    /**
     * The ordered restore: server-set fields stripped, namespaces mapped, missing namespaces added, and an
     * action per object from what already exists in the sink.
     */
    public static RestorePlan plan(SnapshotContents contents, RestoreOptions options, ObjectSink sink) {
        Map<ObjectKey, ObjectNode> targets = new HashMap<>();
        Set<String> namespacesNeeded = new TreeSet<>();
        for (SnapshotContents.Item item : contents.items()) {
            if (!options.objects().test(item.key())) {
                continue;
            }
            ObjectNode object = ServerFields.strip(item.object().orElseThrow(() -> new SnapshotException(
                    "snapshot " + contents.manifest().id() + ": " + item.key() + " is encrypted and no key was supplied")));
            ObjectNode metadata = (ObjectNode) object.get("metadata");
            if (item.key().namespaced()) {
                String ns = options.mapNamespace(item.key().namespace());
                metadata.put("namespace", ns);
                namespacesNeeded.add(ns);
            } else if (item.key().group().isEmpty() && item.key().kind().equals("Namespace")) {
                String ns = options.mapNamespace(item.key().name());
                metadata.put("name", ns);
                if (metadata.path("labels").has("kubernetes.io/metadata.name")) {
                    ((ObjectNode) metadata.get("labels")).put("kubernetes.io/metadata.name", ns);
                }
            }
            ObjectKey target = ObjectKey.of(object);
            if (targets.put(target, object) != null) {
                throw new SnapshotException("restore: two objects of snapshot " + contents.manifest().id()
                        + " would be restored as " + target + "; check the namespace mapping " + options.namespaceMap());
            }
        }
        Set<ObjectKey> added = new LinkedHashSet<>();
        for (String ns : namespacesNeeded) {
            ObjectKey nsKey = new ObjectKey("", "v1", "Namespace", "", ns);
            if (!targets.containsKey(nsKey)) {
                ObjectNode namespace = Canonical.JSON.createObjectNode();
                namespace.put("apiVersion", "v1");
                namespace.put("kind", "Namespace");
                namespace.putObject("metadata").put("name", ns);
                targets.put(nsKey, namespace);
                added.add(nsKey);
            }
        }
        List<ObjectKey> order = new ArrayList<>(targets.keySet());
        order.sort(RestoreOrder.ORDER);
        List<RestorePlan.Step> steps = new ArrayList<>();
        for (ObjectKey k : order) {
            RestorePlan.Action action;
            if (!sink.exists(k)) {
                action = RestorePlan.Action.CREATE;
            } else if (added.contains(k)) {
                action = RestorePlan.Action.SKIP;
            } else {
                action = switch (options.existing()) {
                    case SKIP -> RestorePlan.Action.SKIP;
                    case UPDATE -> RestorePlan.Action.UPDATE;
                    // Deleting a Namespace or a CRD deletes everything in it: those are updated in place.
                    case REPLACE -> containers(k) ? RestorePlan.Action.UPDATE : RestorePlan.Action.REPLACE;
                };
            }
            steps.add(new RestorePlan.Step(k, action, targets.get(k), added.contains(k)));
        }
        return new RestorePlan(contents.manifest().id(), steps);
    }

    private static boolean containers(ObjectKey k) {
        return (k.group().isEmpty() && k.kind().equals("Namespace"))
                || (k.group().equals("apiextensions.k8s.io") && k.kind().equals("CustomResourceDefinition"));
    }

    /**
     * Verifies the whole snapshot (refusing it, with nothing applied, if any checksum fails), plans, and
     * unless {@link RestoreOptions#dryRun()} applies the plan in order and then runs the restore hooks.
     */
    public static RestorePlan restore(SnapshotStore store, String id, KeyProvider keys, RestoreOptions options,
            ObjectSink sink) {
        SnapshotContents contents = load(store, id, keys);
        RestorePlan plan = plan(contents, options, sink);
        if (options.dryRun()) {
            return plan;
        }
        int done = 0;
        for (RestorePlan.Step s : plan.steps()) {
            try {
                switch (s.action()) {
                    case CREATE -> sink.create(s.object().deepCopy());
                    case UPDATE -> sink.update(s.object().deepCopy());
                    case REPLACE -> {
                        sink.delete(s.key());
                        sink.create(s.object().deepCopy());
                    }
                    case SKIP -> {
                    }
                }
            } catch (RuntimeException e) {
                throw new SnapshotException("restore of snapshot " + id + " stopped at " + s.key() + " (" + done + " of "
                        + plan.steps().size() + " objects done): " + e.getMessage(), e);
            }
            done++;
        }
        Hooks.runRestore(options.hooks(), contents.hookFiles(), options.hookTimeout(), options.podExec(), () -> {
            Set<String> values = new HashSet<>();
            contents.items().forEach(i -> i.object().filter(o -> i.entry().encrypted()).ifPresent(o -> addSecretValues(o, values)));
            return values;
        });
        return plan;
    }

    // ---- prune ------------------------------------------------------------------------------------

    /**
     * Deletes old snapshots, then every blob no remaining snapshot references. Per rollout name, a snapshot
     * is kept when it is among the last {@code keepLast} or younger than {@code maxAge} (either may be
     * absent, not both). Do not prune while a capture into the same store is running.
     */
    public static PruneResult prune(SnapshotStore store, Optional<Integer> keepLast, Optional<Duration> maxAge,
            Instant now) {
        if (keepLast.isEmpty() && maxAge.isEmpty()) {
            throw new IllegalArgumentException("prune: give --keep-last N or --max-age DURATION (for example 30d)");
        }
        if (keepLast.isPresent() && keepLast.get() < 0) {
            throw new IllegalArgumentException("prune: --keep-last must be 0 or more, got " + keepLast.get());
        }
        if (maxAge.isPresent() && maxAge.get().isNegative()) {
            throw new IllegalArgumentException("prune: --max-age must not be negative, got " + maxAge.get());
        }
        Map<String, List<Manifest>> byName = new HashMap<>();
        boolean unreadable = false;
        List<Manifest> kept = new ArrayList<>();
        for (String id : store.manifestIds()) {
            try {
                store.getManifest(id).map(b -> Manifest.parse(id, b))
                        .ifPresent(m -> byName.computeIfAbsent(m.name(), n -> new ArrayList<>()).add(m));
            } catch (SnapshotIntegrityException e) {
                unreadable = true; // kept, and its blobs cannot be told apart: no blob is deleted this time
            }
        }
        List<String> deleted = new ArrayList<>();
        for (List<Manifest> group : byName.values()) {
            group.sort(Comparator.comparing(Manifest::createdAt).thenComparing(Manifest::id).reversed());
            for (int i = 0; i < group.size(); i++) {
                Manifest m = group.get(i);
                boolean inLast = keepLast.isPresent() && i < keepLast.get();
                boolean young = maxAge.isPresent() && !m.createdAt().isBefore(now.minus(maxAge.get()));
                if (inLast || young) {
                    kept.add(m);
                } else {
                    store.deleteManifest(m.id());
                    deleted.add(m.id());
                }
            }
        }
        int blobs = 0;
        if (!unreadable) {
            Set<String> referenced = new HashSet<>();
            for (Manifest m : kept) {
                m.objects().forEach(e -> referenced.add(e.blob()));
                m.hooks().forEach(h -> referenced.add(h.blob()));
            }
            blobs = store.retainBlobs(referenced);
        }
        deleted.sort(null);
        return new PruneResult(deleted, blobs, kept.size());
    }

    /** Parses {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 30d}. */
    public static Duration parseAge(String text, String field) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(field + ": '" + text + "' is not a duration; use e.g. 500ms, 30s, 2m, 1h, 30d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
