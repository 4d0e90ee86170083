package io.jenkins.plugins.progressive.analysis.expr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/** Whatever a user types, the language answers with a value or an ExpressionException, never anything else. */
class ExpressionPropertiesTest {

    private static final List<String> TOKENS = List.of(
            "result", "it", "x", "len", "all", "any", "min", "max", "sum", "avg", "abs", "isNaN", "foo",
            "true", "false", "null", "0", "1", "2.5", "1e3", "-", "+", "*", "/", "%", "!", "&&", "||", "==", "!=",
            "<", "<=", ">", ">=", "(", ")", "[", "]", ",", ".", "'a'", "\"b\"", "'", "\"", "\\", "=", "&", "|",
            "status", "[0]", ".status", "#", " ", "\u00e9", "\u0000");

    private static final Map<String, Object> VARS = new HashMap<>();

    static {
        Map<String, Object> json = new HashMap<>();
        json.put("status", "ok");
        json.put("n", 3);
        json.put("list", List.of(1, 2, 3));
        json.put("nothing", null);
        VARS.put("result", List.of(0.5, 1.0, Double.NaN));
        VARS.put("x", json);
    }

    @Property(tries = 500)
    void randomCharactersNeverThrowAnythingElse(@ForAll @StringLength(max = 120) String source) {
        assertOnlyExpressionExceptions(source);
    }

    @Property(tries = 500)
    void randomTokenSoupNeverThrowsAnythingElse(@ForAll("tokenSoup") String source) {
        assertOnlyExpressionExceptions(source);
    }

    @Property(tries = 200)
    void deepOrLongGarbageNeverOverflowsTheStack(@ForAll("deep") String source) {
        assertOnlyExpressionExceptions(source);
    }

    @Provide
    Arbitrary<String> tokenSoup() {
        return Arbitraries.of(TOKENS).list().ofMaxSize(40)
                .flatMap(tokens -> Arbitraries.of("", " ").map(sep -> String.join(sep, tokens)));
    }

    @Provide
    Arbitrary<String> deep() {
        Arbitrary<String> opener = Arbitraries.of("(", "[", "!", "-", "len(", "all(result, ", "x.list[");
        return opener.list().ofMinSize(50).ofMaxSize(1500).map(l -> String.join("", l) + "1");
    }

    private static void assertOnlyExpressionExceptions(String source) {
        Object outcome;
        try {
            outcome = Expression.parse(source).evaluate(VARS);
        } catch (ExpressionException e) {
            assertThat(e.position()).isBetween(0, Math.max(0, source == null ? 0 : source.length()));
            assertThat(e.getMessage()).isNotBlank();
            outcome = e;
        }
        assertThat(outcome == null || outcome instanceof Double || outcome instanceof String
                || outcome instanceof Boolean || outcome instanceof List || outcome instanceof Map
                || outcome instanceof ExpressionException).as("outcome of %s", source).isTrue();
    }
}
