package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Netlink sockets through syscall(2): opened in this process's network namespace or in another
 * one, and datagrams sent to and read from the kernel. What the messages say is hako.net's
 * business; this class only moves bytes.
 */
public final class Netlink {
    public static final int NETLINK_ROUTE = 0;

    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_CAP_ACK = 10;
    private static final int NETLINK_EXT_ACK = 11;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int AT_FDCWD = -100;

    private Netlink() {}

    /** A netlink socket in this process's network namespace, bound, with extended error reports. */
    public static int open(int protocol) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            long fd = Libc.syscall(state, NetSyscalls.SOCKET, AF_NETLINK, SOCK_RAW | Libc.SOCK_CLOEXEC, protocol, 0);
            if (fd < 0) throw Libc.fail("opening a netlink socket", state);
            try {
                MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_INT, 1);
                // Errors without the whole request echoed back, but with the kernel's own words.
                Libc.syscall(state, NetSyscalls.SETSOCKOPT, fd, SOL_NETLINK, NETLINK_CAP_ACK, one.address(), 4, 0);
                Libc.syscall(state, NetSyscalls.SETSOCKOPT, fd, SOL_NETLINK, NETLINK_EXT_ACK, one.address(), 4, 0);
                MemorySegment address = arena.allocate(12, 4); // struct sockaddr_nl, all zero but the family
                address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
                if (Libc.syscall(state, NetSyscalls.BIND, fd, address.address(), 12, 0) < 0) {
                    throw Libc.fail("binding a netlink socket", state);
                }
                return (int) fd;
            } catch (RuntimeException e) {
                Libc.close((int) fd);
                throw e;
            }
        }
    }

    /**
     * A netlink socket that lives in the network namespace {@code netns} (a /proc/PID/ns/net file)
     * and can be used from any thread of this process. A socket belongs to the namespace it was
     * made in, so a short-lived platform thread enters that namespace, opens it, and ends: no
     * thread of the JVM is ever left in a foreign namespace, and no virtual thread ever moves.
     */
    public static int openIn(Path netns, int protocol) {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("hako-netns").unstarted(() -> {
            try {
                enter(netns);
                result.set(open(protocol));
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening a netlink socket in " + netns);
        }
        if (result.get() instanceof RuntimeException e) throw e;
        return (Integer) result.get();
    }

    private static void enter(Path netns) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            long fd = Libc.syscall(state, NetSyscalls.OPENAT, AT_FDCWD, arena.allocateFrom(netns.toString()).address(),
                    O_RDONLY_CLOEXEC, 0);
            if (fd < 0) throw Libc.fail("opening the network namespace " + netns, state);
            try {
                if (Libc.syscall(state, NetSyscalls.SETNS, fd, CLONE_NEWNET, 0, 0) < 0) {
                    throw Libc.fail("entering the network namespace " + netns, state);
                }
            } finally {
                Libc.close((int) fd);
            }
        }
    }

    /** Sends one datagram (one or more netlink messages) to the kernel. */
    public static void send(int fd, byte[] message, String what) {
        Libc.send(fd, message, what);
    }

    /** The largest answer read at once: a dump comes in datagrams of at most a page or two each. */
    private static final int RECEIVE_SIZE = 65536;

    /** Reads one datagram from the kernel (little-endian, as netlink is on this machine). */
    public static java.nio.ByteBuffer receive(int fd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(RECEIVE_SIZE, 8);
            long length = Libc.recv(fd, buffer, what);
            return java.nio.ByteBuffer.wrap(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE)).order(java.nio.ByteOrder.nativeOrder());
        }
    }
}
