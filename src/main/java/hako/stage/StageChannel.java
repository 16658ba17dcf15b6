package hako.stage;

import java.util.List;

/**
 * The runtime's end of one stage: the batches it is sent and what it replies. {@link Stage} is
 * the native one; the runtime's tests put a recording one in its place, so that what a command
 * sends, and what it does when a batch fails, is asserted without a process.
 */
public interface StageChannel extends AutoCloseable {
    /** The stage process's pid, until its clone: a systemd scope's first process. */
    int pid();

    /** The stage's only batch, ending with {@link Op.Clone}: init's pid as the host sees it. */
    int cloneInit(List<Op> batch, int... fds);

    /** One batch for init, {@code fds} attached for the ops that name them by index; its reply's value. */
    long run(List<Op> batch, int... fds);

    /** The last batch, ending with {@link Op.Exec}; returns once the process runs. */
    void exec(List<Op> batch, int... fds);

    /** The last batch, sent without waiting for it (create: init then waits for start). */
    void sendLast(List<Op> batch, int... fds);

    /** The descriptors that came with the last reply (a terminal's master, a seccomp listener). */
    int[] replyFds();

    @Override
    void close();
}
