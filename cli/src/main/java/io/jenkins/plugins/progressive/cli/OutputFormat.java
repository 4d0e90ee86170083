package io.jenkins.plugins.progressive.cli;

/** {@code --output}: lines for people, or one JSON document for machines. */
enum OutputFormat {
    text, json
}
