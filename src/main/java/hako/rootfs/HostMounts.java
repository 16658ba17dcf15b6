package hako.rootfs;

import hako.sys.Mountinfo;
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

    /** The host's cgroup v2 mount point (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host). */
    static String cgroup2() {
        java.nio.file.Path mount = hako.cgroup.Hierarchy.current().mount();
        return mount == null ? "/sys/fs/cgroup" : mount.toString();
    }

    /** Unmounts, deepest first, every mount at or under {@code rootfs} in this mount namespace. */
    public static void unmountUnder(Path rootfs) {
        String root;
        try {
            root = rootfs.toRealPath().toString(); // the kernel lists mount points with symlinks resolved
        } catch (IOException e) {
            return; // no rootfs, nothing can be mounted in it
        }
        List<String> points = new ArrayList<>();
        for (Mountinfo mount : mountinfo()) {
            String point = mount.mountPoint();
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
        for (Mountinfo mount : mountinfo()) {
            String point = mount.mountPoint();
            boolean pseudo = mount.fstype().equals("proc") || mount.fstype().equals("sysfs");
            if (pseudo && mount.root().equals("/") && !point.equals(root) && !point.startsWith(root + "/")) points.add(point);
        }
        return List.copyOf(points);
    }

    private static List<Mountinfo> mountinfo() {
        try {
            return Mountinfo.parse(Files.readString(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new IllegalStateException("reading /proc/self/mountinfo: " + e.getMessage(), e);
        }
    }
}
