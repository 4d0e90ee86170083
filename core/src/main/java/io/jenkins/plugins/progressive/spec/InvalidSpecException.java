package io.jenkins.plugins.progressive.spec;

import java.util.List;
import java.util.stream.Collectors;

/** A spec or parameter set with one or more problems; nothing has been changed on any target. */
public final class InvalidSpecException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<SpecProblem> problems;

    public InvalidSpecException(List<SpecProblem> problems) {
        super(problems.stream().map(SpecProblem::toString).collect(Collectors.joining("\n")), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public InvalidSpecException(String path, String message) {
        this(List.of(new SpecProblem(path, message)));
    }

    public List<SpecProblem> problems() {
        return problems;
    }
}
