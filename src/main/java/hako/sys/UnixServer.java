package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A listening AF_UNIX SOCK_SEQPACKET socket with an abstract name (no file: it lives in the
 * network namespace it was made in, and is gone with the process), and what a server asks of
 * its connections: who is at the other end (SO_PEERCRED), and a thread of its own working
 * directory and umask for each.
 */
public final class UnixServer {
    private UnixServer() {}

    /** The credentials of a connection's peer, as the kernel took them at connect(2). */
    public record Peer(int pid, int uid, int gid) {}

    /** socket, bind to the abstract {@code name}, listen; EADDRINUSE when another has the name. */
    public static int listen(String name, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 106) throw new SysException(what + ": name too long", Errno.ENAMETOOLONG);
            long fd = Libc.syscall(state, Syscalls.SOCKET, Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, 0);
            if (fd < 0) throw Libc.fail(what, state);
            MemorySegment address = arena.allocate(110, 8);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
            MemorySegment.copy(bytes, 0, address, ValueLayout.JAVA_BYTE, 3, bytes.length); // sun_path[0] = 0
            if (Libc.syscall(state, Syscalls.BIND, fd, address.address(), 3 + bytes.length, 0) < 0
                    || Libc.syscall(state, Syscalls.LISTEN, fd, 64, 0, 0) < 0) {
                SysException e = Libc.fail(what, state);
                Libc.close((int) fd);
                throw e;
            }
            return (int) fd;
        }
    }

    /** The next connection, close-on-exec. */
    public static int accept(int server, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            while (true) {
                long fd = Libc.syscall(state, Syscalls.ACCEPT4, server, 0, 0, Libc.SOCK_CLOEXEC);
                if (fd >= 0) return (int) fd;
                if (Libc.errno(state) != Errno.EINTR) throw Libc.fail(what, state);
            }
        }
    }

    public static Peer peer(int connection) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            MemorySegment ucred = arena.allocate(12, 4);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, 12);
            if (Libc.syscall(state, Syscalls.GETSOCKOPT, connection, 1 /* SOL_SOCKET */, 17 /* SO_PEERCRED */,
                    ucred.address(), length.address(), 0) < 0) {
                throw Libc.fail("asking who called", state);
            }
            return new Peer(ucred.get(JAVA_INT, 0), ucred.get(JAVA_INT, 4), ucred.get(JAVA_INT, 8));
        }
    }

    /**
     * Gives the calling thread a working directory and umask of its own (unshare CLONE_FS), then
     * sets them: what a relative path the kernel resolves, and a file made, are relative to.
     */
    public static void ownDirectoryAndUmask(String directory, int umask) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            if (Libc.syscall(state, Syscalls.UNSHARE, 0x200 /* CLONE_FS */, 0, 0, 0) < 0) {
                throw Libc.fail("giving a call its own working directory", state);
            }
            Libc.syscall(state, Syscalls.UMASK, umask, 0, 0, 0);
            if (Libc.syscall(state, Syscalls.CHDIR, arena.allocateFrom(directory).address(), 0, 0, 0) < 0) {
                throw Libc.fail("changing to the caller's working directory " + directory, state);
            }
        }
    }
}
