package hako;

/**
 * A failure hako expects and can explain: its message is one line for people, printed without a
 * stack trace. Anything else that escapes a command is a bug, reported as an internal error.
 */
public abstract class HakoException extends RuntimeException {
    protected HakoException(String message) {
        super(message);
    }

    protected HakoException(String message, Throwable cause) {
        super(message, cause);
    }
}
