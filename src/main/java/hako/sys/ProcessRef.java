package hako.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process that must still be the same one later: its pid and its start time (field 22 of
 * /proc/PID/stat), so that a recycled pid is never taken for the process that died. The one
 * reading of a process's identity, for the lifecycle and the network alike.
 */
public record ProcessRef(int pid, long startTime) {

    /** The process as it is now; an error when it has ended. */
    public static ProcessRef of(long pid) {
        long start = startTime((int) pid);
        if (start < 0) throw new SysException("process " + pid + " has ended", Errno.ESRCH);
        return new ProcessRef((int) pid, start);
    }

    public static ProcessRef self() {
        return of(ProcessHandle.current().pid());
    }

    /** Whether it is still running: the same start time, and not a zombie. */
    public boolean alive() {
        return alive(pid, startTime);
    }

    /** Whether {@code pid} is alive and is the process that started at {@code startTime}. */
    public static boolean alive(int pid, long startTime) {
        long now = startTime(pid);
        return now >= 0 && now == startTime;
    }

    /**
     * The process's start time in clock ticks after boot, or -1 when there is no such process or
     * it is a zombie: dead, only not yet reaped (its namespaces are gone already).
     */
    public static long startTime(int pid) {
        if (pid <= 0) return -1;
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            char state = fields[0].charAt(0);
            if (state == 'Z' || state == 'X') return -1;
            return Long.parseLong(fields[22 - 3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
