package io.jenkins.plugins.progressive.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/spec.md is the user's reference: every yaml example in it is valid, except those marked
 * {@code # invalid: <path>}, which fail with a problem at that path; and every field the reader accepts is
 * documented there.
 */
class SpecDocTest {

    static final Path DOC = Path.of("..", "docs", "spec.md");
    private static final Pattern BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    static Stream<Named<String>> examples() throws IOException {
        String doc = Files.readString(DOC);
        List<Named<String>> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(doc);
        while (m.find()) {
            int line = (int) doc.substring(0, m.start()).lines().count() + 1;
            out.add(Named.of("spec.md line " + line, m.group(1)));
        }
        return out.stream();
    }

    @Test
    void theDocHasValidAndInvalidExamples() throws IOException {
        List<String> blocks = examples().map(Named::getPayload).toList();
        assertThat(blocks).hasSizeGreaterThan(10);
        assertThat(blocks).anyMatch(b -> b.startsWith("# invalid"));
        assertThat(blocks).anyMatch(b -> !b.startsWith("# invalid"));
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleIsValidOrFailsWhereItSays(String yaml) {
        List<SpecProblem> problems = SpecReader.validate(yaml, SpecReader.Format.YAML, Map.of());
        if (yaml.startsWith("# invalid")) {
            String path = yaml.lines().findFirst().orElseThrow().replaceFirst("# invalid:?", "").trim();
            assertThat(problems).as("problems of an example marked invalid at '%s'", path)
                    .extracting(SpecProblem::path).containsExactly(path);
        } else {
            assertThat(problems).as("problems of a documented example").isEmpty();
        }
    }

    @Test
    void everyFieldTheReaderAcceptsIsDocumented() throws IOException {
        String doc = Files.readString(DOC);
        List<String> fields = new ArrayList<>();
        fields.addAll(SpecReader.FIELDS);
        fields.addAll(TargetReader.KINDS);
        fields.addAll(List.of("namespace", "deployment", "container", "image", "command", "instances",
                "readiness.http", "readiness.timeout", "discovery.prometheusFileSd", "stable", "canary"));
        fields.addAll(TrafficReader.ROUTERS);
        fields.addAll(List.of("runtimeApi", "backend", "upstreamFile", "upstream", "reloadCommand", "ingress",
                "httpRoute", "virtualService", "route"));
        fields.addAll(StrategyReader.KINDS);
        fields.addAll(StrategyReader.STEP_KINDS);
        fields.addAll(List.of("previewService", "prePromotionAnalysis", "postPromotionAnalysis", "autoPromotion",
                "scaleDownDelay", "batches", "pauseBetweenBatches", "maxUnavailable"));
        fields.addAll(AnalysisReader.FIELDS);
        fields.addAll(AnalysisReader.PROMETHEUS_FIELDS);
        fields.addAll(AnalysisReader.WEB_FIELDS);
        fields.addAll(AnalysisReader.JUDGES);
        fields.addAll(AnalysisReader.DIRECTIONS);
        fields.addAll(SpecReader.ON_FAILURE);
        fields.addAll(SnapshotReader.FIELDS);
        fields.addAll(List.of("include.namespaces", "include.kinds", "include.labelSelector", "exclude.kinds",
                "hooks.pre", "hooks.post", "hooks.restore", "env", "file", "local", "exec"));
        fields.addAll(Names.TEMPLATE_VARIABLES.stream().map(v -> "{{" + v + "}}").toList());
        for (String field : fields) {
            assertThat(doc).as("docs/spec.md documents `%s`", field).contains("`" + field);
        }
    }
}
