package hako.container;

import hako.spec.Spec;
import hako.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** The container's terminal: who receives its master, and the checks runc makes about it. */
final class Terminals {
    private Terminals() {}

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
    static void sendToConsoleSocket(String path, int master) {
        int socket = Libc.connectUnix(path, "connecting to the console socket " + path);
        try (Arena arena = Arena.ofConfined()) {
            byte[] name = "/dev/ptmx".getBytes(StandardCharsets.UTF_8);
            MemorySegment message = arena.allocate(name.length);
            MemorySegment.copy(name, 0, message, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, name.length);
            Libc.sendWithFds(socket, message, new int[] {master}, "sending the terminal to " + path);
        } finally {
            Libc.close(socket);
            Libc.close(master);
        }
    }
}
