package io.jenkins.plugins.progressive.spec;

/**
 * One thing wrong with a spec or a parameter.
 *
 * @param path the field path as a user writes it, e.g. {@code strategy.canary.steps[2].setWeight}
 * @param message what is wrong, naming the bad value and what is allowed
 */
public record SpecProblem(String path, String message) {
    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
