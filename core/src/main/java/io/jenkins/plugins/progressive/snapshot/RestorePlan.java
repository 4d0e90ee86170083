package io.jenkins.plugins.progressive.snapshot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The ordered actions of a restore; what {@code --dry-run} prints. */
public record RestorePlan(String snapshotId, List<Step> steps) {

    public enum Action { CREATE, SKIP, UPDATE, REPLACE }

    /**
     * One object to restore.
     *
     * @param key the object's key in the target (after namespace mapping)
     * @param object what will be written: server-set fields stripped, namespace mapped
     * @param added true for a Namespace the snapshot lacks but its objects need
     */
    public record Step(ObjectKey key, Action action, ObjectNode object, boolean added) {
        /** Without the object: it may be a Secret. */
        @Override
        public String toString() {
            return action.name().toLowerCase(Locale.ROOT) + " " + key + (added ? " (added)" : "");
        }
    }

    public RestorePlan {
        steps = List.copyOf(steps);
    }

    public Map<Action, Integer> counts() {
        Map<Action, Integer> counts = new EnumMap<>(Action.class);
        steps.forEach(s -> counts.merge(s.action(), 1, Integer::sum));
        return counts;
    }

    public String render() {
        StringBuilder b = new StringBuilder("restore plan for snapshot ").append(snapshotId).append('\n');
        for (Step s : steps) {
            b.append(String.format(Locale.ROOT, "  %-8s %s%s%n", s.action().name().toLowerCase(Locale.ROOT), s.key(),
                    s.added() ? " (missing namespace, added)" : ""));
        }
        b.append("  ");
        counts().forEach((a, n) -> b.append(n).append(' ').append(a.name().toLowerCase(Locale.ROOT)).append("  "));
        return b.toString().stripTrailing() + "\n";
    }
}
