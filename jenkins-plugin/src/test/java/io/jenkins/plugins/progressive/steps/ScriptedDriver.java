package io.jenkins.plugins.progressive.steps;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** An engine stand-in for JenkinsRule tests: three quick steps, then success, unless aborted. */
final class ScriptedDriver implements RolloutDriver {

    final List<Request> requests = new CopyOnWriteArrayList<>();
    final Map<String, Integer> ticks = new ConcurrentHashMap<>();
    final Map<String, String> aborts = new ConcurrentHashMap<>();
    final List<String> promotions = new CopyOnWriteArrayList<>();
    volatile boolean pauseForever;

    @Override
    public Started start(Request request) {
        requests.add(request);
        String key = request.lockKey();
        ticks.put(key, 0);
        return new Started(key);
    }

    @Override
    public Tick advance(String key, CredentialLookup credentials) {
        if (aborts.containsKey(key)) {
            return new Tick.Done(new Outcome("RolledBack", "", "snap-1", List.of(), false, aborts.get(key)));
        }
        int n = ticks.merge(key, 1, Integer::sum);
        if (n <= 3 || (pauseForever && !promotions.contains(key))) {
            boolean paused = pauseForever && n > 3;
            return new Tick.Wait(Duration.ofMillis(100), paused ? "paused" : "step " + n + " of 3",
                    new Progress(paused ? "PAUSED" : "PROGRESSING", Math.min(n, 3), paused ? 50 : 5 * n, List.of()));
        }
        return new Tick.Done(new Outcome("Succeeded", "Successful", "snap-1",
                List.of(Map.of("template", "error-rate", "verdict", "Successful", "value", "0.002")), true, ""));
    }

    /** Every rollout here belongs to the job of the request that started it. */
    @Override
    public Owner owner(String key) {
        return requests.stream().filter(r -> r.lockKey().equals(key) || r.name().equals(key)).reduce((a, b) -> b)
                .map(r -> new Owner(r.lockKey(), r.options().getOrDefault(Request.JOB, ""))).orElse(new Owner(key, ""));
    }

    @Override
    public void promote(String key, boolean full) {
        promotions.add(key);
    }

    @Override
    public void abort(String key, String reason) {
        aborts.put(key, reason);
    }

    @Override
    public void rollback(String key, String reason, CredentialLookup credentials) {
        aborts.put(key, reason);
    }
}
