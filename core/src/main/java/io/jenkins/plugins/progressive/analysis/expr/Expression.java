package io.jenkins.plugins.progressive.analysis.expr;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;

/**
 * A condition in the safe expression language. It can read only the variables it is given; it never
 * reaches the JVM (own lexer, parser and tree evaluator; no script engine, no reflection).
 *
 * <p>Values: numbers (doubles), strings ({@code 'a'} or {@code "a"}, escapes <code>\\ \' \" \n \t \r \/
 * &#92;uXXXX</code>), {@code true}, {@code false}, {@code null}, lists {@code [1, 2]}, maps (JSON objects, read with
 * {@code m.field} or {@code m["field"]}), list indexing {@code result[0]}.
 * Operators, loosest first: {@code ||}; {@code &&}; {@code == !=}; {@code < <= > >=}; {@code + -};
 * {@code * / %}; unary {@code ! -}. Functions: {@code len}, {@code all(list, pred)}, {@code any(list, pred)}
 * (the predicate reads the element as {@code it}), {@code min}, {@code max}, {@code sum}, {@code avg},
 * {@code abs}, {@code isNaN}.
 *
 * <p>Typing is strict: comparing or combining values of different types, arithmetic on strings (except
 * {@code +} of two strings), {@code !}/{@code &&}/{@code ||} on non-booleans, an unknown variable, field or
 * function, an index out of range are errors. Numbers follow IEEE 754: a NaN is neither less, equal nor
 * greater than anything ({@code <, <=, ==, >=, >} are false, {@code !=} is true), {@code x / 0} is infinite.
 *
 * <p>Limits: {@value #MAX_LENGTH} characters, {@value #MAX_DEPTH} levels of nesting, {@value #MAX_HEIGHT}
 * chained operations; beyond them parsing fails with an {@link ExpressionException}, never a stack overflow.
 * A parsed expression is immutable and safe to evaluate from many threads at once.
 */
public final class Expression {

    public static final int MAX_LENGTH = 4096;
    public static final int MAX_DEPTH = 64;
    static final int MAX_HEIGHT = 512;
    static final int MAX_STRING = 1_000_000;

    private final String source;
    private final Node root;

    private Expression(String source, Node root) {
        this.source = source;
        this.root = root;
    }

    /**
     * @throws ExpressionException naming the position and what was expected
     */
    public static Expression parse(String source) throws ExpressionException {
        if (source == null || source.isBlank()) {
            throw new ExpressionException("empty expression", 0);
        }
        if (source.length() > MAX_LENGTH) {
            throw new ExpressionException("expression longer than " + MAX_LENGTH + " characters", MAX_LENGTH);
        }
        return new Expression(source, Parser.parse(source));
    }

    /**
     * @param variables {@code result} and any others; values are Double (any Number is read as one), String,
     *                  Boolean, null, List or Map of those
     * @return the value, usually a Boolean for a condition
     * @throws ExpressionException on a type error or an unknown variable
     */
    public Object evaluate(Map<String, Object> variables) throws ExpressionException {
        return root.eval(new Node.Env(variables == null ? Map.of() : variables, false, null));
    }

    @Override
    public String toString() {
        return source;
    }

    /** A number as people write it: {@code 3}, {@code 0.25}, {@code 1.5e-7}. */
    static String render(Object v) {
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return d.toString();
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return Long.toString(d.longValue());
            }
            return new BigDecimal(d).round(MathContext.DECIMAL64).stripTrailingZeros().toString();
        }
        return Values.type(v);
    }
}
