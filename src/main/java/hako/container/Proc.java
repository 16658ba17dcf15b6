package hako.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What /proc says about a process: whether it is still the one hako started, and its peers. */
final class Proc {
    private Proc() {}

    /**
     * The process's start time (clock ticks after boot, field 22 of /proc/PID/stat), or -1 when
     * there is no such process or it is a zombie: dead, only not yet reaped.
     */
    static long startTime(int pid) {
        if (pid <= 0) return -1;
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return -1;
        }
        // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        char state = fields[0].charAt(0);
        if (state == 'Z' || state == 'X') return -1;
        return Long.parseLong(fields[19]);
    }

    /** Whether {@code pid} is alive and is the process that started at {@code startTime}. */
    static boolean alive(int pid, long startTime) {
        long now = startTime(pid);
        return now >= 0 && now == startTime;
    }

    /**
     * Every process in the PID namespace of {@code pid} (itself included), as the host numbers
     * them: the container's processes when it has a PID namespace of its own.
     */
    static List<Integer> sharingPidNamespace(int pid) {
        List<Integer> pids = new ArrayList<>();
        String namespace = pidNamespace(pid);
        if (namespace == null) return pids;
        try (var entries = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                int other = Integer.parseInt(name);
                if (namespace.equals(pidNamespace(other))) pids.add(other);
            }
        } catch (IOException e) {
            throw new ContainerException("listing /proc: " + e.getMessage());
        }
        pids.sort(null);
        return pids;
    }

    private static String pidNamespace(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")).toString();
        } catch (IOException e) {
            return null;
        }
    }
}
