package io.jenkins.plugins.progressive.cli.snapshot;

import io.jenkins.plugins.progressive.snapshot.Manifest;
import io.jenkins.plugins.progressive.snapshot.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(mixinStandardHelpOptions = true, name = "show", description = "Print a snapshot's manifest (refused when it does not match its sha256).")
final class ShowCommand extends SnapshotSubcommand {

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    int run() throws Exception {
        Manifest m = Snapshots.show(store(), id);
        if (json()) {
            printJson(m.toJson());
            return Exit.SUCCEEDED;
        }
        var o = out();
        o.println("snapshot " + m.id());
        o.println("  name:      " + m.name());
        o.println("  created:   " + m.createdAt() + " by " + m.createdBy());
        o.println("  source:    " + m.source());
        o.println("  tool:      " + m.toolVersion());
        var sel = m.selection();
        o.println("  selection: namespaces " + sel.namespaces() + ", kinds " + sel.kinds()
                + sel.labelSelector().map(s -> ", labelSelector " + s).orElse("") + ", exclude " + sel.excludeKinds()
                + (m.excludeSecrets() ? ", Secrets excluded" : ""));
        o.println("  sha256:    " + m.sha256());
        o.println("  counts:");
        m.counts().forEach((k, n) -> o.println("    " + k + ": " + n));
        o.println("  objects:");
        for (Manifest.Entry e : m.objects()) {
            o.println("    " + e.key() + "  sha256 " + e.sha256().substring(0, 12)
                    + (e.encrypted() ? "  (encrypted, key " + e.keyId().orElse("?") + ")" : ""));
        }
        if (!m.hooks().isEmpty()) {
            o.println("  hook files:");
            m.hooks().forEach(h -> o.println("    " + h.name() + "  sha256 " + h.sha256().substring(0, 12)
                    + (h.encrypted() ? "  (encrypted, key " + h.keyId().orElse("?") + ")" : "")));
        }
        return Exit.SUCCEEDED;
    }
}
