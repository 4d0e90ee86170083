package io.jenkins.plugins.progressive.hosts;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends GET requests to one URL from a few threads, counting answers by the {@code version=} in their body,
 * and every failure (a non-200 answer or an I/O error). Bounded by a request count and a deadline.
 */
public final class LoadGenerator implements AutoCloseable {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI uri;
    private final Map<String, LongAdder> byVersion = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final LongAdder failures = new LongAdder();
    private final ConcurrentLinkedQueue<String> failureSamples = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    private LoadGenerator(URI uri) {
        this.uri = uri;
    }

    /** Starts {@code threads} senders that stop after {@code maxRequests} in all or at {@code maxDuration}. */
    public static LoadGenerator start(URI uri, int threads, long maxRequests, Duration maxDuration) {
        LoadGenerator load = new LoadGenerator(uri);
        long deadline = System.nanoTime() + maxDuration.toNanos();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> load.run(maxRequests, deadline), "load-" + i);
            t.setDaemon(true);
            load.threads.add(t);
            t.start();
        }
        return load;
    }

    /** Sends exactly {@code requests} requests and returns when all have been answered. */
    public static LoadGenerator run(URI uri, int threads, long requests) {
        LoadGenerator load = start(uri, threads, requests, Duration.ofMinutes(2));
        load.await();
        return load;
    }

    private void run(long maxRequests, long deadline) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
        while (!stop.get() && System.nanoTime() < deadline && sent.incrementAndGet() <= maxRequests) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                String body = response.body().trim();
                if (response.statusCode() != 200) {
                    fail("HTTP " + response.statusCode() + ": " + body);
                } else if (body.startsWith("version=")) {
                    byVersion.computeIfAbsent(body.substring("version=".length()), v -> new LongAdder()).increment();
                } else {
                    fail("unexpected body: " + body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                fail(e.toString());
            }
        }
    }

    private void fail(String why) {
        failures.increment();
        if (failureSamples.size() < 10) {
            failureSamples.add(why);
        }
    }

    /** Waits for the senders to finish by themselves. */
    public void await() {
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Answers counted so far, failed or not. */
    public long answered() {
        return failures.sum() + byVersion.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long count(String version) {
        LongAdder adder = byVersion.get(version);
        return adder == null ? 0 : adder.sum();
    }

    public long failures() {
        return failures.sum();
    }

    public List<String> failureSamples() {
        return List.copyOf(failureSamples);
    }

    @Override
    public void close() {
        stop.set(true);
        await();
    }
}
