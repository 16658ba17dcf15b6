package hako.warm;

import hako.Invocation;
import hako.sys.Libc;
import hako.sys.UnixServer;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One call handed over by a hako command: read it, take it, run it as the caller, answer its exit code. */
final class WarmCall {
    /** A call's argv and environment: more than any socket buffer takes by default. */
    private static final int MAX_CALL = 1 << 20;

    private final int connection;

    WarmCall(int connection) {
        this.connection = connection;
    }

    void serve() {
        UnixServer.Peer peer = UnixServer.peer(connection);
        Libc.Received call = Libc.recvWithFds(connection, MAX_CALL, 3, "reading a call");
        try {
            // Only the same user, in the same namespaces, with the same rights: anyone else is
            // refused, and its command runs one-shot (it never gets ACCEPT).
            if (peer.uid() != hako.sys.Caller.current().uid() || !WarmServer.sameContext(peer.pid())) return;
            ByteBuffer in = WarmProtocol.order(ByteBuffer.wrap(call.data()));
            if (call.data().length < WarmProtocol.CALL_HEADER || in.getInt() != WarmProtocol.MAGIC) return;
            int umask = in.getInt(), argc = in.getInt(), envc = in.getInt(), open = in.getInt();
            List<String> strings = strings(call.data(), WarmProtocol.CALL_HEADER, argc + envc + 1);
            if (strings == null) return;
            String[] argv = strings.subList(0, argc).toArray(String[]::new);
            Map<String, String> env = new HashMap<>();
            for (String variable : strings.subList(argc, argc + envc)) {
                int equals = variable.indexOf('=');
                if (equals > 0) env.putIfAbsent(variable.substring(0, equals), variable.substring(equals + 1));
            }
            String cwd = strings.get(argc + envc);
            int[] stdio = {-1, -1, -1};
            BitSet callerFds = new BitSet();
            for (int fd = 0, k = 0; fd < 32; fd++) {
                if ((open & (1 << fd)) == 0) continue;
                callerFds.set(fd);
                if (fd < 3 && k < call.fds().length) stdio[fd] = call.fds()[k++];
            }
            ClientChildren children = new ClientChildren(connection);
            Libc.send(connection, WarmProtocol.request(WarmProtocol.ACCEPT, 0, new byte[0]), "taking a call");
            try {
                UnixServer.ownDirectoryAndUmask(cwd, umask);
            } catch (RuntimeException e) {
                // a directory gone or not ours to enter: paths hako was given are resolved from the name
            }
            PrintStream out = stream(stdio[1]), err = stream(stdio[2]);
            Invocation invocation = new Invocation(env, Path.of(cwd), out, err, stdio, callerFds, children, peer.pid());
            int code = invocation.run(() -> hako.cli.Hako.main(argv));
            out.flush();
            err.flush();
            Libc.send(connection, WarmProtocol.request(WarmProtocol.EXIT, code, new byte[0]), "ending a call");
        } catch (RuntimeException e) {
            // the command went away mid-call: nothing to answer to
        } finally {
            for (int fd : call.fds()) Libc.close(fd);
        }
    }

    /** {@code count} NUL-terminated strings from {@code offset}; null when the call is malformed. */
    private static List<String> strings(byte[] data, int offset, int count) {
        List<String> strings = new ArrayList<>(count);
        int start = offset;
        for (int i = offset; i < data.length && strings.size() < count; i++) {
            if (data[i] == 0) {
                strings.add(new String(data, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return strings.size() == count ? strings : null;
    }

    /** The caller's descriptor as a stream; none given, what is written is dropped (as by a closed stdout). */
    private static PrintStream stream(int fd) {
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (fd < 0 || len == 0) return;
                try {
                    Libc.writeFully(fd, java.util.Arrays.copyOfRange(b, off, off + len), "writing to the caller");
                } catch (RuntimeException e) {
                    // the caller closed it: as a one-shot hako's PrintStream, carry on
                }
            }
        };
        return new PrintStream(new java.io.BufferedOutputStream(sink, 8192), true, StandardCharsets.UTF_8);
    }
}
