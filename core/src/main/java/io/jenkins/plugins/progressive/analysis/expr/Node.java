package io.jenkins.plugins.progressive.analysis.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The parsed tree; each node evaluates itself. {@code pos} is where errors about the node point. */
abstract class Node {

    final int pos;
    /** Height of the tree under this node, bounded by the parser so evaluation cannot overflow the stack. */
    final int height;

    Node(int pos, Node... children) {
        this.pos = pos;
        int h = 0;
        for (Node c : children) {
            h = Math.max(h, c.height);
        }
        this.height = h + 1;
    }

    abstract Object eval(Env env) throws ExpressionException;

    /** Variables of one evaluation, plus the element {@code it} inside an all()/any() predicate. */
    static final class Env {
        final Map<String, Object> vars;
        final boolean hasIt;
        final Object it;

        Env(Map<String, Object> vars, boolean hasIt, Object it) {
            this.vars = vars;
            this.hasIt = hasIt;
            this.it = it;
        }

        Env withIt(Object value) {
            return new Env(vars, true, value);
        }
    }

    static final class Literal extends Node {
        private final Object value;

        Literal(int pos, Object value) {
            super(pos);
            this.value = value;
        }

        @Override
        Object eval(Env env) {
            return value;
        }
    }

    static final class Var extends Node {
        private final String name;

        Var(int pos, String name) {
            super(pos);
            this.name = name;
        }

        @Override
        Object eval(Env env) throws ExpressionException {
            if (env.hasIt && name.equals("it")) {
                return env.it;
            }
            Object v = env.vars.get(name);
            if (v == null && !env.vars.containsKey(name)) {
                String hint = name.equals("it") ? " ('it' exists only inside all() and any())" : "";
                throw new ExpressionException("unknown variable '" + name + "'" + hint
                        + "; known: " + known(env.vars), pos);
            }
            return Values.norm(v, pos);
        }

        private static String known(Map<String, Object> vars) {
            java.util.TreeSet<String> names = new java.util.TreeSet<>();
            for (Object k : vars.keySet()) {
                if (k instanceof String s) {
                    names.add(s);
                }
            }
            return names.isEmpty() ? "none" : String.join(", ", names);
        }
    }

    static final class ListLit extends Node {
        private final Node[] elements;

        ListLit(int pos, Node[] elements) {
            super(pos, elements);
            this.elements = elements;
        }

        @Override
        Object eval(Env env) throws ExpressionException {
            List<Object> out = new ArrayList<>(elements.length);
            for (Node e : elements) {
                out.add(e.eval(env));
            }
            return out;
        }
    }

    static final class Field extends Node {
        private final Node target;
        private final String name;

        Field(int pos, Node target, String name) {
            super(pos, target);
            this.target = target;
            this.name = name;
        }

        @Override
        Object eval(Env env) throws ExpressionException {
            Object t = target.eval(env);
            if (!(t instanceof Map<?, ?> m)) {
                throw new ExpressionException("cannot read field '" + name + "' of a " + Values.type(t), pos);
            }
            if (!m.containsKey(name)) {
                throw new ExpressionException("no field '" + name + "'", pos);
            }
            return Values.norm(m.get(name), pos);
        }
    }

    static final class Index extends Node {
        private final Node target;
        private final Node index;

        Index(int pos, Node target, Node index) {
            super(pos, target, index);
            this.target = target;
            this.index = index;
        }

        @Override
        Object eval(Env env) throws ExpressionException {
            Object t = target.eval(env);
            Object i = index.eval(env);
            if (t instanceof List<?> l) {
                if (!(i instanceof Double d) || d != Math.rint(d)) {
                    throw new ExpressionException("a list index must be a whole number, got "
                            + (i instanceof Double ? Expression.render(i) : Values.type(i)), pos);
                }
                if (d < 0 || d >= l.size()) {
                    throw new ExpressionException("index " + Expression.render(i) + " out of range: the list has "
                            + l.size() + " element" + (l.size() == 1 ? "" : "s"), pos);
                }
                return Values.norm(l.get(d.intValue()), pos);
            }
            if (t instanceof Map<?, ?> m) {
                if (!(i instanceof String key)) {
                    throw new ExpressionException("a map key must be a string, got " + Values.type(i), pos);
                }
                if (!m.containsKey(key)) {
                    throw new ExpressionException("no field '" + key + "'", pos);
                }
                return Values.norm(m.get(key), pos);
            }
            throw new ExpressionException("cannot index a " + Values.type(t), pos);
        }
    }

