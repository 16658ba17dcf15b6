package hako.cgroup;

import hako.sys.Mountinfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where this host's cgroup v2 tree is, where hako itself sits in it, and which controllers the
 * host has bound to cgroup v1 hierarchies instead (to say why a controller is missing).
 *
 * <p>On a pure cgroup v2 host the tree is at /sys/fs/cgroup; on a hybrid one (systemd's
 * "unified" layout) it is at /sys/fs/cgroup/unified, usually with no controllers at all, because
 * the v1 hierarchies hold them. hako never writes into a v1 hierarchy.
 *
 * @param mount      the cgroup2 mount point, or null when the host mounts none
 * @param ownCgroup  this process's cgroup, absolute within the tree ({@code /} for the root)
 * @param v1         each controller bound to a v1 hierarchy, and where that hierarchy is mounted
 */
public record Hierarchy(Path mount, String ownCgroup, Map<String, String> v1) {

    /** The host's, read from /proc/self/mountinfo and the caller's /proc/PID/cgroup (hako.Invocation). */
    public static Hierarchy current() {
        try {
            return parse(Files.readString(Path.of("/proc/self/mountinfo")),
                    Files.readString(hako.Invocation.current().callerProc().resolve("cgroup")));
        } catch (IOException e) {
            throw new CgroupException("reading /proc/self/mountinfo and /proc/self/cgroup: " + e.getMessage(), e);
        }
    }

    static Hierarchy parse(String mountinfo, String procSelfCgroup) {
        Path mount = null;
        Map<String, String> v1 = new TreeMap<>();
        for (Mountinfo entry : Mountinfo.parse(mountinfo)) {
            String mountPoint = entry.mountPoint();
            if (entry.fstype().equals("cgroup2")) {
                // The first one wins: a container's /sys/fs/cgroup mounted later is not the host's.
                if (mount == null) mount = Path.of(mountPoint);
            } else if (entry.fstype().equals("cgroup")) {
                for (String option : entry.superOptions().split(",")) {
                    if (!option.equals("rw") && !option.equals("ro") && !option.contains("=")) {
                        v1.putIfAbsent(option, mountPoint);
                    }
                }
            }
        }
        String own = "/";
        for (String line : procSelfCgroup.split("\n")) {
            if (line.startsWith("0::")) own = line.substring(3).strip();
        }
        // A cgroup that was removed reads as "/path (deleted)"; hako then has no place of its own.
        if (own.endsWith(" (deleted)")) own = own.substring(0, own.length() - 10);
        return new Hierarchy(mount, own.isEmpty() ? "/" : own, Map.copyOf(v1));
    }

    /** The directory of a cgroup given by its absolute path in the tree ({@code /hako/web}). */
    Path directory(String cgroupPath) {
        return cgroupPath.equals("/") ? mount : mount.resolve(cgroupPath.substring(1));
    }

    /** The cgroup path of a directory in the tree ({@code /hako/web}). */
    String cgroupPath(Path directory) {
        String relative = mount.relativize(directory).toString();
        return "/" + relative;
    }

    /**
     * Why the tree cannot give {@code controller}: it is bound to a v1 hierarchy, or the kernel
     * has none of that name.
     */
    String whyMissing(String controller) {
        String v1Mount = v1.get(controller);
        if (v1Mount != null) {
            return "this host gives it to a cgroup v1 hierarchy (" + v1Mount + "), and hako uses cgroup v2 only";
        }
        return "the kernel does not provide it";
    }

    /** Every directory from the root of the tree down to {@code cgroupPath}, both included. */
    List<Path> chain(String cgroupPath) {
        List<Path> chain = new ArrayList<>();
        chain.add(mount);
        Path current = mount;
        for (String part : cgroupPath.split("/")) {
            if (part.isEmpty()) continue;
            current = current.resolve(part);
            chain.add(current);
        }
        return chain;
    }
}
