package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls the runtime makes, through FFM. This is the only class that touches
 * {@code java.lang.foreign} downcalls.
 *
 * <p>Each call's handle lives in its own holder class, so a command creates handles only for the
 * calls it makes: creating a downcall handle is the expensive part of FFM at start-up. Calls that
 * can fail capture errno and throw {@link SysException} naming what was being done.
 */
public final class Libc {
    public static final int AF_UNIX = 1;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int MFD_CLOEXEC = 1;
    public static final int MFD_ALLOW_SEALING = 2;
    public static final int F_SETFD = 2;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
    public static final int SIGKILL = 9;
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    public static final int O_PATH = 0x200000, O_NOCTTY = 0x100, O_APPEND = 0x400;
    private static final int AT_FDCWD = -100;
    private static final int S_IFIFO = 0010000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private Libc() {}

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static MethodHandle withErrno(String name, FunctionDescriptor descriptor, Linker.Option... more) {
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(more, 0, options, 1, more.length);
        return downcall(name, descriptor, options);
    }

    /** Where a call captures its errno: allocate one per call (or per thread) from an arena. */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static SysException fail(String what, MemorySegment state) {
        return new SysException(what, errno(state));
    }

    /** A downcall's Throwable as what Java code can throw on: errors as they are, anything checked wrapped. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    // ---------------------------------------------------------------- errors

    private static final class Strerror {
        static final MethodHandle H = downcall("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) Strerror.H.invokeExact(errno);
            return text.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- system calls

    /**
     * Every system call goes through syscall(2): one downcall shape, so one generated stub, for all
     * of them. The JVM makes a stub per distinct shape, and that is most of FFM's start-up cost.
     */
    private static final class Syscall {
        static final MethodHandle H = withErrno("syscall", FunctionDescriptor.of(JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
    }

    /**
     * A handle of syscall(2)'s very shape — (call state, seven longs) → long — for a function of
     * another library whose arguments are all of the integer class (pointers, ints, chars,
     * 64-bit numbers; six at most) and whose result is one or nothing: it reuses the stub
     * libc's system calls have made already, so that it costs no stub of its own. On the
     * 64-bit Linux ABIs (x86-64 SysV, AArch64 AAPCS64) such arguments travel in the same
     * registers whether the callee is variadic or not, the ones beyond its own are ignored by
     * it, and a result narrower than 64 bits is the low bits of the one returned (the caller
     * narrows it: {@code (int)}). See hako.sys.Libsystemd.
     */
    static MethodHandle syscallShaped(MemorySegment symbol) {
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    }

    static long syscall(MemorySegment state, int number, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) Syscall.H.invokeExact(state, (long) number, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long syscall(MemorySegment state, int number, long a, long b, long c, long d) {
        return syscall(state, number, a, b, c, d, 0, 0);
    }

    /**
     * Creates, on another thread, the downcall handles that starting a container needs, while the
     * caller reads the spec and plans: making them is most of FFM's start-up cost (about 20 ms).
     */
    public static void prepareInBackground() {
        Thread.ofPlatform().daemon().name("hako-ffm").start(Libc::prepare);
    }

    private static void prepare() {
        Syscall.H.type();
        Spawn.H.type();
    }

    /** Closes a descriptor; errors are ignored, as there is nothing useful to do about them. */
    public static void close(int fd) {
        if (fd < 0) return;
        try (Arena arena = Arena.ofConfined()) {
            syscall(arena.allocate(CALL_STATE), Syscalls.CLOSE, fd, 0, 0, 0);
        }
    }

    public static int memfdCreate(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long fd = syscall(state, Syscalls.MEMFD_CREATE, arena.allocateFrom(name).address(), flags, 0, 0);
            if (fd < 0) throw fail("creating memfd " + name, state);
            return (int) fd;
        }
    }

    /** Writes all of {@code data}, retrying short writes and EINTR. */
    public static void writeFully(int fd, byte[] data, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buffer = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buffer, ValueLayout.JAVA_BYTE, 0, data.length);
            long offset = 0;
            while (offset < data.length) {
                long n = syscall(state, Syscalls.WRITE, fd, buffer.address() + offset, data.length - offset, 0);
                if (n < 0) {
                    if (errno(state) == Errno.EINTR) continue;
                    throw fail(what, state);
                }
                offset += n;
            }
        }
    }

