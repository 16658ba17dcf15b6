package hako.hooks;

import hako.stage.StageChannel;

import java.nio.file.Path;

/**
 * Everything running a hook asks of the machine, in one place, so that what {@link HookRunner}
 * does — the stage it starts for each hook, the state it writes to the hook's stdin, the wait,
 * the kill at the timeout, the output read back — is tested without root against a recording fake
 * (HookCallsFake in the tests). {@link KernelHookCalls} is the one real implementation; failures
 * are {@link hako.sys.SysException}s carrying the kernel's errno, as hako.sys throws them.
 */
public interface HookCalls {
    /** The machine itself. */
    static HookCalls kernel() {
        return KernelHookCalls.INSTANCE;
    }

    // ---------------------------------------------------------------- processes

    /**
     * A stage, waiting for its first batch; descriptors 3 to 3 + {@code preserveFds} - 1 of this
     * process go on to the process it makes (runc's --preserve-fds).
     */
    StageChannel launchStage(int preserveFds);

    /** waitpid(2) for a child: its wait status. */
    int waitpid(int pid, String what);

    /** A pidfd of the process, or -1 when it has ended. */
    int pidfdOpen(int pid);

    /** poll(2) on one descriptor: the events that came, 0 on timeout. */
    int poll(int fd, short events, long millis, String what);

    /** Sends a signal; false when the process is gone. */
    boolean kill(int pid, int signal);

    // ---------------------------------------------------------------- descriptors

    int open(String path, int flags, String what);

    void close(int fd);

    /** An anonymous close-on-exec file in memory (memfd_create). */
    int memfd(String name);

    void writeFully(int fd, byte[] data, String what);

    long seek(int fd, long offset, int whence, String what);

    /** Up to {@code max} bytes, empty at end of file; null when a non-blocking descriptor has none yet. */
    byte[] read(int fd, int max, String what);

    // ---------------------------------------------------------------- the container's cgroup

    /** An O_PATH descriptor of the cgroup's directory, for clone3's CLONE_INTO_CGROUP. */
    int openCgroup(Path cgroup);

    /** Moves a process into the cgroup (cgroup.procs). */
    void adoptIntoCgroup(Path cgroup, int pid);
}
