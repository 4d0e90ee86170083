package io.jenkins.plugins.progressive.cli;

/** The exit codes PRODUCT.md promises; scripts depend on them. */
enum ExitCode {
    SUCCEEDED(0), INVALID(2), ROLLED_BACK(3), NEEDS_PERSON(4), ABORTED(5);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }
}
