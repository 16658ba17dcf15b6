package hako.json;

/**
 * A JSON text that is not valid JSON (RFC 8259). The message is one line that says where:
 * {@code line 3, column 17: expected ',' or '}'}. Lines and columns count from 1; a column counts
 * characters (Unicode code points), not bytes, so that it matches what an editor shows.
 */
public final class JsonException extends RuntimeException {

    private final int line;
    private final int column;
    private final String reason;

    public JsonException(int line, int column, String reason) {
        super("line " + line + ", column " + column + ": " + reason);
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    /** The line of the offending character, from 1. */
    public int line() {
        return line;
    }

    /** The column of the offending character, from 1, in code points. */
    public int column() {
        return column;
    }

    /** What is wrong, without the position. */
    public String reason() {
        return reason;
    }
}
