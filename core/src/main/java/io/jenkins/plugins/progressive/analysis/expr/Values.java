package io.jenkins.plugins.progressive.analysis.expr;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * The value types of the language and their strict rules. Values are {@code null}, Double, String,
 * Boolean, List and Map (a JSON object); any other Number a caller passes in is read as a Double.
 * Nothing here calls a method on a value of another type, so a caller's object can never run code.
 */
final class Values {

    private Values() {
    }

    static Object norm(Object v, int pos) throws ExpressionException {
        if (v == null || v instanceof Double || v instanceof String || v instanceof Boolean
                || v instanceof List || v instanceof Map) {
            return v;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof Float || v instanceof BigDecimal || v instanceof BigInteger) {
            return ((Number) v).doubleValue();
        }
        throw new ExpressionException("unsupported value of type " + v.getClass().getSimpleName(), pos);
    }

    static String type(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Number) {
            return "number";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Boolean) {
            return "boolean";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "map";
        }
        return v.getClass().getSimpleName();
    }

    static double number(Object v, String what, int pos) throws ExpressionException {
        if (v instanceof Double d) {
            return d;
        }
        throw new ExpressionException(what + " needs a number, got " + type(v), pos);
    }

    static boolean bool(Object v, String what, int pos) throws ExpressionException {
        if (v instanceof Boolean b) {
            return b;
        }
        throw new ExpressionException(what + " needs true or false, got " + type(v), pos);
    }

    static List<?> list(Object v, String what, int pos) throws ExpressionException {
        if (v instanceof List<?> l) {
            return l;
        }
        throw new ExpressionException(what + " needs a list, got " + type(v), pos);
    }

    /** {@code ==}: same type required (null equals only null); NaN equals nothing. */
    static boolean equal(Object a, Object b, int pos) throws ExpressionException {
        return equal(a, b, pos, 0);
    }

    private static boolean equal(Object a, Object b, int pos, int depth) throws ExpressionException {
        if (depth > Expression.MAX_DEPTH) {
            throw new ExpressionException("lists nested too deeply to compare (more than " + Expression.MAX_DEPTH
                    + " levels)", pos);
        }
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof Double x && b instanceof Double y) {
            return x.doubleValue() == y.doubleValue();
        }
        if (a instanceof String x && b instanceof String y) {
            return x.equals(y);
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return x.booleanValue() == y.booleanValue();
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!equal(norm(x.get(i), pos), norm(y.get(i), pos), pos, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        throw new ExpressionException("cannot compare " + type(a) + " with " + type(b), pos);
    }

    /** Ordering of two numbers or two strings; -2 when a NaN makes them unordered. */
    static int order(Object a, Object b, String op, int pos) throws ExpressionException {
        if (a instanceof Double x && b instanceof Double y) {
            if (x.isNaN() || y.isNaN()) {
                return -2;
            }
            return Double.compare(x + 0.0, y + 0.0);
        }
        if (a instanceof String x && b instanceof String y) {
            return Integer.signum(x.compareTo(y));
        }
        throw new ExpressionException("cannot compare " + type(a) + " with " + type(b) + " using " + op, pos);
    }
}
