package hako.net;

/**
 * A network could not be set up, changed or removed; the message is one line for people. When the
 * kernel refused something, {@link #errno()} says why, so callers can accept "already there".
 */
public final class NetworkException extends hako.HakoException {
    private final int errno;

    public NetworkException(String message) {
        this(message, 0);
    }

    public NetworkException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
