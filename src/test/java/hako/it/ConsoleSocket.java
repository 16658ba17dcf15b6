package hako.it;

import hako.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The receiving end of {@code --console-socket}, as conmon has it: a listening unix socket that
 * accepts one connection and takes the terminal's master descriptor from it.
 */
final class ConsoleSocket implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = handle("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT = handle("accept", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    private final int listener;
    final Path path;

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    ConsoleSocket(Path path) throws Throwable {
        this.path = path;
        listener = (int) SOCKET.invokeExact(1, 1 | 0x80000, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(110);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) 1);
            byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, 2, name.length);
            if ((int) BIND.invokeExact(listener, address, 110) != 0) throw new IllegalStateException("bind " + path);
        }
        if ((int) LISTEN.invokeExact(listener, 1) != 0) throw new IllegalStateException("listen");
    }

    /** Accepts hako's connection and returns the descriptor it sent. */
    int receiveTerminal() throws Throwable {
        int connection = (int) ACCEPT.invokeExact(listener, MemorySegment.NULL, MemorySegment.NULL);
        try {
            Libc.Received received = Libc.recvWithFds(connection, 256, 1, "receiving the terminal");
            if (received.fds().length != 1) throw new IllegalStateException("no descriptor came with the message");
            return received.fds()[0];
        } finally {
            Libc.close(connection);
        }
    }

    @Override
    public void close() {
        Libc.close(listener);
        path.toFile().delete();
    }
}
