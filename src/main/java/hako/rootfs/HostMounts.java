package hako.rootfs;

import hako.sys.Libc;
import hako.sys.SysException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The mounts a container without a mount namespace of its own made in the runtime's: its spec's
 * mounts land under its rootfs on the host (as with runc), and hako takes them away at delete
 * (runc leaves them).
 */
public final class HostMounts {
    private HostMounts() {}

    /** Unmounts, deepest first, every mount at or under {@code rootfs} in this mount namespace. */
    public static void unmountUnder(Path rootfs) {
        String root;
        try {
            root = rootfs.toRealPath().toString(); // the kernel lists mount points with symlinks resolved
        } catch (IOException e) {
            return; // no rootfs, nothing can be mounted in it
        }
        List<String> points = new ArrayList<>();
        for (String point : mountPoints()) {
            if (point.equals(root) || point.startsWith(root + "/")) points.add(point);
        }
        points.sort(Comparator.comparingInt(String::length).reversed());
        for (String point : points) {
            try {
                Libc.unmountLazily(point, "unmounting " + point);
            } catch (SysException e) {
                // EINVAL: gone with a parent already
                if (e.errno() != 22) throw e;
            }
        }
    }

    /**
     * The mounts of a whole procfs or sysfs (their root is the filesystem's own) outside the
     * rootfs, which --no-pivot detaches: what runc's msMoveRoot detaches, for the same reason.
     */
    static List<String> fullProcAndSysfsOutside(Path rootfs) {
        String root = rootfs.toString();
        List<String> points = new ArrayList<>();
        for (String line : mountinfo()) {
            String[] fields = line.split(" ");
            int dash = java.util.Arrays.asList(fields).indexOf("-");
            if (fields.length < 5 || dash < 0 || dash + 1 >= fields.length) continue;
            String point = unescape(fields[4]);
            boolean pseudo = fields[dash + 1].equals("proc") || fields[dash + 1].equals("sysfs");
            if (pseudo && fields[3].equals("/") && !point.equals(root) && !point.startsWith(root + "/")) points.add(point);
        }
        return List.copyOf(points);
    }

    /** Field 5 of /proc/self/mountinfo, with the kernel's octal escapes (\040 for a space) undone. */
    static List<String> mountPoints() {
        List<String> points = new ArrayList<>();
        for (String line : mountinfo()) {
            String[] fields = line.split(" ", 6);
            if (fields.length > 4) points.add(unescape(fields[4]));
        }
        return points;
    }

    private static List<String> mountinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            throw new IllegalStateException("reading /proc/self/mountinfo: " + e.getMessage(), e);
        }
    }

    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
