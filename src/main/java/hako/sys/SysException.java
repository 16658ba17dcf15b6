package hako.sys;

/**
 * A failed system call: which call, on what, and the errno it gave. The message reads as one line
 * for people: {@code mounting proc on /proc: operation not permitted}.
 */
public final class SysException extends hako.HakoException {
    private final int errno;

    public SysException(String what, int errno) {
        super(what + ": " + Errno.describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
