package io.jenkins.plugins.progressive.analysis.expr;

/** A condition that does not parse or cannot be evaluated; the message says where and why. */
public final class ExpressionException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int position;

    public ExpressionException(String message, int position) {
        super(message + " (at position " + position + ")", null, false, false);
        this.position = position;
    }

    /** 0-based character offset in the expression. */
    public int position() {
        return position;
    }
}
