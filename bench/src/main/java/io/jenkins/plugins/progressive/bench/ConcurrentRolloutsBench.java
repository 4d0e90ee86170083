package io.jenkins.plugins.progressive.bench;

import static io.jenkins.plugins.progressive.rollout.testing.Specs.analysis;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.canary;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.pause;
import static io.jenkins.plugins.progressive.rollout.testing.Specs.weight;

import io.jenkins.plugins.progressive.analysis.MetricValue;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutEngine;
import io.jenkins.plugins.progressive.rollout.RolloutResult;
import io.jenkins.plugins.progressive.rollout.RolloutScheduler;
import io.jenkins.plugins.progressive.rollout.testing.FallbackJudge;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryPlatform;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryStateStore;
import io.jenkins.plugins.progressive.rollout.testing.Specs;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * 10,000 concurrent simulated canary rollouts (several weight steps, a pause, three analysis gates of two
 * measurements each, a 20 s pause so that all are live at once) through ONE {@link RolloutScheduler} in one JVM, on the in-memory platform with small
 * real delays (instances ready after 50 ms, metrics answered after 20 ms on another pool, as a completing
 * future). Reports heap used after GC while every rollout is live, live threads, rollouts per second and
 * the advance() decision latency. Exits 1 if not every rollout succeeded in time.
 *
 * <p>Arguments (all optional): rollouts (10000), scheduler threads (4), timeout seconds (600).
 */
public final class ConcurrentRolloutsBench {

    private ConcurrentRolloutsBench() {
    }

    public static void main(String[] args) throws Exception {
        int rollouts = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int timeoutSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 600;

        InMemoryStateStore store = new InMemoryStateStore();
        Map<String, InMemoryPlatform> platforms = new ConcurrentHashMap<>();
        ScheduledExecutorService metricsPool = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "metrics-server");
            t.setDaemon(true);
            return t;
        });
        RolloutEngine engine = RolloutEngine.builder(store, spec -> platforms.get(spec.lockKey()).platform())
                .judge(FallbackJudge.INSTANCE)
                .pollInterval(Duration.ofMillis(50))
                .commandPollInterval(Duration.ofSeconds(1))
                .build();
        long[] latencies = new long[rollouts * 64];
        AtomicInteger samples = new AtomicInteger();
        try (RolloutScheduler scheduler = new RolloutScheduler(engine, threads)) {
            scheduler.onAdvance(n -> {
                int i = samples.getAndIncrement();
                if (i < latencies.length) {
                    latencies[i] = n;
                }
            });
            List<CompletableFuture<RolloutResult>> results = new ArrayList<>(rollouts);
            long t0 = System.nanoTime();
            for (int i = 0; i < rollouts; i++) {
                RolloutSpec spec = spec(i);
                InMemoryPlatform p = new InMemoryPlatform(InstantSource.system(), 4, "1.0", true)
                        .readyAfter(Duration.ofMillis(50))
                        .answerLater(metricsPool, 20)
                        .metrics((template, at, version) -> MetricValue.of(0.001));
                platforms.put(spec.lockKey(), p);
                results.add(scheduler.submit(spec));
            }
            long submitted = System.nanoTime();
            // Every rollout is live now (each spends 20 s in its pause): measure what they hold.
            System.gc();
            Thread.sleep(200);
            System.gc();
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            int liveThreads = ManagementFactory.getThreadMXBean().getThreadCount();
            int active = scheduler.active();

            CompletableFuture<Void> all = CompletableFuture.allOf(results.toArray(CompletableFuture[]::new));
            boolean finished;
            try {
                all.get(timeoutSeconds, TimeUnit.SECONDS);
                finished = true;
            } catch (java.util.concurrent.TimeoutException e) {
                finished = false;
            }
            long t1 = System.nanoTime();
            long succeeded = results.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()
                    && f.join().status() == Phase.SUCCEEDED).count();
            int n = Math.min(samples.get(), latencies.length);
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            double seconds = (t1 - t0) / 1e9;
            System.out.printf("rollouts            %d (%d succeeded, finished=%s)%n", rollouts, succeeded, finished);
            System.out.printf("scheduler threads   %d%n", threads);
            System.out.printf("submit time         %.2f s%n", (submitted - t0) / 1e9);
            System.out.printf("active when sampled %d%n", active);
            System.out.printf("heap used after GC  %.1f MiB (max %.0f MiB)%n", heap.getUsed() / 1048576.0,
                    heap.getMax() / 1048576.0);
            System.out.printf("live JVM threads    %d%n", liveThreads);
            System.out.printf("wall time           %.2f s%n", seconds);
            System.out.printf("rollouts/s          %.0f%n", rollouts / seconds);
            System.out.printf("advance() calls     %d%n", n);
            System.out.printf("advance() p50       %.3f ms%n", pct(sorted, 0.50));
            System.out.printf("advance() p99       %.3f ms%n", pct(sorted, 0.99));
            System.out.printf("advance() max       %.3f ms%n", n == 0 ? 0 : sorted[n - 1] / 1e6);
            if (!finished || succeeded != rollouts) {
                System.out.println("FAILED: not every rollout succeeded within " + timeoutSeconds + " s");
                System.exit(1);
            }
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static RolloutSpec spec(int i) {
        return Specs.spec(canary(weight(10), analysis("error-rate"), weight(30), pause(Duration.ofSeconds(20)),
                        analysis("error-rate", "latency"), weight(60), analysis("error-rate")))
                .name("svc-" + i)
                .target("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + ":8080")
                .template(Specs.template("error-rate", null, null, 2, Duration.ofMillis(50)))
                .template(Specs.template("latency", null, null, 2, Duration.ofMillis(50)))
                .build();
    }
}
