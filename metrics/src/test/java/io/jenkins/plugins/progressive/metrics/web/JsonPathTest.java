package io.jenkins.plugins.progressive.metrics.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonPathTest {

    private static final JsonNode DOC = parse("""
            {"status": "ok", "healthy": true, "latency": {"p50": 0.1, "p99": 0.25},
             "a b": 5, "it's": 6, "items": [{"v": 1}, {"v": 2}, {"w": 3}], "none": null,
             "empty": [], "counts": {"x": 1, "y": 2}}
            """);

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            $.status            | ok
            $.healthy           | true
            $.latency.p99       | 0.25
            $['a b']            | 5.0
            $["a b"]            | 5.0
            $['it\\'s']         | 6.0
            $.items[0].v        | 1.0
            $.items[-1].w       | 3.0
            $['latency']['p50'] | 0.1
            $.items.length()    | 3.0
            $.counts.length()   | 2.0
            $.status.length()   | 2.0
            $.empty.length()    | 0.0
            """)
    void selectsOneValue(String path, String expected) {
        Object value = JsonPath.compile(path).read(DOC);
        assertThat(String.valueOf(value)).isEqualTo(expected);
    }

    @Test
    void wildcardsGiveListsAndSkipElementsWithoutTheField() {
        assertThat(JsonPath.compile("$.items[*].v").read(DOC)).isEqualTo(List.of(1.0, 2.0));
        assertThat(JsonPath.compile("$.counts.*").read(DOC)).isEqualTo(List.of(1.0, 2.0));
        assertThat(JsonPath.compile("$.items[*].length()").read(DOC)).isEqualTo(3.0);
    }

    @Test
    void objectsAndArraysBecomeMapsAndLists() {
        assertThat(JsonPath.compile("$.latency").read(DOC)).isEqualTo(Map.of("p50", 0.1, "p99", 0.25));
        assertThat(JsonPath.compile("$.items").read(DOC))
                .isEqualTo(List.of(Map.of("v", 1.0), Map.of("v", 2.0), Map.of("w", 3.0)));
        assertThat(JsonPath.compile("$").read(parse("[1, \"a\", false]"))).isEqualTo(List.of(1.0, "a", false));
    }

    @Test
    void missingValuesAreNoData() {
        assertThatThrownBy(() -> JsonPath.compile("$.x").read(DOC))
                .isInstanceOf(MetricException.class).hasMessage("no data: $.x not found in response");
        assertThatThrownBy(() -> JsonPath.compile("$.latency.p999").read(DOC))
                .hasMessage("no data: $.latency.p999 not found in response");
        assertThatThrownBy(() -> JsonPath.compile("$.items[7]").read(DOC))
                .hasMessage("no data: $.items[7] not found in response");
        assertThatThrownBy(() -> JsonPath.compile("$.none").read(DOC))
                .hasMessage("no data: $.none is null in response");
        assertThatThrownBy(() -> JsonPath.compile("$.items[*].x").read(DOC))
                .hasMessage("no data: $.items[*].x matched nothing in response");
        assertThatThrownBy(() -> JsonPath.compile("$.status.v").read(DOC))
                .hasMessage("no data: $.status.v not found in response");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "status", "$..status", "$.items[?(@.v > 1)]", "$.items[", "$['a b'", "$.",
            "$.length().v", "$.items[x]", "$ .a"})
    void pathsOutsideTheSubsetAreRefusedWithTheSupportedSyntax(String path) {
        assertThatThrownBy(() -> JsonPath.compile(path))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("jsonPath '" + path.strip() + "' at position")
                .hasMessageContaining("supported: $, $.a.b");
    }

    @Property(tries = 200)
    void anyFieldNameCanBeReadWithTheBracketForm(@ForAll @StringLength(max = 20) String name) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode().put(name, "found");
        String quoted = "$['" + name.replace("\\", "\\\\").replace("'", "\\'") + "']";
        assertThat(JsonPath.compile(quoted).read(doc)).isEqualTo("found");
    }

    private static JsonNode parse(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
