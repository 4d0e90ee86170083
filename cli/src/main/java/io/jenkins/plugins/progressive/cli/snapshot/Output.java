package io.jenkins.plugins.progressive.cli.snapshot;

/** {@code --output}: lines for people, or one JSON document for machines. */
enum Output {
    text, json
}
