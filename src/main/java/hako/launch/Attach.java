package hako.launch;

import hako.sys.Libc;
import hako.sys.SysException;
import hako.sys.Terminal;
import sun.misc.Signal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * {@code hako attach}: hako's standard streams joined to a detached container's through conmon's
 * attach socket (SOCK_SEQPACKET, DIR/attach). Every packet conmon sends is one byte naming the
 * stream (2 stdout, 3 stderr) and the bytes; what a client sends is the container's stdin as it
 * is. A container with a terminal gets hako's window size through conmon's control fifo
 * (DIR/ctl: {@code "1 ROWS COLUMNS\n"}), now and on every SIGWINCH.
 */
public final class Attach {
    /** conmon's STDIO_BUF_SIZE and the stream byte before it. */
    private static final int PACKET = 8192 + 1;
    private static final byte STDOUT = 2, STDERR = 3;

    /** How an attachment ended. */
    public enum Ending { EXITED, DETACHED }

    private final LaunchedContainer container;
    private final DetachKeys keys;
    private volatile boolean detached;

    private Attach(LaunchedContainer container, DetachKeys keys) {
        this.container = container;
        this.keys = keys;
    }

    /**
     * Until the container ends or the detach keys are typed.
     *
     * @param stdin whether hako's stdin goes to the container (a container launched without -i has
     *              none to give it to)
     */
    public static Ending attach(LaunchedContainer container, boolean stdin, String detachKeys, InputStream in, OutputStream out,
                                OutputStream err) {
        if (!Files.exists(container.attachSocket())) {
            throw new LaunchException("container \"" + container.name() + "\" was not launched detached: it has no monitor to attach to");
        }
        return new Attach(container, DetachKeys.parse(detachKeys)).run(stdin && container.flag("interactive"), in, out, err);
    }

    private Ending run(boolean stdin, InputStream in, OutputStream out, OutputStream err) {
        int directory = Libc.open(container.directory().toString(), Libc.O_PATH | Libc.O_CLOEXEC, "opening " + container.directory());
        int socket;
        try {
            // through /proc/self/fd, as podman does: the socket's own path may be longer than sun_path allows
            socket = Libc.connectUnix("/proc/self/fd/" + directory + "/attach", Libc.SOCK_SEQPACKET, "connecting to conmon's attach socket");
        } finally {
            Libc.close(directory);
        }
        boolean terminal = container.flag("tty") && Libc.isatty(0);
        byte[] saved = terminal ? Terminal.makeRaw(0) : null;
        try {
            if (terminal) {
                passWindowSize();
                Signal.handle(new Signal("WINCH"), signal -> passWindowSize());
            }
            if (stdin) Thread.ofPlatform().daemon().name("hako-attach-stdin").start(() -> pumpInput(in, socket));
            pumpOutput(socket, out, err);
            return detached ? Ending.DETACHED : Ending.EXITED;
        } finally {
            if (saved != null) Terminal.restore(0, saved);
            Libc.close(socket);
        }
    }

    private void pumpOutput(int socket, OutputStream out, OutputStream err) {
        try {
            byte[] packet;
            while ((packet = Libc.read(socket, PACKET, "reading conmon's attach socket")) != null && packet.length > 0) {
                OutputStream target = packet[0] == STDERR ? err : packet[0] == STDOUT ? out : null;
                if (target == null) continue;
                target.write(packet, 1, packet.length - 1);
                target.flush();
            }
        } catch (IOException | SysException e) {
            // our output or the socket is gone: the attachment is over
        }
    }

    private void pumpInput(InputStream in, int socket) {
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                byte[] passed = keys.filter(Arrays.copyOf(buffer, n));
                if (passed.length > 0) Libc.writeFully(socket, passed, "writing to conmon's attach socket");
                if (keys.detached()) {
                    detached = true;
                    Libc.shutdown(socket, Libc.SHUT_RDWR); // ends pumpOutput's read; conmon keeps the container's stdin open
                    return;
                }
            }
            Libc.shutdown(socket, Libc.SHUT_WR); // our stdin ended: conmon passes that on unless it keeps stdin open
        } catch (IOException | SysException e) {
            // the socket went away with the container
        }
    }

    private void passWindowSize() {
        int[] size = Terminal.windowSize(0);
        try {
            int fifo = Libc.open(container.controlFifo().toString(), Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, "opening conmon's control fifo");
            try {
                Libc.writeFully(fifo, ("1 " + size[0] + " " + size[1] + "\n").getBytes(StandardCharsets.US_ASCII), "resizing the terminal");
            } finally {
                Libc.close(fifo);
            }
        } catch (SysException e) {
            // conmon is gone (ENXIO: no reader): so is the terminal to resize
        }
    }
}
