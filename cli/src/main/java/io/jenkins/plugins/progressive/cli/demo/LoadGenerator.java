package io.jenkins.plugins.progressive.cli.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Steady requests through the demo's HAProxy, counted by answer ({@code version=V}, {@code error}). */
public final class LoadGenerator implements AutoCloseable {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final URI uri;
    private final long pauseMillis;
    private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    private final AtomicLong failed = new AtomicLong();
    private final Thread[] threads;
    private volatile boolean running = true;

    /** Two clients, each pausing 20 ms between requests (about 100 requests a second). */
    public static LoadGenerator start(URI uri) {
        return new LoadGenerator(uri, 2, 20);
    }

    private LoadGenerator(URI uri, int threads, long pauseMillis) {
        this.uri = uri;
        this.pauseMillis = pauseMillis;
        this.threads = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            this.threads[i] = new Thread(this::loop, "demo-load-" + i);
            this.threads[i].setDaemon(true);
            this.threads[i].start();
        }
    }

    private void loop() {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
        while (running) {
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                String body = r.body().trim();
                answers.computeIfAbsent(r.statusCode() == 200 ? body : r.statusCode() + " " + body,
                        k -> new LongAdder()).increment();
                if (r.statusCode() != 200) {
                    failed.incrementAndGet();
                }
                Thread.sleep(pauseMillis);
            } catch (IOException e) {
                failed.incrementAndGet();
                answers.computeIfAbsent("connection failed", k -> new LongAdder()).increment();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Answers so far, e.g. {@code version=1.0.0 -> 812}. */
    public Map<String, Long> answers() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        answers.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    /** Requests answered or failed so far. */
    public long sent() {
        return answers.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Requests that got no answer or a non-200 one. */
    public long failed() {
        return failed.get();
    }

    /** For the demo's result document: {@code sent}, {@code failed} and the answers by body. */
    public Map<String, Object> counts() {
        Map<String, Object> counts = new java.util.LinkedHashMap<>();
        counts.put("sent", sent());
        counts.put("failed", failed());
        counts.put("answers", answers());
        return counts;
    }

    @Override
    public String toString() {
        return sent() + " requests sent, " + failed() + " failed " + answers();
    }

    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
