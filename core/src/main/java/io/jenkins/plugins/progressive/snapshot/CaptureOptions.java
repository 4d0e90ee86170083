package io.jenkins.plugins.progressive.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * How to take a snapshot.
 *
 * @param name the rollout's name, recorded in the manifest (pruning keeps the last N per name)
 * @param createdBy who took it (a user, a Jenkins build URL)
 * @param excludeSecrets leave Secrets (and other sensitive objects) out instead of requiring a key
 * @param hookTimeout how long one pre hook may run
 * @param podExec runs {@code exec} hooks; empty where the platform has no pods
 */
public record CaptureOptions(String name, String createdBy, boolean excludeSecrets, Duration hookTimeout,
        Optional<PodExec> podExec, Clock clock) {

    public static CaptureOptions forRollout(String name) {
        return new CaptureOptions(name, System.getProperty("user.name", "unknown"), false,
                RestoreOptions.DEFAULT_HOOK_TIMEOUT, Optional.empty(), Clock.systemUTC());
    }

    public CaptureOptions withCreatedBy(String who) {
        return new CaptureOptions(name, who, excludeSecrets, hookTimeout, podExec, clock);
    }

    public CaptureOptions withExcludeSecrets(boolean exclude) {
        return new CaptureOptions(name, createdBy, exclude, hookTimeout, podExec, clock);
    }

    public CaptureOptions withHooks(Duration timeout, Optional<PodExec> exec) {
        return new CaptureOptions(name, createdBy, excludeSecrets, timeout, exec, clock);
    }

    public CaptureOptions withClock(Clock c) {
        return new CaptureOptions(name, createdBy, excludeSecrets, hookTimeout, podExec, c);
    }
}
