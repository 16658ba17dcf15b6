package hako.stage;

import hako.Invocation;
import hako.sys.Libc;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A conversation with the native stage: spawn it from a sealed memfd, have it clone the
 * container's init, then send init its batches of operations until it execs.
 *
 * <p>The protocol is described in docs/stage-protocol.md.
 */
public final class Stage implements StageChannel {
    private static final String BINARY = "/hako/stage/hako-stage";

    private final int socket;
    /** The last reply, 16 bytes (docs/stage-protocol.md). */
    private java.nio.ByteBuffer reply;
    private int stagePid;
    private int[] replyFds = new int[0];
    private static final int MAX_REPLY_FDS = 4;

    private Stage(int socket, int stagePid) {
        this.socket = socket;
        this.stagePid = stagePid;
    }

    @Override
    public int pid() {
        return stagePid;
    }

    /** Starts the stage process; it waits for its first batch. */
    public static Stage launch() {
        return launch(0);
    }

    /**
     * Starts the stage, passing on descriptors 3 to 3 + {@code preserveFds} - 1 of this process
     * to the container's process (runc's --preserve-fds: the caller put them there).
     */
    public static Stage launch(int preserveFds) {
        int[] devNull = Descriptors.notTheCallers(preserveFds);
        int[] pair = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC,
                "creating the socket to the stage");
        try {
            int pid = Invocation.current().children().spawnStage(sealedBinary(), pair[1], preserveFds, devNull,
                    "starting the stage");
            return new Stage(pair[0], pid);
        } catch (RuntimeException e) {
            Libc.close(pair[0]);
            throw e;
        } finally {
            Libc.close(pair[1]);
        }
    }

    private static int sealed = -1;

    /**
     * The stage binary in an anonymous, sealed, close-on-exec memfd: what runs can never be a file
     * on the host that a container could overwrite. Made once: sealed, it can be shared by every
     * stage this process starts.
     */
    private static synchronized int sealedBinary() {
        if (sealed >= 0) return sealed;
        byte[] binary;
        try (InputStream in = Stage.class.getResourceAsStream(BINARY)) {
            if (in == null) throw new IllegalStateException("the stage binary is missing from hako's jar");
            binary = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("reading the stage binary: " + e.getMessage(), e);
        }
        int fd = Libc.memfdCreate("hako-stage", Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING);
        try {
            Libc.writeFully(fd, binary, "writing the stage into its memfd");
            Libc.fcntl(fd, Libc.F_ADD_SEALS,
                    Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE,
                    "sealing the stage's memfd");
            sealed = fd;
            return fd;
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /**
     * Sends the stage's only batch, which ends with {@link Op.Clone}, and returns the init's pid as
     * the host sees it. The stage process itself then exits and is reaped here.
     */
    @Override
    public int cloneInit(List<Op> batch, int... fds) {
        try {
            return (int) run(batch, fds);
        } finally {
            Invocation.current().children().waitpid(stagePid, "waiting for the stage to exit");
            stagePid = 0;
        }
    }

    /**
     * Sends one batch to init, with {@code fds} attached for the ops that refer to them by index,
     * and waits for its reply.
     */
    @Override
    public long run(List<Op> batch, int... fds) {
        send(batch, fds);
        if (receive() == 0) {
            throw new StageFailure(batch, -1, 0, "the container's process ended during setup");
        }
        return check(batch);
    }

    /**
     * Sends the last batch, which ends with {@link Op.Exec}. A successful execve closes init's end
     * of the socket (it is close-on-exec), so end-of-file here means the process is running.
     */
    @Override
    public void exec(List<Op> batch, int... fds) {
        send(batch, fds);
        if (receive() != 0) {
            check(batch);
            throw new StageFailure(batch, -1, 0, "the stage answered an exec that succeeded");
        }
    }

    /**
     * Sends a datagram as it is, for the tests of the stage's own checks (a malformed or hostile
     * batch), and returns the reply: the index of the op that failed, and its errno.
     */
    int[] sendRaw(byte[] message) {
        Libc.send(socket, message, "sending a raw batch to the stage");
        if (receive() == 0) throw new StageFailure(List.of(), -1, 0, "the stage ended");
        return new int[] {reply.getInt(0), reply.getInt(4)};
    }

    /**
     * Sends the last batch and does not wait: for {@code create}, whose init then blocks until
     * {@code start}. A failure after that has no one to report to; init then exits.
     */
    @Override
    public void sendLast(List<Op> batch, int... fds) {
        send(batch, fds);
    }

    private void send(List<Op> batch, int[] fds) {
        byte[] message = Protocol.encode(batch);
        if (fds.length == 0) {
            Libc.send(socket, message, "sending operations to the stage");
        } else {
            Libc.sendWithFds(socket, message, fds, "sending operations to the stage");
        }
    }

    private long receive() {
        Libc.Received received = Libc.recvWithFds(socket, Protocol.REPLY_SIZE, MAX_REPLY_FDS, "reading the stage's reply");
        replyFds = received.fds();
        reply = java.nio.ByteBuffer.wrap(received.data()).order(java.nio.ByteOrder.nativeOrder());
        return received.data().length;
    }

    /** The descriptors that came with the last reply (a terminal's master, for instance). */
    @Override
    public int[] replyFds() {
        return replyFds;
    }

    private long check(List<Op> batch) {
        int failedOp = reply.getInt(0);
        int errno = reply.getInt(4);
        if (failedOp >= 0) throw new StageFailure(batch, failedOp, errno, null);
        return reply.getLong(8);
    }

    @Override
    public void close() {
        Libc.close(socket);
        if (stagePid > 0) {
            // The stage never got to clone (an error before it): end it and reap it.
            Libc.kill(stagePid, Libc.SIGKILL);
            Invocation.current().children().waitpid(stagePid, "waiting for the stage to exit");
        }
    }
}
