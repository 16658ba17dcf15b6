package hako.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The bpf(2) commands of a cgroup device filter: load a BPF_PROG_TYPE_CGROUP_DEVICE program,
 * attach it to a cgroup (replacing the one there, never stacking a second), list and detach.
 *
 * <p>Each command fills a {@code union bpf_attr}; the kernel checks that the bytes after the
 * fields it knows are zero, so every attribute block starts zeroed.
 */
public final class Bpf {
    private static final int PROG_LOAD = 5, PROG_ATTACH = 8, PROG_DETACH = 9, PROG_GET_FD_BY_ID = 13, PROG_QUERY = 16;
    private static final int PROG_TYPE_CGROUP_DEVICE = 15;
    private static final int ATTACH_CGROUP_DEVICE = 6;
    private static final int F_ALLOW_MULTI = 2, F_REPLACE = 4;
    private static final int NR_BPF = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 321;
        case "aarch64", "arm64" -> 280;
        default -> throw new UnsupportedOperationException("hako does not know bpf(2) on " + System.getProperty("os.arch"));
    };
    /** How much of the verifier's log an error quotes. */
    private static final int LOG_SIZE = 64 * 1024;

    private Bpf() {}

    private static long bpf(MemorySegment state, int command, MemorySegment attr) {
        return Libc.syscall(state, NR_BPF, command, attr.address(), attr.byteSize(), 0);
    }

    /**
     * Loads a device program ({@code instructions}: struct bpf_insn, 8 bytes each) and returns its
     * descriptor. When the verifier refuses it, the error quotes the verifier's last line.
     */
    public static int loadDeviceProgram(byte[] instructions, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            MemorySegment code = arena.allocate(instructions.length, 8);
            MemorySegment.copy(instructions, 0, code, ValueLayout.JAVA_BYTE, 0, instructions.length);
            MemorySegment license = arena.allocateFrom("GPL");
            MemorySegment attr = arena.allocate(72, 8);
            attr.set(JAVA_INT, 0, PROG_TYPE_CGROUP_DEVICE);
            attr.set(JAVA_INT, 4, instructions.length / 8);
            attr.set(JAVA_LONG, 8, code.address());
            attr.set(JAVA_LONG, 16, license.address());
            // prog_name: what bpftool and /proc/PID/fdinfo show.
            byte[] name = "hako_devices".getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(name, 0, attr, ValueLayout.JAVA_BYTE, 48, name.length);
            long fd = bpf(state, PROG_LOAD, attr);
            if (fd >= 0) return (int) fd;
            int errno = Libc.errno(state);
            if (errno != Errno.EINVAL && errno != Errno.EACCES) throw new SysException(what, errno);
            // Ask again with the verifier's log, to say why.
            MemorySegment log = arena.allocate(LOG_SIZE);
            attr.set(JAVA_INT, 24, 1);
            attr.set(JAVA_INT, 28, LOG_SIZE);
            attr.set(JAVA_LONG, 32, log.address());
            fd = bpf(state, PROG_LOAD, attr);
            if (fd >= 0) return (int) fd;
            throw new SysException(what + " (verifier: " + lastLine(log.getString(0)) + ")", Libc.errno(state));
        }
    }

    private static String lastLine(String log) {
        String[] lines = log.strip().split("\n");
        return lines.length == 0 ? "no log" : lines[lines.length - 1];
    }

    /** The ids of the device programs attached to the cgroup itself (not inherited ones). */
    public static int[] attachedDevicePrograms(int cgroupFd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            int capacity = 64;
            while (true) {
                MemorySegment ids = arena.allocate(JAVA_INT, capacity);
                MemorySegment attr = arena.allocate(40, 8);
                attr.set(JAVA_INT, 0, cgroupFd);
                attr.set(JAVA_INT, 4, ATTACH_CGROUP_DEVICE);
                attr.set(JAVA_LONG, 16, ids.address());
                attr.set(JAVA_INT, 24, capacity);
                if (bpf(state, PROG_QUERY, attr) == 0) {
                    int count = attr.get(JAVA_INT, 24);
                    int[] result = new int[count];
                    for (int i = 0; i < count; i++) result[i] = ids.getAtIndex(JAVA_INT, i);
                    return result;
                }
                if (Libc.errno(state) != 28 /* ENOSPC: more than capacity */ || capacity >= 65536) {
                    throw Libc.fail(what, state);
                }
                capacity *= 8;
            }
        }
    }

    /** A descriptor for the program with this id, or -1 when it is gone. */
    public static int programById(int id, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            MemorySegment attr = arena.allocate(16, 8);
            attr.set(JAVA_INT, 0, id);
            long fd = bpf(state, PROG_GET_FD_BY_ID, attr);
            if (fd >= 0) return (int) fd;
            if (Libc.errno(state) == Errno.ENOENT) return -1;
            throw Libc.fail(what, state);
        }
    }

    /**
     * Attaches a device program to the cgroup. With {@code replaceFd} >= 0 the kernel swaps it for
     * that attached program in one step (BPF_F_REPLACE), so the cgroup is never without a filter
     * and never has two.
     */
    public static void attachDeviceProgram(int cgroupFd, int programFd, int replaceFd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            MemorySegment attr = arena.allocate(24, 8);
            attr.set(JAVA_INT, 0, cgroupFd);
            attr.set(JAVA_INT, 4, programFd);
            attr.set(JAVA_INT, 8, ATTACH_CGROUP_DEVICE);
            // ALLOW_MULTI: a container's own nested cgroups may attach filters of their own below ours.
            attr.set(JAVA_INT, 12, F_ALLOW_MULTI | (replaceFd >= 0 ? F_REPLACE : 0));
            attr.set(JAVA_INT, 16, Math.max(replaceFd, 0));
            if (bpf(state, PROG_ATTACH, attr) < 0) throw Libc.fail(what, state);
        }
    }

    /** Detaches one program from the cgroup; one already gone is not an error. */
    public static void detachDeviceProgram(int cgroupFd, int programFd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            MemorySegment attr = arena.allocate(24, 8);
            attr.set(JAVA_INT, 0, cgroupFd);
            attr.set(JAVA_INT, 4, programFd);
            attr.set(JAVA_INT, 8, ATTACH_CGROUP_DEVICE);
            if (bpf(state, PROG_DETACH, attr) < 0 && Libc.errno(state) != Errno.ENOENT) throw Libc.fail(what, state);
        }
    }
}
