package hako.warm;

import hako.sys.Children;
import hako.sys.Libc;
import hako.sys.SysException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * {@link Children} of the hako command that handed us its call: each request goes over its
 * connection, and the command forks, waits and passes signals on as the caller's process
 * (docs/warm.md). One request at a time per call.
 */
final class ClientChildren implements Children {
    private final int connection;

    ClientChildren(int connection) {
        this.connection = connection;
    }

    @Override
    public synchronized int spawnStage(int binary, int socket, int keepFds, int[] devNull, String what) {
        // The stage's socket goes just above the descriptors passed on to the container.
        int socketFd = 3 + keepFds;
        String[] argv = {"hako-stage", Integer.toString(socketFd), Integer.toString(keepFds)};
        return spawn(WarmProtocol.EXEC_FD, argv, new String[0], new int[] {binary, socket}, new int[] {-1, socketFd},
                devNull, what);
    }

    @Override
    public synchronized int spawn(String[] argv, String[] env, int[] stdio, String what) {
        int n = 0;
        for (int fd : stdio) if (fd >= 0) n++;
        int[] fds = new int[n], targets = new int[n];
        for (int i = 0, k = 0; i < stdio.length; i++) {
            if (stdio[i] < 0) continue;
            fds[k] = stdio[i];
            targets[k++] = i;
        }
        return spawn(0, argv, env, fds, targets, new int[0], what);
    }

    /** SPAWN: {@code fds[i]} goes to {@code targets[i]} in the child (docs/warm.md). */
    private int spawn(int flags, String[] argv, String[] env, int[] fds, int[] targets, int[] devNull, String what) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ByteBuffer fixed = WarmProtocol.order(ByteBuffer.allocate(20 + 4 * targets.length + 4 * devNull.length));
        fixed.putInt(flags).putInt(argv.length).putInt(env.length).putInt(fds.length).putInt(devNull.length);
        for (int target : targets) fixed.putInt(target);
        for (int fd : devNull) fixed.putInt(fd);
        body.writeBytes(fixed.array());
        for (String[] strings : new String[][] {argv, env}) {
            for (String s : strings) {
                body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
                body.write(0);
            }
        }
        int pid = request(WarmProtocol.SPAWN, 0, body.toByteArray(), fds);
        if (pid < 0) throw new SysException(what, -pid);
        return pid;
    }

    @Override
    public synchronized int waitpid(int pid, String what) {
        int status = request(WarmProtocol.WAIT, pid, new byte[0]);
        if (status < 0) throw new SysException(what, -status);
        return status;
    }

    @Override
    public synchronized Forwarding forwardSignals(int pid) {
        request(WarmProtocol.SIGNALS, pid, new byte[0]);
        return () -> {
            synchronized (this) {
                request(WarmProtocol.SIGNALS, 0, new byte[0]);
            }
        };
    }

    @Override
    public synchronized void followWindowSize(int master) {
        if (master < 0) request(WarmProtocol.WINCH, 0, new byte[0]);
        else request(WarmProtocol.WINCH, 0, new byte[0], master);
    }

    /** Sends one request and returns the command's answer. */
    private int request(int type, int arg, byte[] body, int... fds) {
        byte[] message = WarmProtocol.request(type, arg, body);
        String what = "asking the hako command to act for us";
        if (fds.length == 0) Libc.send(connection, message, what);
        else Libc.sendWithFds(connection, message, fds, what);
        Libc.Received answer = Libc.recvWithFds(connection, 4, 1, what);
        for (int fd : answer.fds()) Libc.close(fd);
        if (answer.data().length < 4) throw new SysException("the hako command went away", 104 /* ECONNRESET */);
        return WarmProtocol.order(ByteBuffer.wrap(answer.data())).getInt();
    }
}
