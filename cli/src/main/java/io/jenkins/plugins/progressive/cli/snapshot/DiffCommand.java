package io.jenkins.plugins.progressive.cli.snapshot;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.snapshot.SnapshotDiff;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(mixinStandardHelpOptions = true, name = "diff", description = {"Objects added (+), removed (-) and changed (~) from ID1 to ID2, field by field.",
    "Secret values are never shown: a changed field of an encrypted object reads '(changed)'."})
final class DiffCommand extends SnapshotSubcommand {

    @Parameters(index = "0", paramLabel = "ID1")
    String from;

    @Parameters(index = "1", paramLabel = "ID2")
    String to;

    @Override
    int run() throws Exception {
        SnapshotDiff diff = Snapshots.diff(store(), from, to, keys());
        if (!json()) {
            out().print(diff.render());
            out().flush();
            return Exit.SUCCEEDED;
        }
        ObjectNode doc = JSON.createObjectNode().put("from", diff.from()).put("to", diff.to());
        ArrayNode added = doc.putArray("added");
        diff.added().forEach(k -> added.add(k.toString()));
        ArrayNode removed = doc.putArray("removed");
        diff.removed().forEach(k -> removed.add(k.toString()));
        ArrayNode changed = doc.putArray("changed");
        for (SnapshotDiff.Changed c : diff.changed()) {
            ArrayNode fields = changed.addObject().put("object", c.key().toString()).putArray("fields");
            for (SnapshotDiff.FieldChange f : c.fields()) {
                ObjectNode field = fields.addObject().put("path", f.path());
                if (f.hidden()) {
                    field.put("change", "(changed)");
                } else {
                    f.before().ifPresentOrElse(b -> field.put("before", b), () -> field.putNull("before"));
                    f.after().ifPresentOrElse(a -> field.put("after", a), () -> field.putNull("after"));
                }
            }
        }
        ArrayNode hooks = doc.putArray("hookFiles");
        diff.hookFiles().forEach(hooks::add);
        printJson(doc);
        return Exit.SUCCEEDED;
    }
}
