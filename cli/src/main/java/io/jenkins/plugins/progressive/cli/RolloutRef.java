package io.jenkins.plugins.progressive.cli;

import io.jenkins.plugins.progressive.rollout.DirectoryStateStore;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Which rollout a command means: its key, the spec it was started with, or the only one in the state dir. */
final class RolloutRef {

    @Parameters(paramLabel = "KEY", arity = "0..1",
            description = "The rollout's key (name@target, as status lists it); optional when the state directory"
                    + " holds one rollout.")
    String key;

    @Option(names = "--spec", paramLabel = "SPEC", description = "Find the rollout by the spec it was started with.")
    Path spec;

    /** A key that is not usable: exit 2 with this message. */
    static final class Unknown extends Exception {
        private static final long serialVersionUID = 1L;

        Unknown(String message) {
            super(message, null, false, false);
        }
    }

    String resolve(DirectoryStateStore store) throws Unknown {
        List<String> keys = store.keys();
        if (key != null) {
            if (!keys.contains(key)) {
                throw new Unknown("no rollout '" + key + "' in " + store.directory()
                        + (keys.isEmpty() ? " (it holds none)" : " (it holds: " + String.join(", ", keys) + ")"));
            }
            return key;
        }
        if (spec != null) {
            String k;
            try {
                k = SpecReader.read(spec, Map.of()).lockKey();
            } catch (InvalidSpecException e) {
                throw new Unknown(spec + ": " + e.problems().get(0));
            }
            if (!keys.contains(k)) {
                throw new Unknown("no rollout of " + spec + " ('" + k + "') in " + store.directory());
            }
            return k;
        }
        if (keys.size() == 1) {
            return keys.get(0);
        }
        throw new Unknown(keys.isEmpty() ? "no rollout in " + store.directory() + " (give --state-dir)"
                : "several rollouts in " + store.directory() + ": name one of " + String.join(", ", keys)
                        + " or give --spec");
    }
}
