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
    public static final int F_ADD_SEALS = 1033;
    public static final int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
    public static final int SIGKILL = 9;

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

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static SysException fail(String what, MemorySegment state) {
        return new SysException(what, errno(state));
    }

    private static RuntimeException rethrow(Throwable t) {
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

    // ---------------------------------------------------------------- identity

    private static final class Geteuid {
        static final MethodHandle H = downcall("geteuid", FunctionDescriptor.of(JAVA_INT));
    }

    public static int geteuid() {
        try {
            return (int) Geteuid.H.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- descriptors

    private static final class Close {
        static final MethodHandle H = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    /** Closes a descriptor; errors are ignored, as there is nothing useful to do about them. */
    public static void close(int fd) {
        if (fd < 0) return;
        try {
            int ignored = (int) Close.H.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class MemfdCreate {
        static final MethodHandle H = withErrno("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    public static int memfdCreate(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) MemfdCreate.H.invokeExact(state, arena.allocateFrom(name), flags);
            if (fd < 0) throw fail("creating memfd " + name, state);
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class Write {
        static final MethodHandle H = withErrno("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    /** Writes all of {@code data}, retrying short writes and EINTR. */
    public static void writeFully(int fd, byte[] data, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buffer = arena.allocate(data.length);
            MemorySegment.copy(data, 0, buffer, ValueLayout.JAVA_BYTE, 0, data.length);
            long offset = 0;
            while (offset < data.length) {
                long n = (long) Write.H.invokeExact(state, fd, buffer.asSlice(offset), data.length - offset);
                if (n < 0) {
                    if (errno(state) == Errno.EINTR) continue;
                    throw fail(what, state);
                }
                offset += n;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class Fcntl {
        static final MethodHandle H = withErrno("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
    }

    public static int fcntl(int fd, int command, int argument, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) Fcntl.H.invokeExact(state, fd, command, argument);
            if (result < 0) throw fail(what, state);
            return result;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class Socketpair {
        static final MethodHandle H = withErrno("socketpair",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }

    /** Returns the two connected ends. */
    public static int[] socketpair(int domain, int type, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int result = (int) Socketpair.H.invokeExact(state, domain, type, 0, fds);
            if (result < 0) throw fail(what, state);
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class Send {
        static final MethodHandle H = withErrno("send",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    /** Sends one datagram. MSG_NOSIGNAL: a peer that died is an error, not a SIGPIPE. */
    public static void send(int fd, MemorySegment message, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                long n = (long) Send.H.invokeExact(state, fd, message, message.byteSize(), 0x4000 /* MSG_NOSIGNAL */);
                if (n >= 0) return;
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class Recv {
        static final MethodHandle H = withErrno("recv",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    /** Receives one datagram into {@code buffer}; returns its length, 0 at end of file. */
    public static long recv(int fd, MemorySegment buffer, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                long n = (long) Recv.H.invokeExact(state, fd, buffer, buffer.byteSize(), 0);
                if (n >= 0) return n;
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- processes

    private static final class Spawn {
        static final MethodHandle SPAWN = downcall("posix_spawn",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle INIT = downcall("posix_spawn_file_actions_init",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle ADD_DUP2 = downcall("posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle DESTROY = downcall("posix_spawn_file_actions_destroy",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        /** sizeof(posix_spawn_file_actions_t) is 80 on glibc; leave room. */
        static final long FILE_ACTIONS_SIZE = 256;
    }

    /**
     * Starts {@code path} with {@code argv} and an empty environment; descriptor {@code from} becomes
     * {@code to} in the child, and stdio is inherited. posix_spawn uses vfork semantics, which is the
     * safe way for a multithreaded JVM to start a process.
     */
    public static int spawn(String path, String[] argv, int from, int to, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(Spawn.FILE_ACTIONS_SIZE, 8);
            int error = (int) Spawn.INIT.invokeExact(actions);
            if (error != 0) throw new SysException(what, error);
            try {
                error = (int) Spawn.ADD_DUP2.invokeExact(actions, from, to);
                if (error != 0) throw new SysException(what, error);
                MemorySegment argvArray = stringArray(arena, argv);
                MemorySegment envp = stringArray(arena, new String[0]);
                MemorySegment pid = arena.allocate(JAVA_INT);
                error = (int) Spawn.SPAWN.invokeExact(pid, arena.allocateFrom(path), actions,
                        MemorySegment.NULL, argvArray, envp);
                if (error != 0) throw new SysException(what, error);
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) Spawn.DESTROY.invokeExact(actions);
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

    private static final class Waitpid {
        static final MethodHandle H = withErrno("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    /** Waits for the child {@code pid} to end and returns its raw wait status. */
    public static int waitpid(int pid, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment status = arena.allocate(JAVA_INT);
            while (true) {
                int result = (int) Waitpid.H.invokeExact(state, pid, status, 0);
                if (result == pid) return status.get(JAVA_INT, 0);
                if (errno(state) != Errno.EINTR) throw fail(what, state);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The exit code a shell would report for a wait status: the exit status, or 128 + signal. */
    public static int exitCode(int waitStatus) {
        int signal = waitStatus & 0x7f;
        return signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
    }

    private static final class Kill {
        static final MethodHandle H = withErrno("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    /** Sends a signal; returns false when the process no longer exists. */
    public static boolean kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) Kill.H.invokeExact(state, pid, signal);
            if (result == 0) return true;
            if (errno(state) == Errno.ESRCH) return false;
            throw fail("sending signal " + signal + " to process " + pid, state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
