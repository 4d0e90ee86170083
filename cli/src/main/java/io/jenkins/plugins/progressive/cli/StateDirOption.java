package io.jenkins.plugins.progressive.cli;

import io.jenkins.plugins.progressive.rollout.DirectoryStateStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir}: where rollouts are checkpointed, shared by every command that finds a rollout. */
final class StateDirOption {

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = ".progressive",
            description = "Where rollout state is kept (default: ${DEFAULT-VALUE}); run resumes from it after a crash.")
    Path dir;

    DirectoryStateStore store() {
        return new Fixed(dir).store();
    }

    /** A state directory given in code (the demo's). */
    record Fixed(Path dir) {
        DirectoryStateStore store() {
            return new DirectoryStateStore(dir.resolve("rollouts"));
        }
    }
}
