package io.jenkins.plugins.progressive.analysis.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpressionTest {

    private static Object eval(String src) throws ExpressionException {
        return Expression.parse(src).evaluate(Map.of());
    }

    private static Object eval(String src, Object result) throws ExpressionException {
        Map<String, Object> vars = new HashMap<>();
        vars.put("result", result);
        return Expression.parse(src).evaluate(vars);
    }

    private static ExpressionException parseError(String src) {
        try {
            Expression.parse(src);
        } catch (ExpressionException e) {
            return e;
        }
        throw new AssertionError("expected a parse error for: " + src);
    }

    private static ExpressionException evalError(String src, Object result) {
        try {
            Object v = eval(src, result);
            throw new AssertionError("expected an evaluation error for " + src + ", got " + v);
        } catch (ExpressionException e) {
            return e;
        }
    }

    @Nested
    class Values {
        @Test
        void numbersAreDoubles() throws Exception {
            assertThat(eval("42")).isEqualTo(42.0);
            assertThat(eval("0.25")).isEqualTo(0.25);
            assertThat(eval("1e-3")).isEqualTo(0.001);
            assertThat(eval("2.5E+2")).isEqualTo(250.0);
        }

        @Test
        void stringsWithBothQuotesAndEscapes() throws Exception {
            assertThat(eval("'ok'")).isEqualTo("ok");
            assertThat(eval("\"ok\"")).isEqualTo("ok");
            assertThat(eval("'it\\'s'")).isEqualTo("it's");
            assertThat(eval("\"say \\\"hi\\\"\"")).isEqualTo("say \"hi\"");
            assertThat(eval("'a\\nb\\tc\\\\d\\/e'")).isEqualTo("a\nb\tc\\d/e");
            assertThat(eval("'\\u00e9'")).isEqualTo("é");
            assertThat(eval("'\"'")).isEqualTo("\"");
        }

        @Test
        void booleansNullAndLists() throws Exception {
            assertThat(eval("true")).isEqualTo(true);
            assertThat(eval("false")).isEqualTo(false);
            assertThat(eval("null")).isNull();
            assertThat(eval("[1, 'a', true]")).isEqualTo(List.of(1.0, "a", true));
            assertThat(eval("[]")).isEqualTo(List.of());
        }

        @Test
        void callerNumbersOfAnyTypeReadAsDoubles() throws Exception {
            assertThat(eval("result == 3", 3)).isEqualTo(true);
            assertThat(eval("result == 3", 3L)).isEqualTo(true);
            assertThat(eval("result < 0.5", new BigDecimal("0.25"))).isEqualTo(true);
            assertThat(eval("result[1] + 1", List.of(1, 2))).isEqualTo(3.0);
            assertThat(eval("result.n * 2", Map.of("n", 21))).isEqualTo(42.0);
            assertThat(eval("result == [1, 2]", List.of(1, 2L))).isEqualTo(true);
        }

        @Test
        void indexingAndFieldAccess() throws Exception {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("status", "ok");
            json.put("checks", List.of(Map.of("name", "db", "up", true), Map.of("name", "cache", "up", false)));
            json.put("nothing", null);
            assertThat(eval("result.status == 'ok'", json)).isEqualTo(true);
            assertThat(eval("result['status']", json)).isEqualTo("ok");
            assertThat(eval("result.checks[1].name", json)).isEqualTo("cache");
            assertThat(eval("result.checks[0].up && !result.checks[1].up", json)).isEqualTo(true);
            assertThat(eval("result.nothing == null", json)).isEqualTo(true);
            assertThat(eval("[10, 20, 30][2]")).isEqualTo(30.0);
            assertThat(eval("result[0]", List.of(0.004))).isEqualTo(0.004);
        }
    }

    @Nested
    class Operators {
        @ParameterizedTest(name = "{0} = {1}")
        @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            "1 + 2 => 3.0", "5 - 7 => -2.0", "3 * 4 => 12.0", "7 / 2 => 3.5", "7 % 3 => 1.0", "-7 % 3 => -1.0",
            "-3 => -3.0", "--3 => 3.0", "- (2 + 3) => -5.0",
            "1 + 2 * 3 => 7.0", "(1 + 2) * 3 => 9.0", "10 - 4 - 3 => 3.0", "100 / 10 / 5 => 2.0",
            "2 * 3 % 4 => 2.0", "-2 * 3 => -6.0", "1 - -1 => 2.0"})
        void arithmetic(String src, double expected) throws Exception {
            assertThat(eval(src)).isEqualTo(expected);
        }

        @ParameterizedTest(name = "{0} is {1}")
        @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            "1 < 2 => true", "2 < 2 => false", "2 <= 2 => true", "3 <= 2 => false", "3 > 2 => true", "2 > 2 => false",
            "2 >= 2 => true", "1 >= 2 => false", "1 == 1 => true", "1 == 2 => false", "1 != 2 => true", "1 != 1 => false",
            "'a' == 'a' => true", "'a' != 'b' => true", "'abc' < 'abd' => true", "'b' >= 'a' => true",
            "true == true => true", "true != false => true", "null == null => true", "'x' == null => false",
            "[1, 2] == [1, 2] => true", "[1, 2] == [2, 1] => false", "[1] != [1, 2] => true",
            "true && true => true", "true && false => false", "false || true => true", "false || false => false",
            "!true => false", "!false => true", "!!true => true",
            // precedence: && binds tighter than ||, ! tighter than ==, arithmetic tighter than comparison
            "true || false && false => true", "(true || false) && false => false", "!false == true => true",
            "1 + 1 == 2 => true", "2 * 3 > 5 && 1 < 2 => true", "1 < 2 == true => true", "1 > 2 || 3 > 2 => true"})
        void logicAndComparison(String src, boolean expected) throws Exception {
            assertThat(eval(src)).isEqualTo(expected);
        }

        @Test
        void stringConcatenation() throws Exception {
            assertThat(eval("'can' + 'ary'")).isEqualTo("canary");
        }

        @Test
        void andOrShortCircuitSoTheRightSideMayBeInvalid() throws Exception {
            assertThat(eval("false && missing > 1")).isEqualTo(false);
            assertThat(eval("true || missing > 1")).isEqualTo(true);
            assertThat(eval("len(result) > 0 && result[0] < 1", List.of())).isEqualTo(false);
        }

        @Test
        void nanComparesFalseAndDivisionFollowsIeee() throws Exception {
            double nan = Double.NaN;
            assertThat(eval("result < 1", nan)).isEqualTo(false);
            assertThat(eval("result <= 1", nan)).isEqualTo(false);
            assertThat(eval("result > 1", nan)).isEqualTo(false);
            assertThat(eval("result >= 1", nan)).isEqualTo(false);
            assertThat(eval("result == result", nan)).isEqualTo(false);
            assertThat(eval("result != result", nan)).isEqualTo(true);
            assertThat(eval("0 / 0 < 1")).isEqualTo(false);
            assertThat(eval("isNaN(0 / 0)")).isEqualTo(true);
            assertThat(eval("1 / 0")).isEqualTo(Double.POSITIVE_INFINITY);
        }
    }

    @Nested
    class Functions {
        @Test
        void len() throws Exception {
            assertThat(eval("len([1, 2, 3])")).isEqualTo(3.0);
            assertThat(eval("len('abcd')")).isEqualTo(4.0);
            assertThat(eval("len(result)", Map.of("a", 1, "b", 2))).isEqualTo(2.0);
        }

        @Test
        void allAndAnyOverIt() throws Exception {
            List<Double> rates = List.of(0.001, 0.004, 0.009);
            assertThat(eval("all(result, it < 0.01)", rates)).isEqualTo(true);
            assertThat(eval("all(result, it < 0.005)", rates)).isEqualTo(false);
            assertThat(eval("any(result, it > 0.008)", rates)).isEqualTo(true);
            assertThat(eval("any(result, it > 0.5)", rates)).isEqualTo(false);
            assertThat(eval("all([], it > 1)")).isEqualTo(true);
            assertThat(eval("any([], it > 1)")).isEqualTo(false);
            assertThat(eval("all(result, it.up)", List.of(Map.of("up", true), Map.of("up", true)))).isEqualTo(true);
            // nested: the inner it shadows the outer one
            assertThat(eval("all([[1, 2], [3]], any(it, it >= 2))")).isEqualTo(true);
            assertThat(eval("all([[1, 2], [1]], any(it, it >= 2))")).isEqualTo(false);
        }

        @Test
        void aggregates() throws Exception {
            List<Double> xs = List.of(3.0, -1.0, 4.0);
            assertThat(eval("min(result)", xs)).isEqualTo(-1.0);
            assertThat(eval("max(result)", xs)).isEqualTo(4.0);
            assertThat(eval("sum(result)", xs)).isEqualTo(6.0);
            assertThat(eval("avg(result)", xs)).isEqualTo(2.0);
            assertThat(eval("min(3, 1, 2)")).isEqualTo(1.0);
            assertThat(eval("max(3, 1, 2)")).isEqualTo(3.0);
            assertThat(eval("sum([])")).isEqualTo(0.0);
            assertThat(eval("abs(-2.5)")).isEqualTo(2.5);
            assertThat(eval("isNaN(1)")).isEqualTo(false);
            assertThat(eval("isNaN(result)", Double.NaN)).isEqualTo(true);
        }
    }

    @Nested
    class Errors {
        @ParameterizedTest(name = "{0} -> {2} at {1}")
        @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            "(1 + 2 => 6 => expected ')' but found end of expression",
            "result < 0.01) => 13 => expected an operator or end of expression but found ')'",
            "1 + => 3 => expected a value",
            "result = 1 => 7 => use '==' to compare",
            "a & b => 2 => use '&&'",
            "a | b => 2 => use '||'",
            "'open => 0 => unterminated string: expected closing '",
            "'bad \\q' => 5 => unknown escape '\\q'",
            "'\\u12' => 1 => expected 4 hex digits",
            "1 # 2 => 2 => unexpected character '#'",
            "foo(1) => 0 => unknown function 'foo'",
            "len(1, 2) => 0 => len() takes 1 argument, got 2",
            "all([1]) => 0 => all() takes 2 arguments, got 1",
            "[1, 2 => 5 => expected ',' or ']'",
            "result. => 7 => expected a field name after '.'",
            "1 < 2 < 3 => 6 => comparisons cannot be chained",
            "1 == 1 == true => 7 => cannot follow another equality test",
            "1e => 1 => expected digits of the exponent",
            "12abc => 2 => unexpected 'a' after a number",
            "1e999 => 0 => out of range",
            "`   ` => 0 => empty expression"})
        void parseErrorsNameThePositionAndWhatWasExpected(String src, int position, String message) {
            ExpressionException e = parseError(src == null ? "" : src);
            assertThat(e.position()).isEqualTo(position);
            assertThat(e.getMessage()).contains(message).endsWith("(at position " + position + ")");
        }

        @Test
        void theBriefsExample() {
            ExpressionException e = parseError("max(result, (1");
            assertThat(e.getMessage()).startsWith("expected ')'");
            assertThat(e.position()).isEqualTo(14);
        }

        @ParameterizedTest(name = "{0} -> {2} at {1}")
        @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            "result < 'a' => 7 => cannot compare number with string using <",
            "result == 'a' => 7 => cannot compare number with string",
            "'a' - 'b' => 4 => cannot apply '-' to string and string",
            "'a' + 1 => 4 => cannot apply '+' to string and number (it adds two numbers or joins two strings)",
            "'a' * 2 => 4 => cannot apply '*' to string and number",
            "-'a' => 0 => unary '-' needs a number, got string",
            "!result => 0 => '!' needs true or false, got number",
            "result && true => 7 => '&&' needs true or false, got number",
            "false || result => 6 => '||' needs true or false, got number",
            "missing > 1 => 0 => unknown variable 'missing'; known: result",
            "it > 1 => 0 => 'it' exists only inside all() and any()",
            "result.status => 6 => cannot read field 'status' of a number",
            "result[0] => 6 => cannot index a number",
            "[1, 2][2] => 6 => index 2 out of range: the list has 2 elements",
            "[1, 2][-1] => 6 => index -1 out of range",
            "[1, 2][0.5] => 6 => a list index must be a whole number, got 0.5",
            "[1, 2]['a'] => 6 => a list index must be a whole number, got string",
            "len(result) => 0 => len() needs a list, string or map, got number",
            "all(result, true) => 0 => all() needs a list, got number",
            "all([1], it) => 9 => the predicate of all() must be true or false, got number",
            "min([]) => 0 => min() of an empty list",
            "avg(['a']) => 0 => avg() needs a list of numbers, element 0 is a string",
            "abs('a') => 0 => abs() needs a number, got string",
            "result < [1] => 7 => cannot compare number with list using <",
            "true < false => 5 => cannot compare boolean with boolean using <"})
        void typeErrorsAreStrict(String src, int position, String message) {
            ExpressionException e = evalError(src, 0.5);
            assertThat(e.getMessage()).contains(message);
            assertThat(e.position()).isEqualTo(position);
        }

        @Test
        void unknownVariableWithNoVariablesAtAll() throws Exception {
            assertThatThrownBy(() -> Expression.parse("result > 1").evaluate(null))
                    .isInstanceOf(ExpressionException.class).hasMessageContaining("unknown variable 'result'; known: none");
        }

        @Test
        void missingFieldOfAJsonObject() {
            ExpressionException e = evalError("result.state == 'ok'", Map.of("status", "ok"));
            assertThat(e.getMessage()).contains("no field 'state'");
            assertThat(e.position()).isEqualTo(6);
        }

        @Test
        void unsupportedCallerObjectsAreRejectedNotCalled() {
            ExpressionException e = evalError("result == 1", new Object() {
                @Override
                public String toString() {
                    throw new AssertionError("must not be called");
                }
            });
            assertThat(e.getMessage()).contains("unsupported value");
        }
    }

    @Nested
    class Limits {
        @Test
        void lengthLimit() throws Exception {
            String ok = "1" + " ".repeat(Expression.MAX_LENGTH - 1);
            assertThat(Expression.parse(ok).evaluate(Map.of())).isEqualTo(1.0);
            ExpressionException e = parseError(ok + " ");
            assertThat(e.getMessage()).contains("longer than 4096 characters");
            assertThat(e.position()).isEqualTo(4096);
        }

        @Test
        void nestingDepthLimitIsADeterministicError() throws Exception {
            String ok = "(".repeat(63) + "1" + ")".repeat(63);
            assertThat(eval(ok)).isEqualTo(1.0);
            ExpressionException parens = parseError("(".repeat(64) + "1" + ")".repeat(64));
            assertThat(parens.getMessage()).contains("nested too deeply (more than 64 levels)");
            assertThat(parens.position()).isEqualTo(63);
            assertThat(parseError("!".repeat(100) + "true").getMessage()).contains("nested too deeply");
            assertThat(parseError("-".repeat(100) + "1").getMessage()).contains("nested too deeply");
            assertThat(parseError("[".repeat(1000) + "]".repeat(1000)).getMessage()).contains("nested too deeply");
            assertThat(parseError("len(".repeat(500)).getMessage()).contains("nested too deeply");
        }

        @Test
        void longChainsAreBoundedToo() throws Exception {
            assertThat(eval(String.join(" + ", java.util.Collections.nCopies(500, "1")))).isEqualTo(500.0);
            String tooLong = String.join("+", java.util.Collections.nCopies(2000, "1"));
            assertThat(parseError(tooLong).getMessage()).contains("too complex");
            String indexChain = "[0]" + "[0]".repeat(1000);
            assertThat(parseError(indexChain).getMessage()).contains("too complex");
        }

        @Test
        void deeplyNestedCallerDataIsComparedWithABoundToo() {
            Object nested = List.of();
            for (int i = 0; i < 10_000; i++) {
                nested = List.of(nested);
            }
            ExpressionException e = evalError("result == result", nested);
            assertThat(e.getMessage()).contains("nested too deeply to compare");
        }

        @Test
        void concatenationCannotBlowUpMemory() {
            String big = "x".repeat(600_000);
            ExpressionException e = evalError("result + result", big);
            assertThat(e.getMessage()).contains("string longer than");
        }
    }

    @Test
    void parsedExpressionIsReusableAndShowsItsSource() throws Exception {
        Expression e = Expression.parse("result < 0.01");
        assertThat(e.evaluate(Map.of("result", 0.001))).isEqualTo(true);
        assertThat(e.evaluate(Map.of("result", 0.5))).isEqualTo(false);
        assertThat(e).hasToString("result < 0.01");
        assertThat(Arrays.asList(e.evaluate(Map.of("result", 0.0)))).containsExactly(true);
    }
}