    public static int fcntl(int fd, int command, int argument, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long result = syscall(state, Syscalls.FCNTL, fd, command, argument, 0);
            if (result < 0) throw fail(what, state);
            return (int) result;
        }
    }

    public static final int SEEK_SET = 0, SEEK_END = 2;

    /** lseek(2): moves the offset of a descriptor; returns the new offset. */
    public static long seek(int fd, long offset, int whence, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long result = syscall(state, Syscalls.LSEEK, fd, offset, whence, 0);
            if (result < 0) throw fail(what, state);
            return result;
        }
    }

    /** Returns the two connected ends. */
    public static int[] socketpair(int domain, int type, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if (syscall(state, Syscalls.SOCKETPAIR, domain, type, 0, fds.address()) < 0) throw fail(what, state);
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** Sends one datagram. MSG_NOSIGNAL: a peer that died is an error, not a SIGPIPE. */
    public static void send(int fd, byte[] message, String what) {
        try (Arena arena = Arena.ofConfined()) {
            send(fd, arena.allocateFrom(JAVA_BYTE, message), what);
        }
    }

    static void send(int fd, MemorySegment message, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (syscall(state, Syscalls.SENDTO, fd, message.address(), message.byteSize(), 0x4000 /* MSG_NOSIGNAL */, 0, 0) < 0) {
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
        }
    }

    /** Receives one datagram into {@code buffer}; returns its length, 0 at end of file. */
    public static long recv(int fd, MemorySegment buffer, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                long n = syscall(state, Syscalls.RECVFROM, fd, buffer.address(), buffer.byteSize(), 0, 0, 0);
                if (n >= 0) return n;
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
        }
    }

    /** Sends one datagram with descriptors attached to it (SCM_RIGHTS). */
    public static void sendWithFds(int fd, byte[] bytes, int[] fds, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocateFrom(JAVA_BYTE, bytes);
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment header = messageHeader(arena, message, fds.length);
            MemorySegment control = header.get(ADDRESS, MSG_CONTROL).reinterpret(controlSize(fds.length));
            control.set(JAVA_LONG, 0, CMSG_HEADER + 4L * fds.length);   // cmsg_len
            control.set(JAVA_INT, 8, 1);                                 // SOL_SOCKET
            control.set(JAVA_INT, 12, 1);                                // SCM_RIGHTS
            for (int i = 0; i < fds.length; i++) control.set(JAVA_INT, CMSG_HEADER + 4L * i, fds[i]);
            while (syscall(state, Syscalls.SENDMSG, fd, header.address(), 0x4000 /* MSG_NOSIGNAL */, 0) < 0) {
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
        }
    }

    /** A datagram (empty at end of file) and the descriptors that came with it. */
    public record Received(byte[] data, int[] fds) {}

    /** Receives one datagram of up to {@code size} bytes and up to {@code maxFds} descriptors, which arrive close-on-exec. */
    public static Received recvWithFds(int fd, int size, int maxFds, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buffer = arena.allocate(size, 8);
            MemorySegment header = messageHeader(arena, buffer, maxFds);
            long n;
            while ((n = syscall(state, Syscalls.RECVMSG, fd, header.address(), 0x40000000 /* MSG_CMSG_CLOEXEC */, 0)) < 0) {
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
            long controlLength = header.get(JAVA_LONG, MSG_CONTROLLEN);
            MemorySegment control = header.get(ADDRESS, MSG_CONTROL).reinterpret(controlSize(maxFds));
            int[] fds = new int[0];
            if (controlLength >= CMSG_HEADER && control.get(JAVA_INT, 8) == 1 && control.get(JAVA_INT, 12) == 1) {
                fds = new int[(int) ((control.get(JAVA_LONG, 0) - CMSG_HEADER) / 4)];
                for (int i = 0; i < fds.length; i++) fds[i] = control.get(JAVA_INT, CMSG_HEADER + 4L * i);
            }
            return new Received(buffer.asSlice(0, n).toArray(JAVA_BYTE), fds);
        }
    }

    // struct msghdr, struct iovec and struct cmsghdr on 64-bit Linux.
    private static final long MSG_IOV = 16, MSG_IOVLEN = 24, MSG_CONTROL = 32, MSG_CONTROLLEN = 40;
    private static final long CMSG_HEADER = 16;

    private static long controlSize(int fds) {
        return CMSG_HEADER + ((4L * Math.max(fds, 1) + 7) & ~7L);
    }

    private static MemorySegment messageHeader(Arena arena, MemorySegment data, int fds) {
        MemorySegment iov = arena.allocate(16, 8);
        iov.set(ADDRESS, 0, data);
        iov.set(JAVA_LONG, 8, data.byteSize());
        MemorySegment header = arena.allocate(56, 8);
        header.set(ADDRESS, MSG_IOV, iov);
        header.set(JAVA_LONG, MSG_IOVLEN, 1);
        if (fds > 0) {
            header.set(ADDRESS, MSG_CONTROL, arena.allocate(controlSize(fds), 8));
            header.set(JAVA_LONG, MSG_CONTROLLEN, controlSize(fds));
        }
        return header;
    }

    /** openat(AT_FDCWD, path, flags); returns the descriptor. */
    public static int open(String path, int flags, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long fd;
            while ((fd = syscall(state, Syscalls.OPENAT, AT_FDCWD, arena.allocateFrom(path).address(), flags, 0)) < 0) {
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
            return (int) fd;
        }
    }

    /** flock(fd, LOCK_EX): waits for the exclusive lock; closing the descriptor releases it. */
    public static void lockExclusive(int fd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (syscall(state, Syscalls.FLOCK, fd, 2 /* LOCK_EX */, 0, 0) < 0) {
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
        }
    }

    /** flock(fd, LOCK_SH): waits for a shared lock, which many hold at once and an exclusive one excludes. */
    public static void lockShared(int fd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (syscall(state, Syscalls.FLOCK, fd, 1 /* LOCK_SH */, 0, 0) < 0) {
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
        }
    }

    /** flock(fd, LOCK_SH | LOCK_NB): whether nobody holds the exclusive lock (the shared one is then held until closed). */
    public static boolean tryLockShared(int fd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (syscall(state, Syscalls.FLOCK, fd, 1 /* LOCK_SH */ | 4 /* LOCK_NB */, 0, 0) < 0) {
                int errno = errno(state);
                if (errno == Errno.EAGAIN) return false; // EWOULDBLOCK
                if (errno != Errno.EINTR) throw fail(what, state);
            }
            return true;
        }
    }

    /** Makes a FIFO (mkfifo(3)) with the given permissions. */
    public static void mkfifo(String path, int mode, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (syscall(state, Syscalls.MKNODAT, AT_FDCWD, arena.allocateFrom(path).address(), S_IFIFO | mode, 0) < 0) {
                throw fail(what, state);
            }
        }
    }

    /**
     * mknodat(2): a device node or FIFO; {@code mode} holds the file type (S_IFCHR 0020000,
     * S_IFBLK 0060000, S_IFIFO) and the permissions. Device nodes need CAP_MKNOD.
     */
    public static void mknod(String path, int mode, int major, int minor, String what) {
        // makedev() of glibc: the 64-bit dev_t that the kernel decodes back into major and minor
        long dev = ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xffL) | ((minor & ~0xffL) << 12);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (syscall(state, Syscalls.MKNODAT, AT_FDCWD, arena.allocateFrom(path).address(), mode, dev) < 0) {
                throw fail(what, state);
            }
        }
    }

    /**
     * fchmodat(2) by path, for FIFOs and device nodes: Java's own chmod opens the file first,
     * which blocks on a FIFO and would open a device. The caller has just made the node.
     */
    public static void chmod(String path, int mode, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (syscall(state, Syscalls.FCHMODAT, AT_FDCWD, arena.allocateFrom(path).address(), mode, 0) < 0) {
                throw fail(what, state);
            }
        }
    }

    /**
     * utimensat(2) with AT_SYMLINK_NOFOLLOW: a path's access and modification times, a symlink's
     * own. Java's setTimes opens the file first, which blocks on a FIFO.
     */
    public static void setTimes(String path, long seconds, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment times = arena.allocate(32, 8); // two struct timespec: atime, mtime
            times.set(JAVA_LONG, 0, seconds);
            times.set(JAVA_LONG, 16, seconds);
            if (syscall(state, Syscalls.UTIMENSAT, AT_FDCWD, arena.allocateFrom(path).address(), times.address(),
                    0x100 /* AT_SYMLINK_NOFOLLOW */) < 0) {
                throw fail(what, state);
            }
        }
    }

    /** lsetxattr(2): an extended attribute on the path itself, never on what a symlink points to. */
    public static void setXattr(String path, String name, byte[] value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment bytes = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, bytes, JAVA_BYTE, 0, value.length);
            if (syscall(state, Syscalls.LSETXATTR, arena.allocateFrom(path).address(), arena.allocateFrom(name).address(),
                    bytes.address(), value.length, 0, 0) < 0) {
                throw fail(what, state);
            }
        }
    }

    /**
     * llistxattr(2) and lgetxattr(2): a path's own extended attributes, name to value (a symlink's
     * own, never its target's). Empty where the filesystem has none (ENOTSUP).
     */
    public static java.util.Map<String, byte[]> xattrs(String path, String what) {
        java.util.Map<String, byte[]> xattrs = new java.util.LinkedHashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment name = arena.allocateFrom(path);
            long size = syscall(state, Syscalls.LLISTXATTR, name.address(), 0, 0, 0);
            if (size < 0) {
                if (errno(state) == Errno.EOPNOTSUPP) return xattrs;
                throw fail(what, state);
            }
            if (size == 0) return xattrs;
            MemorySegment list = arena.allocate(size);
            size = syscall(state, Syscalls.LLISTXATTR, name.address(), list.address(), size, 0);
            if (size < 0) throw fail(what, state);
            for (long at = 0; at < size; ) {
                String key = list.getString(at);
                at += key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
                MemorySegment keyName = arena.allocateFrom(key);
                long length = syscall(state, Syscalls.LGETXATTR, name.address(), keyName.address(), 0, 0);
                if (length < 0) {
                    if (errno(state) == Errno.ENODATA) continue; // removed meanwhile
                    throw fail(what + " (" + key + ")", state);
                }
                MemorySegment value = arena.allocate(Math.max(1, length));
                length = syscall(state, Syscalls.LGETXATTR, name.address(), keyName.address(), value.address(), length);
                if (length < 0) throw fail(what + " (" + key + ")", state);
                xattrs.put(key, value.asSlice(0, length).toArray(JAVA_BYTE));
            }
            return xattrs;
        }
    }

    /** Reads at most {@code max} bytes; returns them (empty at end of file). EAGAIN gives null. */
    public static byte[] read(int fd, int max, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buffer = arena.allocate(max);
            while (true) {
                long n = syscall(state, Syscalls.READ, fd, buffer.address(), max, 0);
                if (n >= 0) return buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                if (errno(state) == 11 /* EAGAIN */) return null;
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
        }
    }

    /**
     * Reads to the end of the file, at most {@code max} bytes, a page-sized piece at a time: one
     * native buffer of {@code max} bytes costs its zeroing, 10 ms for a MiB in the interpreter.
     */
    private static byte[] readUpTo(int fd, int max, String what) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (out.size() < max) {
            byte[] piece = read(fd, Math.min(8192, max - out.size()), what);
            if (piece == null || piece.length == 0) break;
            out.write(piece, 0, piece.length);
        }
        return out.toByteArray();
    }

    public static final short POLLIN = 1;

    /** Waits up to {@code millis} for {@code events} on one descriptor; returns the events seen. */
    public static int poll(int fd, short events, long millis, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment pollfd = arena.allocate(8, 8);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(ValueLayout.JAVA_SHORT, 4, events);
            MemorySegment timeout = arena.allocate(16, 8);
            timeout.set(JAVA_LONG, 0, millis / 1000);
            timeout.set(JAVA_LONG, 8, (millis % 1000) * 1_000_000);
            long n = syscall(state, Syscalls.PPOLL, pollfd.address(), 1, timeout.address(), 0);
            if (n < 0) {
                if (errno(state) == Errno.EINTR) return 0;
                throw fail(what, state);
            }
            return n == 0 ? 0 : pollfd.get(ValueLayout.JAVA_SHORT, 6);
        }
    }

    /** A pidfd for {@code pid}, or -1 if the process is gone: signals and waits that cannot hit a reused pid. */
    public static int pidfdOpen(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long fd = syscall(state, Syscalls.PIDFD_OPEN, pid, 0, 0, 0);
            if (fd >= 0) return (int) fd;
            if (errno(state) == Errno.ESRCH) return -1;
            throw fail("opening a pidfd for process " + pid, state);
        }
    }

    /** Sends a signal through a pidfd; returns false when the process has ended. */
    public static boolean pidfdSignal(int pidfd, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (syscall(state, Syscalls.PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0) == 0) return true;
            if (errno(state) == Errno.ESRCH) return false;
            throw fail("sending signal " + signal, state);
        }
    }

    /**
     * Connects to the AF_UNIX socket at {@code path} and sends {@code fd} with SCM_RIGHTS, the
     * message being {@code name}: how runc hands a terminal's master or a pidfd to its caller.
     *
     * @param socketName the socket as errors name it: "the console socket /run/x.sock"
     */
    public static void sendFileTo(String path, String name, int fd, String socketName) {
        int socket = connectUnix(path, "connecting to " + socketName);
        String what = "sending " + name + " to " + socketName;
        try {
            sendWithFds(socket, name.getBytes(java.nio.charset.StandardCharsets.UTF_8), new int[] {fd}, what);
        } finally {
            close(socket);
        }
    }

    /** A connected AF_UNIX stream socket to {@code path} (a console socket). */
    public static int connectUnix(String path, String what) {
        return connectUnix(path, 1 /* SOCK_STREAM */, what);
    }

    /** A connected AF_UNIX socket of {@code type} (SOCK_STREAM, {@link #SOCK_SEQPACKET}) to {@code path}. */
    public static int connectUnix(String path, int type, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            byte[] name = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (name.length >= 108) throw new SysException(what + ": socket path too long", Errno.ENAMETOOLONG);
            long fd = syscall(state, Syscalls.SOCKET, AF_UNIX, type | SOCK_CLOEXEC, 0, 0);
            if (fd < 0) throw fail(what, state);
            MemorySegment address = arena.allocate(110, 8);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, 2, name.length);
            if (syscall(state, Syscalls.CONNECT, fd, address.address(), 2 + name.length + 1, 0) < 0) {
                SysException e = fail(what, state);
                close((int) fd);
                throw e;
            }
            return (int) fd;
        }
    }

    public static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;

    /** shutdown(2): no more reading, writing or either on a socket; a socket already closed by its peer is no error. */
    public static void shutdown(int fd, int how) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (syscall(state, Syscalls.SHUTDOWN, fd, how, 0, 0) < 0 && errno(state) != 107 /* ENOTCONN */) {
                throw fail("shutting the socket down", state);
            }
        }
    }

    /** ioctl(fd, request, buffer) with a buffer in and out (termios, winsize). */
    static void ioctl(int fd, long request, MemorySegment buffer, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (syscall(state, Syscalls.IOCTL, fd, request, buffer.address(), 0) < 0) throw fail(what, state);
        }
    }

    /** Whether the descriptor is a terminal (TCGETS succeeds). */
    public static boolean isatty(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return syscall(state, Syscalls.IOCTL, fd, 0x5401 /* TCGETS */, arena.allocate(64).address(), 0) == 0;
        }
    }

    /**
     * Makes this process the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER), as
     * runc's foreground run is: a daemon the container leaves behind comes back to us.
     */
    public static void becomeSubreaper() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (syscall(state, Syscalls.PRCTL, 36 /* PR_SET_CHILD_SUBREAPER */, 1, 0, 0) < 0) {
                throw fail("becoming the subreaper of the container's processes", state);
            }
        }
    }

    /**
     * Reads at most {@code max} bytes of {@code path} as seen from the directory {@code root},
     * every step of the walk kept inside it (openat2 with RESOLVE_IN_ROOT): a symlink in an
     * image cannot lead to the host's files. Null when there is no such file.
     */
    public static byte[] readInRoot(String root, String path, int max, String what) {
        int dir = open(root, O_PATH | 0x10000 /* O_DIRECTORY */ | O_CLOEXEC, what);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment how = arena.allocate(24, 8);
            how.set(ValueLayout.JAVA_LONG, 0, O_RDONLY | O_CLOEXEC | O_NOCTTY);
            how.set(ValueLayout.JAVA_LONG, 16, 0x10 /* RESOLVE_IN_ROOT */ | 0x02 /* RESOLVE_NO_MAGICLINKS */);
            long fd;
            while ((fd = syscall(state, Syscalls.OPENAT2, dir, arena.allocateFrom(path).address(), how.address(), 24)) < 0) {
                int errno = errno(state);
                if (errno == Errno.ENOENT) return null;
                if (errno != 11 /* EAGAIN: a rename raced with the walk */ && errno != Errno.EINTR) throw fail(what, state);
            }
            try {
                return readUpTo((int) fd, max, what);
            } finally {
                close((int) fd);
            }
        } finally {
            close(dir);
        }
    }

    /** mount(2) of a file system with its options, as {@code mount -t TYPE -o DATA SOURCE TARGET}. */
    public static void mount(String source, String target, String type, String data, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (syscall(state, Syscalls.MOUNT, arena.allocateFrom(source).address(), arena.allocateFrom(target).address(),
                    arena.allocateFrom(type).address(), 0, arena.allocateFrom(data).address(), 0) < 0) {
                throw fail(what, state);
            }
        }
    }

    /** umount2(path, MNT_DETACH): the mount goes now, its users keep it until they let go. */
    public static void unmountLazily(String path, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (syscall(state, Syscalls.UMOUNT2, arena.allocateFrom(path).address(), 2 /* MNT_DETACH */, 0, 0) < 0) {
                throw fail(what, state);
            }
        }
    }

    /** Waits for the child {@code pid} to end and returns its raw wait status. */
    public static int waitpid(int pid, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment status = arena.allocate(JAVA_INT);
            while (true) {
                long result = syscall(state, Syscalls.WAIT4, pid, status.address(), 0, 0);
                if (result == pid) return status.get(JAVA_INT, 0);
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
        }
    }

    /** Sends a signal; returns false when the process no longer exists. */
    public static boolean kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (syscall(state, Syscalls.KILL, pid, signal, 0, 0) == 0) return true;
            if (errno(state) == Errno.ESRCH) return false;
            throw fail("sending signal " + signal + " to process " + pid, state);
        }
    }

    // ---------------------------------------------------------------- processes

    private static final class Spawn {
        static final MethodHandle H = downcall("posix_spawn",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    }

    private static final class SpawnActions {
        static final MethodHandle INIT = downcall("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ADD_OPEN = downcall("posix_spawn_file_actions_addopen",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle DESTROY = downcall("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        /** glibc's posix_spawn_file_actions_t is 80 bytes on x86-64 and arm64: room to spare. */
        static final long SIZE = 256;
    }

    /** Apart: only a program started with descriptors of its own (conmon) links them. */
    private static final class SpawnStdio {
        static final MethodHandle DUP2 = downcall("posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        /** glibc 2.34's; without it a monitor would hold the caller's pipes and the JVM's files. */
        static final MethodHandle CLOSE_FROM = downcall("posix_spawn_file_actions_addclosefrom_np",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    /**
     * Starts {@code path} with {@code argv}, an empty environment, this process's descriptors that
     * are not close-on-exec, and /dev/null opened on each of {@code devNull}. posix_spawn uses
     * vfork semantics: the safe way for a multithreaded JVM to start a process.
     */
    public static int spawn(String path, String[] argv, int[] devNull, String what) {
        return spawn(path, argv, new String[0], devNull, new int[0], what);
    }

    /**
     * As {@link #spawn(String, String[], int[], String)}, with {@code env} as its environment; given
     * {@code stdio}, the child has {@code stdio[i]}, where it is not -1, on descriptor i, and no
     * other descriptor of this process's.
     */
    public static int spawn(String path, String[] argv, String[] env, int[] devNull, int[] stdio, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pid = arena.allocate(JAVA_INT);
            MemorySegment actions = MemorySegment.NULL;
            boolean withActions = devNull.length > 0 || stdio.length > 0;
            if (withActions) {
                actions = arena.allocate(SpawnActions.SIZE, 16);
                int error = (int) SpawnActions.INIT.invokeExact(actions);
                if (error != 0) throw new SysException(what, error);
            }
            try {
                MemorySegment null_ = arena.allocateFrom("/dev/null");
                for (int fd : devNull) {
                    int error = (int) SpawnActions.ADD_OPEN.invokeExact(actions, fd, null_, O_RDWR, 0);
                    if (error != 0) throw new SysException(what, error);
                }
                for (int fd = 0; fd < stdio.length; fd++) {
                    if (stdio[fd] < 0) continue;
                    int error = (int) SpawnStdio.DUP2.invokeExact(actions, stdio[fd], fd);
                    if (error != 0) throw new SysException(what, error);
                }
                if (stdio.length > 0) {
                    int error = (int) SpawnStdio.CLOSE_FROM.invokeExact(actions, stdio.length);
                    if (error != 0) throw new SysException(what, error);
                }
                int error = (int) Spawn.H.invokeExact(pid, arena.allocateFrom(path), actions,
                        MemorySegment.NULL, stringArray(arena, argv), stringArray(arena, env));
                if (error != 0) throw new SysException(what, error);
                return pid.get(JAVA_INT, 0);
            } finally {
                if (withActions) {
                    int unused = (int) SpawnActions.DESTROY.invokeExact(actions);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment stringArray(Arena arena, String[] strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.length + 1L);
        for (int i = 0; i < strings.length; i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings[i]));
        }
        array.setAtIndex(ADDRESS, strings.length, MemorySegment.NULL);
        return array;
    }

    /** The exit code a shell would report for a wait status: the exit status, or 128 + signal. */
    public static int exitCode(int waitStatus) {
        int signal = waitStatus & 0x7f;
        return signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
    }
}
