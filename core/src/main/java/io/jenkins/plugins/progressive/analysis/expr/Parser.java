package io.jenkins.plugins.progressive.analysis.expr;

import io.jenkins.plugins.progressive.analysis.expr.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive descent, one method per precedence level (lowest first): {@code ||}, {@code &&},
 * {@code == !=}, {@code < <= > >=}, {@code + -}, {@code * / %}, unary {@code ! -}, postfix
 * {@code .field [index]}, primary. Comparisons do not chain ({@code a < b < c} is an error).
 */
final class Parser {

    private final List<Token> tokens;
    private int at;
    private int depth;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static Node parse(String source) throws ExpressionException {
        Parser p = new Parser(Lexer.tokens(source));
        Node root = p.expression(0);
        Token t = p.peek();
        if (t.kind() != Kind.EOF) {
            throw new ExpressionException("expected an operator or end of expression but found " + t.describe(),
                    t.position());
        }
        return root;
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token advance() {
        Token t = tokens.get(at);
        if (t.kind() != Kind.EOF) {
            at++;
        }
        return t;
    }

    private boolean is(Kind k) {
        return peek().kind() == k;
    }

    private Token expect(Kind k, String what) throws ExpressionException {
        Token t = peek();
        if (t.kind() != k) {
            throw new ExpressionException("expected " + what + " but found " + t.describe(), t.position());
        }
        return advance();
    }

    private void enter(int pos) throws ExpressionException {
        if (++depth > Expression.MAX_DEPTH) {
            throw new ExpressionException("expression nested too deeply (more than " + Expression.MAX_DEPTH
                    + " levels)", pos);
        }
    }

    private static Node checked(Node n) throws ExpressionException {
        if (n.height > Expression.MAX_HEIGHT) {
            throw new ExpressionException("expression too complex (more than " + Expression.MAX_HEIGHT
                    + " chained operations)", n.pos);
        }
        return n;
    }

    /** One nesting level: the whole expression, or what '(' '[' or a call opened at {@code openedAt}. */
    private Node expression(int openedAt) throws ExpressionException {
        enter(openedAt);
        Node n = or();
        depth--;
        return n;
    }

    private Node or() throws ExpressionException {
        Node left = and();
        while (is(Kind.OR)) {
            Token op = advance();
            left = checked(new Node.Logic(op.position(), false, left, and()));
        }
        return left;
    }

    private Node and() throws ExpressionException {
        Node left = equality();
        while (is(Kind.AND)) {
            Token op = advance();
            left = checked(new Node.Logic(op.position(), true, left, equality()));
        }
        return left;
    }

    private Node equality() throws ExpressionException {
        Node left = comparison();
        if (is(Kind.EQ) || is(Kind.NE)) {
            Token op = advance();
            left = checked(new Node.Binary(op.position(), op.kind() == Kind.EQ ? Node.Op.EQ : Node.Op.NE, left,
                    comparison()));
            if (is(Kind.EQ) || is(Kind.NE)) {
                throw new ExpressionException("'" + peek().text() + "' cannot follow another equality test: "
                        + "use parentheses or &&", peek().position());
            }
        }
        return left;
    }

    private Node comparison() throws ExpressionException {
        Node left = additive();
        Node.Op op = comparisonOp(peek().kind());
        if (op != null) {
            Token t = advance();
            left = checked(new Node.Binary(t.position(), op, left, additive()));
            if (comparisonOp(peek().kind()) != null) {
                throw new ExpressionException("comparisons cannot be chained: write 'a < b && b < c'",
                        peek().position());
            }
        }
        return left;
    }

    private static Node.Op comparisonOp(Kind k) {
        return switch (k) {
            case LT -> Node.Op.LT;
            case LE -> Node.Op.LE;
            case GT -> Node.Op.GT;
            case GE -> Node.Op.GE;
            default -> null;
        };
    }

    private Node additive() throws ExpressionException {
        Node left = multiplicative();
        while (is(Kind.PLUS) || is(Kind.MINUS)) {
            Token op = advance();
            left = checked(new Node.Binary(op.position(), op.kind() == Kind.PLUS ? Node.Op.ADD : Node.Op.SUB, left,
                    multiplicative()));
        }
        return left;
    }

    private Node multiplicative() throws ExpressionException {
        Node left = unary();
        while (is(Kind.STAR) || is(Kind.SLASH) || is(Kind.PERCENT)) {
            Token op = advance();
            Node.Op o = op.kind() == Kind.STAR ? Node.Op.MUL : op.kind() == Kind.SLASH ? Node.Op.DIV : Node.Op.MOD;
            left = checked(new Node.Binary(op.position(), o, left, unary()));
        }
        return left;
    }

    private Node unary() throws ExpressionException {
        if (is(Kind.BANG) || is(Kind.MINUS)) {
            Token op = advance();
            enter(op.position());
            Node operand = unary();
            depth--;
            return checked(op.kind() == Kind.BANG ? new Node.Not(op.position(), operand)
                    : new Node.Negate(op.position(), operand));
        }
        return postfix();
    }

    private Node postfix() throws ExpressionException {
        Node n = primary();
        while (true) {
            if (is(Kind.DOT)) {
                Token dot = advance();
                Token name = peek();
                if (name.kind() != Kind.IDENT && name.kind() != Kind.TRUE && name.kind() != Kind.FALSE
                        && name.kind() != Kind.NULL) {
                    throw new ExpressionException("expected a field name after '.' but found " + name.describe(),
                            name.position());
                }
                advance();
                n = checked(new Node.Field(dot.position(), n, name.text()));
            } else if (is(Kind.LBRACKET)) {
                Token open = advance();
                Node index = expression(open.position());
                expect(Kind.RBRACKET, "']'");
                n = checked(new Node.Index(open.position(), n, index));
            } else {
                return n;
            }
        }
    }

    private Node primary() throws ExpressionException {
        Token t = peek();
        switch (t.kind()) {
            case NUMBER:
            case STRING:
            case TRUE:
            case FALSE:
            case NULL:
                advance();
                return new Node.Literal(t.position(), t.value());
            case LPAREN: {
                advance();
                Node inner = expression(t.position());
                expect(Kind.RPAREN, "')'");
                return inner;
            }
            case LBRACKET: {
                advance();
                List<Node> elements = new ArrayList<>();
                if (!is(Kind.RBRACKET)) {
                    elements.add(expression(t.position()));
                    while (is(Kind.COMMA)) {
                        advance();
                        elements.add(expression(t.position()));
                    }
                }
                expect(Kind.RBRACKET, "',' or ']'");
                return checked(new Node.ListLit(t.position(), elements.toArray(new Node[0])));
            }
            case IDENT:
                advance();
                if (is(Kind.LPAREN)) {
                    return call(t);
                }
                return new Node.Var(t.position(), t.text());
            default:
                throw new ExpressionException("expected a value (number, string, true, false, null, name, '(' or '[')"
                        + " but found " + t.describe(), t.position());
        }
    }

    private Node call(Token name) throws ExpressionException {
        Functions.Fn fn = Functions.Fn.named(name.text());
        if (fn == null) {
            throw new ExpressionException("unknown function '" + name.text() + "'; known: " + Functions.Fn.names(),
                    name.position());
        }
        advance();
        List<Node> args = new ArrayList<>();
        if (!is(Kind.RPAREN)) {
            args.add(expression(name.position()));
            while (is(Kind.COMMA)) {
                advance();
                args.add(expression(name.position()));
            }
        }
        expect(Kind.RPAREN, "',' or ')'");
        if (args.size() < fn.minArgs || args.size() > fn.maxArgs) {
            throw new ExpressionException(fn.name + "() takes " + arity(fn) + ", got " + args.size()
                    + ": use " + fn.usage(), name.position());
        }
        return checked(new Node.Call(name.position(), fn, args.toArray(new Node[0])));
    }

    private static String arity(Functions.Fn fn) {
        if (fn.maxArgs == Integer.MAX_VALUE) {
            return "at least " + fn.minArgs + " argument" + (fn.minArgs == 1 ? "" : "s");
        }
        return fn.minArgs + " argument" + (fn.minArgs == 1 ? "" : "s");
    }
}
