package hako.stage;

import hako.sys.Errno;

import java.util.List;

/** An operation the stage could not perform: which one, and the errno it got. */
public final class StageFailure extends hako.HakoException {
    private final Op op;
    private final int errno;

    StageFailure(List<Op> batch, int index, int errno, String detail) {
        super(message(batch, index, errno, detail));
        this.op = index >= 0 && index < batch.size() ? batch.get(index) : null;
        this.errno = errno;
    }

    /** What a reply that names op {@code index} of the batch, failed with {@code errno}, means (a stage other than the native one: a test's). */
    public static StageFailure of(List<Op> batch, int index, int errno) {
        return new StageFailure(batch, index, errno, null);
    }

    private static String message(List<Op> batch, int index, int errno, String detail) {
        if (detail != null) return detail;
        if (index >= batch.size()) return "stage reported op " + index + " of " + batch.size() + ": " + Errno.describe(errno);
        return batch.get(index).doing() + ": " + Errno.describe(errno);
    }

    /** The operation that failed, or null when the failure was not one operation's. */
    public Op op() {
        return op;
    }

    public int errno() {
        return errno;
    }
}
