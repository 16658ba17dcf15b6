package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The calls the cgroup package needs beyond {@link Libc}'s: a cgroup directory opened for
 * {@code clone3(CLONE_INTO_CGROUP)} and for bpf(2), writes that report the kernel's errno (a
 * cgroup file says what is wrong only through it), and inotify, to wait for a cgroup's events
 * file to change instead of polling it.
 */
public final class CgroupCalls {
    private static final boolean X86 = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> true;
        case "aarch64", "arm64" -> false;
        default -> throw new UnsupportedOperationException("hako does not know the system calls of " + System.getProperty("os.arch"));
    };
    // The flag values that differ between the architectures hako runs on (asm/fcntl.h).
    private static final int O_DIRECTORY = X86 ? 0200000 : 040000;
    private static final int O_NOFOLLOW = X86 ? 0400000 : 0100000;
    private static final int INOTIFY_INIT1 = X86 ? 294 : 26;
    private static final int INOTIFY_ADD_WATCH = X86 ? 254 : 27;
    private static final int IN_NONBLOCK = 0x800, IN_CLOEXEC = 0x80000;
    /** A cgroup's files report changes as IN_MODIFY (kernfs_notify). */
    public static final int IN_MODIFY = 2;

    private CgroupCalls() {}

    /** {@code open(path, O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC)}: a handle on a directory, nothing more. */
    public static int openDirectory(String path, String what) {
        return Libc.open(path, Libc.O_PATH | O_DIRECTORY | O_NOFOLLOW | Libc.O_CLOEXEC, what);
    }

    /**
     * Writes {@code value} to a cgroup file in one write(2), as the kernel wants each value;
     * failures carry the kernel's errno ({@link SysException#errno()}): ENOENT for a file the
     * cgroup does not have, EINVAL for a value it refuses, EBUSY for a rule it enforces.
     */
    public static void writeFile(String path, String value, String what) {
        int fd = Libc.open(path, Libc.O_WRONLY | Libc.O_CLOEXEC, what);
        try {
            Libc.writeFully(fd, value.getBytes(java.nio.charset.StandardCharsets.UTF_8), what);
        } finally {
            Libc.close(fd);
        }
    }

    /** A non-blocking, close-on-exec inotify descriptor watching {@code path} for {@code mask}. */
    public static int watch(String path, int mask, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            long fd = Libc.syscall(state, INOTIFY_INIT1, IN_NONBLOCK | IN_CLOEXEC, 0, 0, 0);
            if (fd < 0) throw Libc.fail(what, state);
            if (Libc.syscall(state, INOTIFY_ADD_WATCH, fd, arena.allocateFrom(path).address(), mask, 0) < 0) {
                SysException e = Libc.fail(what, state);
                Libc.close((int) fd);
                throw e;
            }
            return (int) fd;
        }
    }

    /**
     * Waits up to {@code millis} for the watched file to change, then drains the queued events.
     * Returns whether anything happened (false on timeout).
     */
    public static boolean awaitChange(int inotifyFd, long millis, String what) {
        boolean changed = (Libc.poll(inotifyFd, Libc.POLLIN, millis, what) & Libc.POLLIN) != 0;
        if (changed) {
            byte[] events;
            do {
                events = Libc.read(inotifyFd, 4096, what);
            } while (events != null && events.length > 0);
        }
        return changed;
    }
}
