package io.jenkins.plugins.progressive.configuration;

/** Form values arrive as null, blank or padded; the model keeps them trimmed and never null. */
public final class Texts {
    private Texts() {
    }

    public static String trim(String value) {
        return value == null ? "" : value.trim();
    }
}
