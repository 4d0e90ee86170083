package io.jenkins.plugins.progressive.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import io.jenkins.plugins.progressive.metrics.TemplateVars.Escaping;
import java.net.URI;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TemplateVarsTest {

    private static final Map<String, String> VARS = Map.of("canary.version", "1.4.2", "stable.version", "1.4.1",
            "name", "shop", "namespace", "prod");

    @Test
    void substitutesEveryVariableWithOrWithoutSpaces() {
        assertThat(TemplateVars.substitute("{{name}}/{{ namespace }}: {{canary.version}} vs {{stable.version}}",
                VARS, Escaping.PROMQL, "f")).isEqualTo("shop/prod: 1.4.2 vs 1.4.1");
    }

    @Test
    void aVariableWithoutValueNamesTheFieldAndWhatIsAvailable() {
        assertThatThrownBy(() -> TemplateVars.substitute("x{{canary.verison}}", VARS, Escaping.PROMQL,
                "prometheus.query"))
                .isInstanceOf(MetricException.class)
                .hasMessage("prometheus.query: template variable {{canary.verison}} has no value here (available:"
                        + " [canary.version, name, namespace, stable.version])");
        assertThatThrownBy(() -> TemplateVars.substitute("{{secret:x}}", VARS, Escaping.URL, "web.url"))
                .hasMessage("web.url: {{secret:x}} is only allowed in web headers");
    }

    @Test
    void headersRefuseLineBreaks() {
        assertThatThrownBy(() -> TemplateVars.substitute("v={{name}}", Map.of("name", "a\r\nX-Evil: 1"),
                Escaping.HEADER, "web.headers.X"))
                .isInstanceOf(MetricException.class).hasMessageContaining("line break");
    }

    @Property(tries = 300)
    void anyValueStaysOneJsonString(@ForAll String value) throws Exception {
        String body = TemplateVars.substitute("{\"v\": \"{{name}}\"}", Map.of("name", value), Escaping.JSON, "web.body");
        assertThat(new ObjectMapper().readTree(body).path("v").asText()).isEqualTo(value);
    }

    @Property(tries = 300)
    void anyValueStaysOneUrlQueryParameter(@ForAll String value) {
        String url = TemplateVars.substitute("http://h/p?v={{name}}&w=1", Map.of("name", value), Escaping.URL,
                "web.url");
        URI uri = URI.create(url);
        assertThat(uri.getRawQuery()).startsWith("v=").endsWith("&w=1").containsOnlyOnce("&");
        assertThat(java.net.URLDecoder.decode(uri.getRawQuery().substring(2, uri.getRawQuery().length() - 4),
                java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(value);
    }

    @Property(tries = 300)
    void anyValueStaysInsideAPromqlString(@ForAll String value) {
        String escaped = TemplateVars.substitute("{{name}}", Map.of("name", value), Escaping.PROMQL, "q");
        // Unescape the way PromQL reads a double-quoted string: what comes out is the value, whole.
        StringBuilder read = new StringBuilder();
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            assertThat(c).as("an unescaped quote or line break would end the string").isNotIn('"', '\n', '\r');
            if (c == '\\') {
                char next = escaped.charAt(++i);
                read.append(switch (next) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    default -> next;
                });
            } else {
                read.append(c);
            }
        }
        assertThat(read.toString()).isEqualTo(value);
    }
}
