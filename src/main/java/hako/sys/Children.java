package hako.sys;

/**
 * Who starts hako's processes and waits for them: this process (one-shot), or the hako command
 * that handed its call to a warm runtime (hako.warm), so that a stage, and the container's init
 * it clones, is the caller's child, in the caller's cgroup, with its rlimits and umask, as under
 * runc.
 */
public interface Children {
    /**
     * Starts the stage from the sealed memfd {@code binary}: {@code socket} is its end of the
     * conversation, descriptors 3 to 3 + {@code keepFds} - 1 are passed on to the container, and
     * /dev/null is opened on each of {@code devNull} (docs/stage-protocol.md). Returns its pid.
     */
    int spawnStage(int binary, int socket, int keepFds, int[] devNull, String what);

    /**
     * Starts the program {@code argv[0]} (a path) with {@code env}, and {@code stdio[i]} on its
     * descriptor i and no other descriptor of the caller's (conmon, for a detached container).
     * Returns its pid.
     */
    int spawn(String[] argv, String[] env, int[] stdio, String what);

    /** Waits for the child {@code pid} to end and returns its raw wait status. */
    int waitpid(int pid, String what);

    /** Passes the signals that reach the caller on to {@code pid} until closed (runc's forwarding). */
    Forwarding forwardSignals(int pid);

    /** Gives the terminal {@code master} the caller's window size, now and on each change; -1: no more. */
    void followWindowSize(int master);

    /** Signal forwarding, ended by close. */
    interface Forwarding extends AutoCloseable {
        @Override
        void close();
    }

    /** This process. */
    Children LOCAL = new LocalChildren();
}
