package hako.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process that must still be the same one later: its pid and its start time (field 22 of
 * /proc/PID/stat), so that a recycled pid is never taken for the container that died.
 */
public record ProcessRef(int pid, long startTime) {

    public static ProcessRef of(long pid) {
        long start = startTime((int) pid);
        if (start < 0) throw new NetworkException("process " + pid + " has ended");
        return new ProcessRef((int) pid, start);
    }

    public static ProcessRef self() {
        return of(ProcessHandle.current().pid());
    }

    public boolean alive() {
        return startTime(pid) == startTime;
    }

    /** The start time in clock ticks since boot, or -1 when there is no such process. */
    static long startTime(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count after its end.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[22 - 3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
