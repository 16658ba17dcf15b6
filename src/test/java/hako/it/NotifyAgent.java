package hako.it;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A seccomp agent for tests: listens on a unix socket, takes the listener and the container's
 * process state the runtime sends (one message, SCM_RIGHTS), then answers every notification
 * with an errno of its own, until the filter has no process left.
 */
final class NotifyAgent implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = libc("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = libc("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = libc("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT = libc("accept", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle RECVMSG = libc("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle IOCTL = libc("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final long NOTIF_RECV = 0xc0502100L, NOTIF_SEND = 0xc0182101L;

    /** What the agent saw: the state message, and the system call number of each notification. */
    record Seen(String state, java.util.List<Integer> calls) {}

    private final int server;
    final CompletableFuture<Seen> seen = new CompletableFuture<>();

    /** @param errno what each notified call fails with */
    NotifyAgent(Path socket, int errno) throws Throwable {
        server = (int) SOCKET.invokeExact(1 /* AF_UNIX */, 1 /* SOCK_STREAM */, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(110);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) 1);
            byte[] name = socket.toString().getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, 2, name.length);
            if ((int) BIND.invokeExact(server, address, 110) < 0 || (int) LISTEN.invokeExact(server, 1) < 0) {
                throw new IllegalStateException("binding " + socket);
            }
        }
        Thread.ofPlatform().daemon().start(() -> {
            try {
                seen.complete(serve(errno));
            } catch (Throwable t) {
                seen.completeExceptionally(t);
            }
        });
    }

    private Seen serve(int errno) throws Throwable {
        int connection = (int) ACCEPT.invokeExact(server, MemorySegment.NULL, MemorySegment.NULL);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(65536);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, buffer);
            iov.set(JAVA_LONG, 8, buffer.byteSize());
            MemorySegment control = arena.allocate(64, 8);
            MemorySegment header = arena.allocate(56, 8);
            header.set(ADDRESS, 16, iov);
            header.set(JAVA_LONG, 24, 1);
            header.set(ADDRESS, 32, control);
            header.set(JAVA_LONG, 40, control.byteSize());
            long n = (long) RECVMSG.invokeExact(connection, header, 0);
            int closed = (int) CLOSE.invokeExact(connection);
            if (n <= 0 || control.get(JAVA_INT, 12) != 1 /* SCM_RIGHTS */) throw new IllegalStateException("no listener came");
            int listener = control.get(JAVA_INT, 16);
            String state = new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            java.util.List<Integer> calls = new java.util.ArrayList<>();
            MemorySegment notification = arena.allocate(80, 8);
            MemorySegment response = arena.allocate(24, 8);
            while (true) {
                notification.fill((byte) 0);
                if ((int) IOCTL.invokeExact(listener, NOTIF_RECV, notification) < 0) break; // no process left
                calls.add(notification.get(JAVA_INT, 16)); // seccomp_data.nr
                response.fill((byte) 0);
                response.set(JAVA_LONG, 0, notification.get(JAVA_LONG, 0)); // id
                response.set(JAVA_INT, 16, -errno);
                int sent = (int) IOCTL.invokeExact(listener, NOTIF_SEND, response);
            }
            closed = (int) CLOSE.invokeExact(listener);
            return new Seen(state, calls);
        }
    }

    @Override
    public void close() {
        try {
            int closed = (int) CLOSE.invokeExact(server);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MethodHandle libc(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, options);
    }
}
