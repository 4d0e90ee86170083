package io.jenkins.plugins.progressive.steps;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for the engine: a rollout of {@code steps} quick steps, then (when {@code manualPause}) a pause that only
 * promote or abort ends. Its state is keyed like the engine's store, so a "restarted" execution that comes back with
 * its key finds its rollout where it was.
 */
class FakeDriver implements RolloutDriver {

    final List<Request> started = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<String, String> aborts = new ConcurrentHashMap<>();
    final Map<String, Boolean> promotions = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> position = new ConcurrentHashMap<>();
    private final int steps;
    private final boolean manualPause;
    private final Outcome success;
    volatile CountDownLatch startGate = new CountDownLatch(0);
    volatile String ownerJob = "shop-deploy";

    FakeDriver(int steps, boolean manualPause, Outcome success) {
        this.steps = steps;
        this.manualPause = manualPause;
        this.success = success;
    }

    static Outcome succeeded() {
        return new Outcome("Succeeded", "Successful", "snap-1",
                List.of(Map.of("template", "error-rate", "verdict", "Successful", "value", "0.002")), true, "");
    }

    @Override
    public Started start(Request request) throws IOException {
        try {
            startGate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        started.add(request);
        String key = request.lockKey();
        position.putIfAbsent(key, new AtomicInteger());
        calls.add("start " + key);
        return new Started(key);
    }

    @Override
    public Tick advance(String key, CredentialLookup credentials) throws IOException {
        calls.add("advance " + key);
        if (aborts.containsKey(key)) {
            return new Tick.Done(new Outcome("RolledBack", "", "snap-1", List.of(), false, aborts.get(key)));
        }
        int at = position.get(key).get();
        if (at < steps) {
            position.get(key).incrementAndGet();
            return new Tick.Wait(Duration.ofMillis(5), "step " + (at + 1) + " of " + steps);
        }
        if (manualPause && !promotions.containsKey(key)) {
            return new Tick.Wait(Duration.ofMillis(20), "paused: waiting for promoteRollout");
        }
        return new Tick.Done(success);
    }

    /** Rollouts by name; every rollout belongs to the job {@link #owner} names. */
    @Override
    public Owner owner(String key) {
        String resolved = key.contains("@") ? key : position.keySet().stream().filter(k -> k.startsWith(key + "@"))
                .findFirst().orElse(key);
        return new Owner(resolved, ownerJob);
    }

    @Override
    public void promote(String key, boolean full) {
        calls.add("promote " + key + " " + full);
        promotions.put(key, full);
    }

    @Override
    public void abort(String key, String reason) {
        calls.add("abort " + key);
        aborts.put(key, reason);
    }

    @Override
    public void rollback(String key, String reason, CredentialLookup credentials) {
        calls.add("rollback " + key);
        aborts.put(key, reason);
    }

    long count(String prefix) {
        return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }
}
