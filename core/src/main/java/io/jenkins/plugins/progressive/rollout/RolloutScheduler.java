package io.jenkins.plugins.progressive.rollout;

import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Drives any number of rollouts from a small fixed pool of threads: a time-ordered queue of wake-ups
 * (the pool's delay queue), {@link #wake} for metric answers, commands and watch events, never two
 * advances of the same rollout at once, no thread per rollout.
 */
public final class RolloutScheduler implements AutoCloseable {

    private static final Duration ERROR_BACKOFF = Duration.ofSeconds(5);
    private static final int MAX_CONSECUTIVE_ERRORS = 5;

    private final RolloutEngine engine;
    private final ScheduledExecutorService pool;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile LongConsumer advanceNanos = n -> { };

    private static final class Entry {
        final CompletableFuture<RolloutResult> result = new CompletableFuture<>();
        ScheduledFuture<?> timer;
        boolean running;
        boolean again;
        int errors;
    }

    public RolloutScheduler(RolloutEngine engine, int threads) {
        this.engine = engine;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "progressive-rollout-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ScheduledExecutorService p = Executors.newScheduledThreadPool(threads, tf);
        ((java.util.concurrent.ScheduledThreadPoolExecutor) p).setRemoveOnCancelPolicy(true);
        this.pool = p;
        engine.onWake(this::wake);
    }

    /** Receives how long each {@link RolloutEngine#advance} took (for benchmarks and metrics). */
    public void onAdvance(LongConsumer nanos) {
        this.advanceNanos = nanos;
    }

    /** Start {@code spec} and drive it to its end. */
    public CompletableFuture<RolloutResult> submit(RolloutSpec spec) {
        engine.start(spec);
        return drive(spec.lockKey());
    }

    /** Drive a rollout already started or resumed on the engine. */
    public CompletableFuture<RolloutResult> drive(String key) {
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        wake(key);
        return e.result;
    }

    /** Advance {@code key} as soon as a thread is free (its next wake-up is brought forward). */
    public void wake(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return;
        }
        synchronized (e) {
            if (e.running) {
                e.again = true;
                return;
            }
            if (e.timer != null) {
                e.timer.cancel(false);
                e.timer = null;
            }
            e.running = true;
        }
        pool.execute(() -> run(key, e));
    }

    public void promote(String key, boolean full) {
        engine.promote(key, full);
        wake(key);
    }

    public void abort(String key, String reason) {
        engine.abort(key, reason);
        wake(key);
    }

    /** Rollouts being driven. */
    public int active() {
        return entries.size();
    }

    private void run(String key, Entry e) {
        Next next;
        long t0 = System.nanoTime();
        try {
            next = engine.advance(key);
        } catch (RuntimeException ex) {
            advanceNanos.accept(System.nanoTime() - t0);
            engine.event(new RolloutEvent(engine.clock().instant(), key, "error", "advance failed: "
                    + Reconciler.messageOf(ex)));
            synchronized (e) {
                e.running = false;
                if (++e.errors >= MAX_CONSECUTIVE_ERRORS) {
                    entries.remove(key);
                    e.result.completeExceptionally(ex);
                    return;
                }
                e.timer = pool.schedule(() -> wake(key), ERROR_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
            }
            return;
        }
        advanceNanos.accept(System.nanoTime() - t0);
        synchronized (e) {
            e.errors = 0;
            e.running = false;
            if (next.isDone()) {
                entries.remove(key);
                e.result.complete(next.result());
                return;
            }
            if (e.again) {
                e.again = false;
                e.running = true;
                pool.execute(() -> run(key, e));
                return;
            }
            long delay = Math.max(0, Duration.between(engine.clock().instant(), next.wakeAt()).toMillis());
            e.timer = pool.schedule(() -> wake(key), delay, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
