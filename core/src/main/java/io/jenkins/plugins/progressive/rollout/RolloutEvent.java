package io.jenkins.plugins.progressive.rollout;

import java.time.Instant;

/**
 * Something a rollout did or saw.
 *
 * @param rollout the rollout's lock key
 * @param kind a short stable word ({@code step}, {@code weight}, {@code measurement}, {@code verdict},
 *             {@code rollback}, {@code promoted}, {@code aborted}, {@code error}, …) for machines
 * @param message one line for people; never contains a secret
 */
public record RolloutEvent(Instant at, String rollout, String kind, String message) {
}
