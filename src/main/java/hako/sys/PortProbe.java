package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Whether a host process holds a port: a bind to the wildcard address on it, which the kernel
 * refuses with EADDRINUSE while anyone listens there (TCP) or is bound there (UDP). Cheaper than
 * reading /proc/net/tcp, which walks the whole connection table of every namespace.
 */
public final class PortProbe {
    private static final int AF_INET = 2, AF_INET6 = 10, SOCK_STREAM = 1, SOCK_DGRAM = 2;
    private static final int SOL_SOCKET = 1, SO_REUSEADDR = 2, IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26;
    private static final int EADDRINUSE = 98, EAFNOSUPPORT = 97;

    private PortProbe() {}

    /** True when {@code port} of {@code udp ? UDP : TCP} is taken by a socket of this network namespace. */
    public static boolean inUse(int port, boolean udp) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            // An IPv6 wildcard that is not v6-only collides with IPv4 and IPv6 holders alike.
            long fd = Libc.syscall(state, NetSyscalls.SOCKET, AF_INET6, (udp ? SOCK_DGRAM : SOCK_STREAM) | Libc.SOCK_CLOEXEC, 0, 0);
            boolean inet6 = fd >= 0;
            if (!inet6) {
                if (Libc.errno(state) != EAFNOSUPPORT) throw Libc.fail("opening a socket to probe port " + port, state);
                fd = Libc.syscall(state, NetSyscalls.SOCKET, AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | Libc.SOCK_CLOEXEC, 0, 0);
                if (fd < 0) throw Libc.fail("opening a socket to probe port " + port, state);
            }
            try {
                MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_INT, 1);
                MemorySegment zero = arena.allocateFrom(ValueLayout.JAVA_INT, 0);
                // TIME_WAIT leftovers of old connections do not make a port busy; a listener does.
                if (!udp) Libc.syscall(state, NetSyscalls.SETSOCKOPT, fd, SOL_SOCKET, SO_REUSEADDR, one.address(), 4, 0);
                if (inet6) Libc.syscall(state, NetSyscalls.SETSOCKOPT, fd, IPPROTO_IPV6, IPV6_V6ONLY, zero.address(), 4, 0);
                MemorySegment address = arena.allocate(28, 4);
                address.set(ValueLayout.JAVA_SHORT, 0, (short) (inet6 ? AF_INET6 : AF_INET));
                address.set(ValueLayout.JAVA_BYTE, 2, (byte) (port >>> 8));
                address.set(ValueLayout.JAVA_BYTE, 3, (byte) port);
                if (Libc.syscall(state, NetSyscalls.BIND, fd, address.address(), inet6 ? 28 : 16, 0) == 0) return false;
                if (Libc.errno(state) == EADDRINUSE) return true;
                throw Libc.fail("probing port " + port, state);
            } finally {
                Libc.close((int) fd);
            }
        }
    }
}
