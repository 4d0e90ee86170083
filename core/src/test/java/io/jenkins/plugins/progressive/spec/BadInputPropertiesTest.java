package io.jenkins.plugins.progressive.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Provide;

/**
 * Whatever a user writes, the reader answers with a spec or with problems — never with another exception —
 * and each problem names a path and what is allowed.
 */
class BadInputPropertiesTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final YAMLMapper YAML = new YAMLMapper();

    @Property(tries = 100, edgeCases = EdgeCasesMode.NONE)
    void aDamagedSpecYieldsProblemsNotExceptions(@ForAll("specs") RolloutSpec spec, @ForAll long seed) throws Exception {
        ObjectNode tree = SpecWriter.toTree(spec);
        Random random = new Random(seed);
        for (int i = 0; i < 1 + random.nextInt(3); i++) {
            damage(tree, random);
        }
        String yaml = YAML.writeValueAsString(tree);
        assertAnswers(() -> SpecReader.fromTree(tree));
        assertAnswers(() -> SpecReader.parse(yaml, SpecReader.Format.YAML, Map.of()));
    }

    @Property(tries = 200)
    void arbitraryTextYieldsProblemsNotExceptions(@ForAll("texts") String text) {
        assertAnswers(() -> SpecReader.parse(text, SpecReader.Format.YAML, Map.of()));
        assertAnswers(() -> SpecReader.parse(text, SpecReader.Format.JSON, Map.of()));
    }

    @Property(tries = 200)
    void arbitraryOverridesYieldProblemsNotExceptions(@ForAll("overrideKeys") String key, @ForAll("texts") String value) {
        assertAnswers(() -> SpecReader.parse(SpecAssertions.BASE, SpecReader.Format.YAML, Map.of(key, value)));
    }

    @Provide
    Arbitrary<RolloutSpec> specs() {
        return new SpecRoundTripPropertiesTest().specs();
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars(" \n\t:-[]{}&*!|>'\"%@`#,?=~0123456789abcnmeaxrsty.").ofMaxLength(60),
                Arbitraries.strings().all().ofMaxLength(30),
                Arbitraries.of(SpecAssertions.BASE).map(b -> b.substring(0, b.length() / 2)));
    }

    @Provide
    Arbitrary<String> overrideKeys() {
        return Arbitraries.oneOf(Arbitraries.of("version", "name[0]", "strategy.canary.steps[1]",
                "strategy.canary.steps[9].pause", "analysis.error-rate", "target.local.command[0].x", "a.b.c",
                "strategy.canary", "target"), Arbitraries.strings().withChars("abc.[]0-_").ofMaxLength(12));
    }

    interface Reading {
        RolloutSpec read() throws InvalidSpecException;
    }

    static void assertAnswers(Reading reading) {
        try {
            assertThat(reading.read()).isNotNull();
        } catch (InvalidSpecException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
                assertThat(p.path()).isNotNull();
                assertThat(p.message()).isNotBlank();
            });
        }
    }

    private static final List<JsonNode> JUNK = List.of(NODES.textNode("junk"), NODES.numberNode(-7),
            NODES.numberNode(1.5), NODES.booleanNode(true), NODES.nullNode(), NODES.objectNode(), NODES.arrayNode(),
            NODES.objectNode().put("x", 1), NODES.arrayNode().add("a").add(2), NODES.textNode(""),
            NODES.textNode("{{nope}}"), NODES.numberNode(Long.MAX_VALUE));

    /** Replaces, removes or adds one value somewhere in the tree. */
    static void damage(JsonNode root, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        JsonNode junk = JUNK.get(random.nextInt(JUNK.size())).deepCopy();
        if (target instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            int action = random.nextInt(3);
            if (names.isEmpty() || action == 0) {
                o.set(names.isEmpty() || random.nextBoolean() ? "extra" : names.get(0) + "x", junk);
            } else if (action == 1) {
                o.remove(names.get(random.nextInt(names.size())));
            } else {
                o.set(names.get(random.nextInt(names.size())), junk);
            }
        } else if (target instanceof ArrayNode a) {
            if (a.isEmpty() || random.nextBoolean()) {
                a.add(junk);
            } else {
                a.set(random.nextInt(a.size()), junk);
            }
        }
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            node.forEach(child -> collect(child, out));
        }
    }
}