    static final class Not extends Node {
        private final Node operand;

        Not(int pos, Node operand) {
            super(pos, operand);
            this.operand = operand;
        }

        @Override
        Object eval(Env env) throws ExpressionException {
            return !Values.bool(operand.eval(env), "'!'", pos);
        }
    }

    static final class Negate extends Node {
        private final Node operand;

        Negate(int pos, Node operand) {
            super(pos, operand);
            this.operand = operand;
        }

        @Override
        Object eval(Env env) throws ExpressionException {
            return -Values.number(operand.eval(env), "unary '-'", pos);
        }
    }

    /** {@code &&} and {@code ||}, short-circuit, booleans only. */
    static final class Logic extends Node {
        private final boolean and;
        private final Node left;
        private final Node right;

        Logic(int pos, boolean and, Node left, Node right) {
            super(pos, left, right);
            this.and = and;
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(Env env) throws ExpressionException {
            String op = and ? "'&&'" : "'||'";
            boolean l = Values.bool(left.eval(env), op, pos);
            if (and ? !l : l) {
                return l;
            }
            return Values.bool(right.eval(env), op, pos);
        }
    }

    enum Op {
        ADD("+"), SUB("-"), MUL("*"), DIV("/"), MOD("%"), EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }
    }

    static final class Binary extends Node {
        private final Op op;
        private final Node left;
        private final Node right;

        Binary(int pos, Op op, Node left, Node right) {
            super(pos, left, right);
            this.op = op;
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(Env env) throws ExpressionException {
            Object a = left.eval(env);
            Object b = right.eval(env);
            switch (op) {
                case EQ:
                    return Values.equal(a, b, pos);
                case NE:
                    return !Values.equal(a, b, pos);
                case LT:
                    return Values.order(a, b, op.symbol, pos) == -1;
                case LE: {
                    int c = Values.order(a, b, op.symbol, pos);
                    return c == -1 || c == 0;
                }
                case GT:
                    return Values.order(a, b, op.symbol, pos) == 1;
                case GE:
                    return Values.order(a, b, op.symbol, pos) >= 0;
                case ADD:
                    if (a instanceof String x && b instanceof String y) {
                        if ((long) x.length() + y.length() > Expression.MAX_STRING) {
                            throw new ExpressionException("string longer than " + Expression.MAX_STRING
                                    + " characters", pos);
                        }
                        return x + y;
                    }
                    return arithmetic(a, b);
                default:
                    return arithmetic(a, b);
            }
        }

        private Object arithmetic(Object a, Object b) throws ExpressionException {
            if (!(a instanceof Double x) || !(b instanceof Double y)) {
                String allowed = op == Op.ADD ? " (it adds two numbers or joins two strings)" : "";
                throw new ExpressionException("cannot apply '" + op.symbol + "' to " + Values.type(a) + " and "
                        + Values.type(b) + allowed, pos);
            }
            switch (op) {
                case ADD: return x + y;
                case SUB: return x - y;
                case MUL: return x * y;
                case DIV: return x / y;
                default: return x % y;
            }
        }
    }

    static final class Call extends Node {
        private final Functions.Fn fn;
        private final Node[] args;

        Call(int pos, Functions.Fn fn, Node[] args) {
            super(pos, args);
            this.fn = fn;
            this.args = args;
        }

        @Override
        Object eval(Env env) throws ExpressionException {
            return Functions.call(fn, args, env, pos);
        }
    }
}
