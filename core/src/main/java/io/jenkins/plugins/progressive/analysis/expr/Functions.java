package io.jenkins.plugins.progressive.analysis.expr;

import java.util.List;
import java.util.Map;

/** The built-in functions; the only ones there are. */
final class Functions {

    private Functions() {
    }

    enum Fn {
        LEN("len", 1, 1), ALL("all", 2, 2), ANY("any", 2, 2), MIN("min", 1, Integer.MAX_VALUE),
        MAX("max", 1, Integer.MAX_VALUE), SUM("sum", 1, 1), AVG("avg", 1, 1), ABS("abs", 1, 1),
        IS_NAN("isNaN", 1, 1);

        final String name;
        final int minArgs;
        final int maxArgs;

        Fn(String name, int minArgs, int maxArgs) {
            this.name = name;
            this.minArgs = minArgs;
            this.maxArgs = maxArgs;
        }

        String usage() {
            return switch (this) {
                case ALL, ANY -> name + "(list, predicate over it)";
                case MIN, MAX -> name + "(list) or " + name + "(a, b, ...)";
                case LEN -> "len(list, string or map)";
                case SUM, AVG -> name + "(list)";
                default -> name + "(number)";
            };
        }

        static Fn named(String name) {
            for (Fn f : values()) {
                if (f.name.equals(name)) {
                    return f;
                }
            }
            return null;
        }

        static String names() {
            return "abs, all, any, avg, isNaN, len, max, min, sum";
        }
    }

    static Object call(Fn fn, Node[] args, Node.Env env, int pos) throws ExpressionException {
        switch (fn) {
            case LEN: {
                Object v = args[0].eval(env);
                if (v instanceof List<?> l) {
                    return (double) l.size();
                }
                if (v instanceof String s) {
                    return (double) s.length();
                }
                if (v instanceof Map<?, ?> m) {
                    return (double) m.size();
                }
                throw new ExpressionException("len() needs a list, string or map, got " + Values.type(v), pos);
            }
            case ALL:
            case ANY: {
                boolean all = fn == Fn.ALL;
                List<?> l = Values.list(args[0].eval(env), fn.name + "()", pos);
                for (Object e : l) {
                    Node.Env inner = env.withIt(Values.norm(e, pos));
                    Object r = args[1].eval(inner);
                    if (!(r instanceof Boolean b)) {
                        throw new ExpressionException("the predicate of " + fn.name + "() must be true or false, got "
                                + Values.type(r), args[1].pos);
                    }
                    if (all != b) {
                        return !all;
                    }
                }
                return all;
            }
            case MIN:
            case MAX:
            case SUM:
            case AVG: {
                double[] xs = numbers(fn, args, env, pos);
                if (xs.length == 0 && fn != Fn.SUM) {
                    throw new ExpressionException(fn.name + "() of an empty list", pos);
                }
                double acc = fn == Fn.MIN ? Double.POSITIVE_INFINITY
                        : fn == Fn.MAX ? Double.NEGATIVE_INFINITY : 0.0;
                for (double x : xs) {
                    acc = fn == Fn.MIN ? Math.min(acc, x) : fn == Fn.MAX ? Math.max(acc, x) : acc + x;
                }
                return fn == Fn.AVG ? acc / xs.length : acc;
            }
            case ABS:
                return Math.abs(Values.number(args[0].eval(env), "abs()", pos));
            case IS_NAN:
                return Double.isNaN(Values.number(args[0].eval(env), "isNaN()", pos));
            default:
                throw new IllegalStateException(fn.name);
        }
    }

    /** The numbers of {@code f(list)}, or of {@code f(a, b, ...)} for min and max. */
    private static double[] numbers(Fn fn, Node[] args, Node.Env env, int pos) throws ExpressionException {
        String what = fn.name + "()";
        if (args.length == 1) {
            Object v = args[0].eval(env);
            if (!(v instanceof List<?> l)) {
                throw new ExpressionException(what + " needs a list of numbers, got " + Values.type(v), pos);
            }
            double[] out = new double[l.size()];
            for (int i = 0; i < out.length; i++) {
                Object e = Values.norm(l.get(i), pos);
                if (!(e instanceof Double d)) {
                    throw new ExpressionException(what + " needs a list of numbers, element " + i + " is a "
                            + Values.type(e), pos);
                }
                out[i] = d;
            }
            return out;
        }
        double[] out = new double[args.length];
        for (int i = 0; i < args.length; i++) {
            out[i] = Values.number(args[i].eval(env), what, args[i].pos);
        }
        return out;
    }
}
