package io.jenkins.plugins.progressive.cli.snapshot;

import io.jenkins.plugins.progressive.hosts.snapshot.HostObjects;
import io.jenkins.plugins.progressive.spec.SnapshotSubject;
import io.jenkins.plugins.progressive.spec.Target;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The host a {@code local} or {@code endpoints} target's snapshot is taken from or restored into. */
final class HostOptions {

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = ".progressive",
            description = "Where `progressive run` keeps a local target's instances (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    /** The router configuration and instances of the spec's hosts target. */
    HostObjects objects(SnapshotSubject subject) {
        Optional<Path> instances = subject.target() instanceof Target.Local
                ? Optional.of(HostObjects.instancesDir(stateDir, subject.name())) : Optional.empty();
        return new HostObjects(subject.name(), subject.target(), subject.traffic(), instances);
    }
}
