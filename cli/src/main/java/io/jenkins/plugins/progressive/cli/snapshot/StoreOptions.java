package io.jenkins.plugins.progressive.cli.snapshot;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where snapshots are and how to read them: {@code --spec SPEC}, or {@code --store URI} and the key. */
final class StoreOptions {

    @Option(names = "--spec", paramLabel = "SPEC",
            description = "A spec file: its snapshot.store, snapshot.encryptionKey and target are used.")
    Path spec;

    @Option(names = "--store", paramLabel = "URI",
            description = "The snapshot store (file:DIR or s3://bucket/prefix?endpoint=…); overrides the spec's.")
    String store;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "A file holding the snapshot key (32 bytes, base64); default: the spec's "
                    + "snapshot.encryptionKey, else the environment variable PROGRESSIVE_SNAPSHOT_KEY.")
    Path keyFile;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json")
    Output output;
}
