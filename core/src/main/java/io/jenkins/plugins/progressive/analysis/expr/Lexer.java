package io.jenkins.plugins.progressive.analysis.expr;

import io.jenkins.plugins.progressive.analysis.expr.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/** Splits an expression into tokens; the last token is always {@link Kind#EOF}. */
final class Lexer {

    private final String src;
    private int pos;

    private Lexer(String src) {
        this.src = src;
    }

    static List<Token> tokens(String src) throws ExpressionException {
        return new Lexer(src).run();
    }

    private List<Token> run() throws ExpressionException {
        List<Token> out = new ArrayList<>();
        while (true) {
            skipSpace();
            if (pos >= src.length()) {
                out.add(new Token(Kind.EOF, "", null, pos));
                return out;
            }
            out.add(next());
        }
    }

    private void skipSpace() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
            pos++;
        }
    }

    private Token next() throws ExpressionException {
        int start = pos;
        char c = src.charAt(pos);
        if (isDigit(c)) {
            return number(start);
        }
        if (c == '\'' || c == '"') {
            return string(start, c);
        }
        if (Character.isLetter(c) || c == '_') {
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                pos++;
            }
            String word = src.substring(start, pos);
            return switch (word) {
                case "true" -> new Token(Kind.TRUE, word, Boolean.TRUE, start);
                case "false" -> new Token(Kind.FALSE, word, Boolean.FALSE, start);
                case "null" -> new Token(Kind.NULL, word, null, start);
                default -> new Token(Kind.IDENT, word, null, start);
            };
        }
        pos++;
        char n = pos < src.length() ? src.charAt(pos) : '\0';
        switch (c) {
            case '(': return op(Kind.LPAREN, start);
            case ')': return op(Kind.RPAREN, start);
            case '[': return op(Kind.LBRACKET, start);
            case ']': return op(Kind.RBRACKET, start);
            case ',': return op(Kind.COMMA, start);
            case '.': return op(Kind.DOT, start);
            case '+': return op(Kind.PLUS, start);
            case '-': return op(Kind.MINUS, start);
            case '*': return op(Kind.STAR, start);
            case '/': return op(Kind.SLASH, start);
            case '%': return op(Kind.PERCENT, start);
            case '!':
                return n == '=' ? op2(Kind.NE, start) : op(Kind.BANG, start);
            case '<':
                return n == '=' ? op2(Kind.LE, start) : op(Kind.LT, start);
            case '>':
                return n == '=' ? op2(Kind.GE, start) : op(Kind.GT, start);
            case '=':
                if (n == '=') {
                    return op2(Kind.EQ, start);
                }
                throw new ExpressionException("unexpected '=': use '==' to compare", start);
            case '&':
                if (n == '&') {
                    return op2(Kind.AND, start);
                }
                throw new ExpressionException("unexpected '&': use '&&' for and", start);
            case '|':
                if (n == '|') {
                    return op2(Kind.OR, start);
                }
                throw new ExpressionException("unexpected '|': use '||' for or", start);
            default:
                throw new ExpressionException("unexpected character '" + printable(c) + "'", start);
        }
    }

    private Token op(Kind kind, int start) {
        return new Token(kind, src.substring(start, pos), null, start);
    }

    private Token op2(Kind kind, int start) {
        pos++;
        return op(kind, start);
    }

    private Token number(int start) throws ExpressionException {
        digits();
        if (pos + 1 < src.length() && src.charAt(pos) == '.' && isDigit(src.charAt(pos + 1))) {
            pos++;
            digits();
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int mark = pos;
            pos++;
            if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            if (pos >= src.length() || !isDigit(src.charAt(pos))) {
                throw new ExpressionException("expected digits of the exponent", mark);
            }
            digits();
        }
        if (pos < src.length() && (Character.isLetter(src.charAt(pos)) || src.charAt(pos) == '_')) {
            throw new ExpressionException("unexpected '" + printable(src.charAt(pos)) + "' after a number", pos);
        }
        String text = src.substring(start, pos);
        double v = Double.parseDouble(text);
        if (Double.isInfinite(v)) {
            throw new ExpressionException("number " + text + " is out of range", start);
        }
        return new Token(Kind.NUMBER, text, v, start);
    }

    private void digits() {
        while (pos < src.length() && isDigit(src.charAt(pos))) {
            pos++;
        }
    }

    private Token string(int start, char quote) throws ExpressionException {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= src.length()) {
                throw new ExpressionException("unterminated string: expected closing " + quote, start);
            }
            char c = src.charAt(pos);
            if (c == quote) {
                pos++;
                return new Token(Kind.STRING, src.substring(start, pos), sb.toString(), start);
            }
            if (c == '\\') {
                int esc = pos;
                pos++;
                if (pos >= src.length()) {
                    throw new ExpressionException("unterminated string: expected closing " + quote, start);
                }
                char e = src.charAt(pos);
                switch (e) {
                    case '\\', '\'', '"', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'u' -> {
                        if (pos + 4 >= src.length()) {
                            throw new ExpressionException("expected 4 hex digits after \\u", esc);
                        }
                        int cp = 0;
                        for (int k = 1; k <= 4; k++) {
                            int d = Character.digit(src.charAt(pos + k), 16);
                            if (d < 0) {
                                throw new ExpressionException("expected 4 hex digits after \\u", esc);
                            }
                            cp = cp * 16 + d;
                        }
                        sb.append((char) cp);
                        pos += 4;
                    }
                    default -> throw new ExpressionException(
                            "unknown escape '\\" + printable(e) + "' (allowed: \\\\ \\' \\\" \\n \\t \\r \\/ \\uXXXX)", esc);
                }
                pos++;
                continue;
            }
            sb.append(c);
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static String printable(char c) {
        return c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
