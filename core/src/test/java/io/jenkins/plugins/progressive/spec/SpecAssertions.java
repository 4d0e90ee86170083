package io.jenkins.plugins.progressive.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;

/** Shared helpers: read text, and find a problem by its exact path and a fragment of its message. */
final class SpecAssertions {

    private SpecAssertions() {
    }

    static RolloutSpec yaml(String text) throws InvalidSpecException {
        return SpecReader.parse(text, SpecReader.Format.YAML, Map.of());
    }

    static List<SpecProblem> problems(String yaml) {
        return problems(yaml, Map.of());
    }

    static List<SpecProblem> problems(String yaml, Map<String, String> overrides) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> SpecReader.parse(yaml, SpecReader.Format.YAML, overrides));
        assertThat(e).as("the spec should be rejected:\n%s", yaml).isNotNull();
        assertThat(e.problems()).isNotEmpty();
        return e.problems();
    }

    /** Exactly one problem at {@code path}, and its message contains every fragment. */
    static void assertProblem(List<SpecProblem> problems, String path, String... fragments) {
        List<SpecProblem> at = problems.stream().filter(p -> p.path().equals(path)).toList();
        assertThat(at).as("problems at '%s' among %s", path, problems).hasSize(1);
        for (String f : fragments) {
            assertThat(at.get(0).message()).as("message at '%s'", path).contains(f);
        }
    }

    /** The only problem of {@code yaml} is at {@code path} with these fragments. */
    static void assertOnlyProblem(String yaml, String path, String... fragments) {
        List<SpecProblem> problems = problems(yaml);
        assertThat(problems).as("problems of:\n%s", yaml).hasSize(1);
        assertProblem(problems, path, fragments);
    }

    /** A minimal valid spec: a local target with a canary and one prometheus template. */
    static final String BASE = """
            name: shop
            version: "1.4.2"
            target:
              local: {command: ["python3", "app.py", "--port", "{port}"]}
            strategy:
              canary:
                steps:
                  - setWeight: 10
                  - pause: 30s
                  - analysis: [error-rate]
            analysis:
              error-rate:
                prometheus: {address: "http://127.0.0.1:9090", query: "sum(rate(errors_total[1m]))"}
                successCondition: "result < 0.01"
            """;

    /** {@link #BASE} with one line replaced (the first line that starts with {@code prefix} after indentation). */
    static String base(String linePrefix, String replacement) {
        String[] lines = BASE.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].trim().startsWith(linePrefix)) {
                String indent = lines[i].substring(0, lines[i].indexOf(lines[i].trim()));
                lines[i] = replacement.lines().map(l -> indent + l)
                        .reduce((a, b) -> a + "\n" + b).orElse("");
                return String.join("\n", lines);
            }
        }
        throw new IllegalArgumentException("no line starts with " + linePrefix);
    }
}
