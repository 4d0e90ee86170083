package io.jenkins.plugins.progressive.analysis.expr;

/** One lexical token; {@code text} is the source text, {@code value} the literal's value if any. */
record Token(Kind kind, String text, Object value, int position) {

    enum Kind {
        NUMBER, STRING, IDENT, TRUE, FALSE, NULL,
        LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, DOT,
        PLUS, MINUS, STAR, SLASH, PERCENT, BANG,
        AND, OR, EQ, NE, LT, LE, GT, GE,
        EOF
    }

    /** How the token reads in an error message. */
    String describe() {
        return switch (kind) {
            case EOF -> "end of expression";
            case STRING -> "string " + text;
            case NUMBER -> "number " + text;
            case IDENT -> "name '" + text + "'";
            default -> "'" + text + "'";
        };
    }
}
