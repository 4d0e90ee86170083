package io.jenkins.plugins.progressive.rollout.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock the test moves by hand. */
public final class VirtualClock implements InstantSource {

    private volatile Instant now;

    public VirtualClock(Instant start) {
        this.now = start;
    }

    public VirtualClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public Instant instant() {
        return now;
    }

    public void set(Instant t) {
        if (t.isAfter(now)) {
            now = t;
        }
    }

    public void advance(Duration d) {
        now = now.plus(d);
    }
}
