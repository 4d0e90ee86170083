package io.jenkins.plugins.progressive.rollout.testing;

import io.jenkins.plugins.progressive.rollout.StateStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A state store in memory, with compare-and-set revisions; it can be told to "crash" (throw without
 * storing) at its k-th save, to test that a rollout resumes from any checkpoint.
 */
public final class InMemoryStateStore implements StateStore {

    /** The simulated process death at a checkpoint. */
    public static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Crash(int save) {
            super("simulated crash at save #" + save, null, false, false);
        }
    }

    private final Map<String, Stored> docs = new ConcurrentHashMap<>();
    private final AtomicInteger saves = new AtomicInteger();
    private final java.util.Set<Integer> crashAt = ConcurrentHashMap.newKeySet();

    @Override
    public Optional<Stored> load(String key) {
        return Optional.ofNullable(docs.get(key));
    }

    @Override
    public synchronized long save(String key, long expectedRevision, String json) throws ConflictException {
        int n = saves.incrementAndGet();
        if (crashAt.remove(n)) {
            throw new Crash(n);
        }
        return store(key, expectedRevision, json);
    }

    private synchronized long store(String key, long expectedRevision, String json) throws ConflictException {
        Stored old = docs.get(key);
        long actual = old == null ? 0 : old.revision();
        if (actual != expectedRevision) {
            throw new ConflictException(key, expectedRevision, actual);
        }
        docs.put(key, new Stored(json, actual + 1));
        return actual + 1;
    }

    @Override
    public List<String> keys() {
        return List.copyOf(docs.keySet());
    }

    /** The same documents for another process (a CLI command): its writes neither count nor crash. */
    public StateStore otherProcess() {
        InMemoryStateStore self = this;
        return new StateStore() {
            @Override
            public Optional<Stored> load(String key) {
                return self.load(key);
            }

            @Override
            public long save(String key, long expectedRevision, String json) throws ConflictException {
                return self.store(key, expectedRevision, json);
            }

            @Override
            public List<String> keys() {
                return self.keys();
            }
        };
    }

    /** Throw {@link Crash} instead of storing at the {@code k}-th save from now on (1-based). */
    public void crashAtSave(int k) {
        crashAtSaves(List.of(k));
    }

    /**
     * Throw {@link Crash} instead of storing at each of these saves, counted from now (1-based; a crashed save
     * counts too): several crashes within one run.
     */
    public void crashAtSaves(List<Integer> ks) {
        int now = saves.get();
        ks.forEach(k -> crashAt.add(now + k));
    }

    public int saves() {
        return saves.get();
    }
}
