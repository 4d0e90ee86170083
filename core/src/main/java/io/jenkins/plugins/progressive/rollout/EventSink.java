package io.jenkins.plugins.progressive.rollout;

/**
 * Receives what a rollout does, as it happens: the CLI prints it, Jenkins writes the build log,
 * Kubernetes records Events. Must not block.
 */
@FunctionalInterface
public interface EventSink {

    void accept(RolloutEvent event);

    EventSink NONE = e -> { };
}
