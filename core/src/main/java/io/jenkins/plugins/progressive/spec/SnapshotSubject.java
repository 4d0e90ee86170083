package io.jenkins.plugins.progressive.spec;

/**
 * What {@code progressive snapshot create} and the {@code snapshotState} step need from a spec: whose state
 * (name and target) and how to snapshot it. Read with {@link SpecReader#readSnapshotSubject}, which does not
 * require a version or a strategy.
 *
 * @param snapshot {@link SnapshotSpec#DISABLED} when the spec has no snapshot section; the caller decides
 *                 whether an explicit snapshot command then uses the defaults
 * @param traffic the router whose configuration a hosts target's snapshot holds
 */
public record SnapshotSubject(String name, Target target, SnapshotSpec snapshot, Traffic traffic) {
}
