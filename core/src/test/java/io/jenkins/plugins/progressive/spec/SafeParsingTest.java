package io.jenkins.plugins.progressive.spec;

import static io.jenkins.plugins.progressive.spec.SpecAssertions.BASE;
import static io.jenkins.plugins.progressive.spec.SpecAssertions.assertOnlyProblem;
import static io.jenkins.plugins.progressive.spec.SpecAssertions.assertProblem;
import static io.jenkins.plugins.progressive.spec.SpecAssertions.problems;
import static io.jenkins.plugins.progressive.spec.SpecAssertions.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec text is untrusted input: it can hold nothing but plain data, and every way it breaks is a problem. */
class SafeParsingTest {

    @TempDir
    Path dir;

    @Test
    void javaTypeTagsAreRejected() {
        String evil = BASE.replace("name: shop", "name: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader"
                + " [[!!java.net.URL [\"http://127.0.0.1:1/x.jar\"]]]]");
        List<SpecProblem> p = problems(evil);
        assertProblem(p, "name", "the YAML tag '!!javax.script.ScriptEngineManager' is not allowed; allowed: plain"
                + " values without tags");
        assertThat(p).hasSize(1);
    }

    @Test
    void localTagsAreRejected() {
        assertOnlyProblem(BASE.replace("\"1.4.2\"", "!version 1.4.2"), "version", "the YAML tag '!version' is not allowed");
    }

    @Test
    void standardTagsAreHarmless() throws Exception {
        assertThat(yaml(BASE.replace("\"1.4.2\"", "!!str 2")).version()).isEqualTo("2");
    }

    @Test
    void anAliasBombIsRejected() {
        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            bomb.append("]\n");
        }
        List<SpecProblem> p = problems(bomb.toString());
        assertThat(p).hasSize(1);
        assertThat(p.get(0).message()).contains("values after expanding YAML aliases (an alias bomb?); allowed: at most");
    }

    @Test
    void modestAliasesAreExpanded() throws Exception {
        String spec = BASE.replace("prometheus: {", "prometheus: &prom {")
                + "  again:\n    prometheus: *prom\n";
        RolloutSpec s = yaml(spec);
        assertThat(((AnalysisTemplate.Prometheus) s.analysis().get("again").query()).address())
                .isEqualTo("http://127.0.0.1:9090");
        assertOnlyProblem(BASE.replace("name: shop", "name: &n shop") + "backgroundAnalysis: [*n]\n",
                "backgroundAnalysis[0]", "the YAML alias '*n' does not refer to an anchored mapping or list");
    }

    @Test
    void duplicateKeysAreRejected() {
        assertOnlyProblem(BASE + "name: other\n", "name", "the key 'name' appears twice; allowed: each key once");
        List<SpecProblem> json = SpecReader.validate("{\"name\":\"a\",\"name\":\"b\"}", SpecReader.Format.JSON, Map.of());
        assertProblem(json, "name", "appears twice");
    }

    @Test
    void syntaxErrorsNameTheLine() {
        List<SpecProblem> p = problems("name: shop\nversion: [1.0\n");
        assertThat(p).hasSize(1);
        assertThat(p.get(0).path()).isEmpty();
        assertThat(p.get(0).message()).startsWith("not valid YAML: ").contains("line ");
    }

    @Test
    void anEmptyValueIsNotGivenAndYesIsNotABoolean() throws Exception {
        assertThat(yaml(BASE + "onFailure:\n").onFailure()).isEqualTo(OnFailure.ROLLBACK);
        assertOnlyProblem(BASE.replace("canary:", "blueGreen: {autoPromotion: yes}\n  canaryX:")
                .replaceAll("(?s)  canaryX:.*?analysis:\n", "analysis:\n"), "strategy.blueGreen.autoPromotion",
                "'yes' is not a boolean; allowed: true or false");
    }

    @Test
    void syntaxErrorsSayWhatWasExpected() {
        List<SpecProblem> p = problems("name: [a, , b]\n");
        assertThat(p).singleElement().satisfies(problem -> assertThat(problem.message())
                .isEqualTo("not valid YAML: while parsing a flow node: expected the node content, but found ','"
                        + " (line 1, column 11)"));
    }

    @Test
    void moreThanOneDocumentIsRejected() {
        assertOnlyProblem(BASE + "---\nname: other\n", "", "more than one YAML document; allowed: exactly one");
    }

    @Test
    void deepNestingIsRejected() {
        String deep = "name: " + "[".repeat(200) + "]".repeat(200) + "\n";
        List<SpecProblem> p = problems(deep);
        assertThat(p).hasSize(1);
        assertThat(p.get(0).message()).contains("nest");
    }

    @Test
    void hugeDocumentsAreRejected() {
        String huge = BASE + "#" + "x".repeat(SafeTree.MAX_CHARS) + "\n";
        assertOnlyProblem(huge, "", "characters; allowed: at most " + SafeTree.MAX_CHARS);
    }

    @Test
    void yamlAndJsonMeanTheSame() throws Exception {
        RolloutSpec fromYaml = yaml(BASE);
        String json = new ObjectMapper().writeValueAsString(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
                .readTree(BASE));
        RolloutSpec fromJson = SpecReader.parse(json, SpecReader.Format.JSON, Map.of());
        assertThat(fromJson).isEqualTo(fromYaml);
        Path y = Files.writeString(dir.resolve("shop.yml"), BASE);
        Path j = Files.writeString(dir.resolve("shop.json"), json);
        assertThat(SpecReader.read(y, Map.of())).isEqualTo(SpecReader.read(j, Map.of()));
    }

    @Test
    void jsonProblemsUseTheSamePaths() {
        String json = "{\"name\":\"shop\",\"version\":\"1\",\"target\":{\"local\":{\"command\":[\"app\"]}},"
                + "\"strategy\":{\"canary\":{\"steps\":[{\"setWeight\":500}]}}}";
        List<SpecProblem> p = SpecReader.validate(json, SpecReader.Format.JSON, Map.of());
        assertProblem(p, "strategy.canary.steps[0].setWeight", "500 is out of range");
    }

    @Test
    void unreadableFilesAreOneProblemAtTheRoot() throws IOException {
        assertOnlyProblemOf(SpecReader.validate(dir.resolve("missing.yaml"), Map.of()), "no such file");
        assertOnlyProblemOf(SpecReader.validate(Files.writeString(dir.resolve("spec.txt"), BASE), Map.of()),
                "unknown file type; allowed: .yml, .yaml, .json");
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), new byte[] {'n', 'a', 'm', 'e', ':', ' ', (byte) 0xE9});
        assertOnlyProblemOf(SpecReader.validate(latin1, Map.of()), "not UTF-8");
        assertOnlyProblemOf(SpecReader.validate(Files.createDirectory(dir.resolve("dir.yaml")), Map.of()), "cannot read");
    }

    private static void assertOnlyProblemOf(List<SpecProblem> problems, String fragment) {
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).path()).isEmpty();
        assertThat(problems.get(0).message()).contains(fragment);
    }

    @Test
    void fromTreeRejectsWhatParseRejects() {
        var tree = new ObjectMapper().createObjectNode().put("name", "x");
        try {
            SpecReader.fromTree(tree);
        } catch (InvalidSpecException e) {
            assertThat(e.problems()).extracting(SpecProblem::path).containsExactlyInAnyOrder("version", "target", "strategy");
            return;
        }
        throw new AssertionError("fromTree accepted a spec without version, target and strategy");
    }
}
