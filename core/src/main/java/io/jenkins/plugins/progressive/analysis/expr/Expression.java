package io.jenkins.plugins.progressive.analysis.expr;

import java.util.Map;

/**
 * A condition in the safe expression language (numbers, strings, lists, comparisons, {@code &&},
 * {@code ||}, {@code !}, arithmetic, {@code len}, {@code all}, {@code any}). It can read only the
 * variables it is given; it never reaches the JVM.
 */
public final class Expression {

    private final String source;

    private Expression(String source) {
        this.source = source;
    }

    /**
     * @throws ExpressionException naming the position and what was expected
     */
    public static Expression parse(String source) throws ExpressionException {
        if (source == null || source.isBlank()) {
            throw new ExpressionException("empty expression", 0);
        }
        return new Expression(source);
    }

    /**
     * @param variables {@code result} and any others; values are Double, String, Boolean or List of those
     * @return the value, usually a Boolean for a condition
     * @throws ExpressionException on a type error or an unknown variable
     */
    public Object evaluate(Map<String, Object> variables) throws ExpressionException {
        throw new ExpressionException("not yet implemented", 0);
    }

    @Override
    public String toString() {
        return source;
    }
}
