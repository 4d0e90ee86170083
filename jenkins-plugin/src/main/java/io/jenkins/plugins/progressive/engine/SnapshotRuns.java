package io.jenkins.plugins.progressive.engine;

import hudson.AbortException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;
import io.jenkins.plugins.progressive.kubernetes.snapshot.ClusterObjects;
import io.jenkins.plugins.progressive.kubernetes.snapshot.PodExecHook;
import io.jenkins.plugins.progressive.snapshot.CaptureOptions;
import io.jenkins.plugins.progressive.snapshot.KeyProvider;
import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.RestoreOptions;
import io.jenkins.plugins.progressive.snapshot.RestorePlan;
import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotIntegrityException;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code snapshotState} and {@code restoreState} on Kubernetes targets: the whole capture or restore runs on a small
 * pool of its own, and each {@link #advance} only looks whether it is over, so a capture of thousands of objects
 * holds neither the CPS thread nor the steps' pool. Like a gate, a capture or restore lives in memory: a controller
 * restart ends it with an error, and running the step again is safe (a capture adds a snapshot; a restore with
 * {@code skip} leaves what was restored).
 */
final class SnapshotRuns {

    private static final Logger LOGGER = Logger.getLogger(SnapshotRuns.class.getName());
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final Duration POLL = Duration.ofMillis(250);

    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final ExecutorService pool;
    private final Supplier<ControllerAccess> access;

    SnapshotRuns(Supplier<ControllerAccess> access) {
        this.access = access;
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor threads = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "progressive-snapshot-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        threads.allowCoreThreadTimeOut(true);
        this.pool = threads;
    }

    boolean has(String key) {
        return key.startsWith("snapshot:") || key.startsWith("restore:");
    }

    /** Checks what can be checked without the cluster; nothing runs before the first {@link #advance}. */
    String start(RolloutDriver.Request request) throws AbortException {
        boolean restore = request.operation() == RolloutDriver.Operation.RESTORE;
        String function = restore ? "restoreState" : "snapshotState";
        RolloutDriver.Work.Snapshot work = (RolloutDriver.Work.Snapshot) request.work();
        if (!(work.subject().target() instanceof Target.Kubernetes)) {
            throw new AbortException(function + ": target: the plugin snapshots Kubernetes targets (namespace,"
                    + " deployment…); for a local or endpoints target use the CLI's `progressive snapshot`");
        }
        SnapshotSetup.check(function, work.subject().snapshot(), request.options());
        RestoreOptions options = restore ? restoreOptions(function, request.options()) : null;
        String key = (restore ? "restore:" : "snapshot:") + work.lockKey() + ":" + SEQUENCE.incrementAndGet();
        jobs.put(key, new Job(request, options));
        return key;
    }

    RolloutDriver.Tick advance(String key, RolloutDriver.CredentialLookup credentials) throws AbortException {
        Job job = jobs.get(key);
        if (job == null) {
            throw new AbortException(key.substring(0, key.indexOf(':')) + " " + key.substring(key.indexOf(':') + 1)
                    + " was interrupted by a controller restart; run the step again");
        }
        synchronized (job) {
            if (job.running == null) {
                if (job.aborted != null) {
                    jobs.remove(key);
                    return new RolloutDriver.Tick.Done(failed("ABORTED", "", job.aborted, Map.of()));
                }
                RolloutDriver.CredentialLookup lookup = credentials != null ? credentials : job.request.credentials();
                job.running = CompletableFuture.supplyAsync(() -> job.run(lookup, access.get()), pool);
            }
            if (!job.running.isDone()) {
                return new RolloutDriver.Tick.Wait(POLL, job.options == null ? "capturing" : "restoring");
            }
            jobs.remove(key);
            return new RolloutDriver.Tick.Done(job.running.join());
        }
    }

    /** An abort before the work started ends it; once started, a capture or restore finishes (it is not undone). */
    boolean abort(String key, String reason) {
        Job job = jobs.get(key);
        if (job == null) {
            return false;
        }
        synchronized (job) {
            job.aborted = reason;
        }
        return true;
    }

    private static RestoreOptions restoreOptions(String function, Map<String, String> options) throws AbortException {
        String id = options.getOrDefault("snapshotId", "");
        List<String> problems = new ArrayList<>();
        if (id.isEmpty()) {
            problems.add("snapshotId: is required");
        } else {
            try {
                SnapshotStore.requireManifestId(id);
            } catch (IllegalArgumentException e) {
                problems.add("snapshotId: '" + id + "' is not a snapshot id (letters, digits, '.', '_', '-')");
            }
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : options.getOrDefault("mapNamespace", "").split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            try {
                Map.Entry<String, String> e = RestoreOptions.parseMapping(pair.strip());
                if (map.put(e.getKey(), e.getValue()) != null) {
                    problems.add("mapNamespace: namespace " + e.getKey() + " is mapped twice");
                }
            } catch (IllegalArgumentException e) {
                problems.add("mapNamespace: '" + pair.strip() + "' is not FROM=TO (for example prod=standby)");
            }
        }
        RestoreOptions.Existing existing = RestoreOptions.Existing.SKIP;
        try {
            existing = RestoreOptions.Existing.parse(options.getOrDefault("existing", "skip"), "existing");
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        RestoreOptions restore = null;
        try {
            restore = RestoreOptions.defaults().withNamespaceMap(map).withExisting(existing)
                    .withDryRun(Boolean.parseBoolean(options.getOrDefault("dryRun", "false")));
        } catch (IllegalArgumentException e) {
            problems.add("mapNamespace: " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new AbortException(function + ": " + (problems.size() == 1 ? "1 problem" : problems.size()
                    + " problems") + ", nothing was changed:\n  - " + String.join("\n  - ", problems));
        }
        return restore;
    }

    private static RolloutDriver.Outcome failed(String status, String snapshotId, String reason,
            Map<String, Object> details) {
        return new RolloutDriver.Outcome(status, "", snapshotId, List.of(), false, reason, details);
    }

    /** One capture or restore; {@code options} is null for a capture. */
    private static final class Job {
        final RolloutDriver.Request request;
        final RestoreOptions options;
        CompletableFuture<RolloutDriver.Outcome> running;
        String aborted;

        Job(RolloutDriver.Request request, RestoreOptions options) {
            this.request = request;
            this.options = options;
        }

        RolloutDriver.Outcome run(RolloutDriver.CredentialLookup credentials, ControllerAccess access) {
            RolloutDriver.Work.Snapshot work = (RolloutDriver.Work.Snapshot) request.work();
            SnapshotSpec spec = work.subject().snapshot();
            Target.Kubernetes target = (Target.Kubernetes) work.subject().target();
            KeyProvider keys = SnapshotSetup.keys(request.options(), spec, () -> credentials);
            try (KubernetesClient client = ClusterClients.connect(request.cluster(), credentials, access)) {
                SnapshotStore store = SnapshotSetup.open(spec.store(), request.options());
                return options == null ? capture(client, work, target, spec, store, keys)
                        : restore(client, target, spec, store, keys);
            } catch (SnapshotIntegrityException e) {
                return failed("FAILED", options == null ? "" : request.options().get("snapshotId"),
                        e.getMessage() + "; nothing was changed", Map.of());
            } catch (SnapshotException e) {
                // a restore that wrote objects before it stopped says so (and how many) in its message
                boolean partly = options != null && !options.dryRun() && e.getCause() != null;
                return failed(partly ? "FAILED_NEEDS_PERSON" : "FAILED",
                        options == null ? "" : request.options().get("snapshotId"), e.getMessage(), Map.of());
            } catch (IllegalArgumentException | ClusterException | KubernetesClientException
                    | java.io.UncheckedIOException e) {
                return failed("FAILED", "", e.getMessage(), Map.of());
            } catch (RuntimeException e) {
                // the step must end with a message, not wait for a result that never comes
                LOGGER.log(Level.WARNING, "snapshot work of " + work.name() + " failed", e);
                return failed("FAILED", "", e.getClass().getSimpleName() + ": " + e.getMessage(), Map.of());
            }
        }

        private RolloutDriver.Outcome capture(KubernetesClient client, RolloutDriver.Work.Snapshot work,
                Target.Kubernetes target, SnapshotSpec spec, SnapshotStore store, KeyProvider keys) {
            // like the CLI: without include.namespaces the target's namespace is taken
            SnapshotSpec selection = spec.withSelection(spec.store(), spec.includeNamespaces().isEmpty()
                    ? List.of(target.namespace()) : spec.includeNamespaces(), spec.includeKinds(), spec.labelSelector(),
                    spec.excludeKinds());
            Manifest m = Snapshots.capture(new ClusterObjects(client), selection, store, keys,
                    CaptureOptions.forRollout(work.name()).withCreatedBy("Jenkins snapshotState")
                            .withHooks(RestoreOptions.DEFAULT_HOOK_TIMEOUT,
                                    Optional.of(new PodExecHook(client, target.namespace()))));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("objects", m.objects().size());
            details.put("counts", new LinkedHashMap<>(m.counts()));
            details.put("hookFiles", m.hooks().size());
            details.put("store", store.describe());
            return new RolloutDriver.Outcome("SUCCEEDED", "", m.id(), List.of(), true, "", details);
        }

        private RolloutDriver.Outcome restore(KubernetesClient client, Target.Kubernetes target, SnapshotSpec spec,
                SnapshotStore store, KeyProvider keys) {
            String id = request.options().get("snapshotId");
            String namespace = options.namespaceMap().getOrDefault(target.namespace(), target.namespace());
            RestorePlan plan = Snapshots.restore(store, id, keys, options.withHooks(spec.restoreHooks(),
                    RestoreOptions.DEFAULT_HOOK_TIMEOUT, Optional.of(new PodExecHook(client, namespace))),
                    new ClusterObjects(client));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("dryRun", options.dryRun());
            details.put("objects", plan.steps().size());
            Map<String, Object> counts = new LinkedHashMap<>();
            plan.counts().forEach((a, n) -> counts.put(a.name().toLowerCase(Locale.ROOT), n));
            details.put("counts", counts);
            List<Map<String, Object>> steps = new ArrayList<>();
            for (RestorePlan.Step s : plan.steps()) {
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("action", s.action().name().toLowerCase(Locale.ROOT));
                step.put("object", s.key().toString());
                step.put("addedNamespace", s.added());
                steps.add(step);
            }
            details.put("plan", steps);
            details.put("store", store.describe());
            return new RolloutDriver.Outcome("SUCCEEDED", "", id, List.of(), true, "", details);
        }
    }
}
