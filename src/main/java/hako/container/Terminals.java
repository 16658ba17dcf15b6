package hako.container;

import hako.spec.Spec;


/** The container's terminal: who receives its master, and the checks runc makes about it. */
final class Terminals {
    private final ContainerCalls calls;

    Terminals(ContainerCalls calls) {
        this.calls = calls;
    }

    /**
     * A process with a terminal needs somewhere to send the master: the console socket, or — only
     * for {@code run} in the foreground — hako itself.
     */
    static void check(Spec spec, String consoleSocket, boolean foreground) {
        boolean terminal = spec.process().terminal();
        if (terminal && consoleSocket == null && !foreground) {
            throw new ContainerException("process.terminal is true: give --console-socket to receive the terminal");
        }
        if (!terminal && consoleSocket != null) {
            throw new ContainerException("--console-socket is given but process.terminal is false");
        }
    }

    /**
     * Sends the terminal's master over the console socket with SCM_RIGHTS, as runc does (the
     * message is the file's name), so that podman's conmon or containerd can attach to it.
     */
    void sendToConsoleSocket(String path, int master) {
        try {
            calls.sendFd(path, "/dev/ptmx", master, "the console socket " + path);
        } finally {
            calls.close(master);
        }
    }

    /** --pidfd-socket (runc 1.2): a pidfd of the container's process, for a caller that watches it without pid races. */
    void sendPidfd(String path, int pid) {
        if (path == null) return;
        int pidfd = calls.pidfdOpen(pid);
        if (pidfd < 0) throw new ContainerException("the container's process ended before its pidfd could be sent");
        try {
            calls.sendFd(path, "pidfd", pidfd, "the pidfd socket " + path);
        } finally {
            calls.close(pidfd);
        }
    }
}
