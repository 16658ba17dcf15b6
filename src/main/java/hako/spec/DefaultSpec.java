package hako.spec;

import hako.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config.json that {@code hako spec} writes: the same container as runc's example spec
 * (libcontainer/specconv), so that tutorials written for {@code runc spec} work unchanged, except
 * that the hostname is "hako", the process is {@code sh} without a terminal, and the cgroup
 * namespace is always listed (hako requires cgroup v2, where runc adds it too), and that it has a
 * seccomp profile ({@link DefaultSeccomp}), as Docker and podman give every container.
 *
 * <p>Keys are in the order runc writes them, so the two files diff cleanly.
 */
public final class DefaultSpec {

    private static final List<String> DEFAULT_CAPABILITIES =
            List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    private DefaultSpec() {
    }

    /** The default config.json as pretty JSON (two-space indent), ending with a newline. */
    public static String json() {
        return Json.writePretty(tree()) + "\n";
    }

    /** The default config.json as a fresh, modifiable JSON tree (for {@code hako spec} options to adjust). */
    public static Map<String, Object> tree() {
        Map<String, Object> spec = object();
        spec.put("ociVersion", Spec.OCI_VERSION);
        spec.put("process", process());
        spec.put("root", object("path", "rootfs", "readonly", true));
        spec.put("hostname", "hako");
        spec.put("mounts", mounts());
        spec.put("linux", linux());
        return spec;
    }

    private static Map<String, Object> process() {
        Map<String, Object> process = object();
        // false until hako has terminal support (console socket, pty); runc's example says true.
        process.put("terminal", false);
        process.put("user", object("uid", 0L, "gid", 0L));
        process.put("args", list("sh"));
        process.put("env", list(
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "TERM=xterm"));
        process.put("cwd", "/");
        process.put("capabilities", object(
                "bounding", new ArrayList<Object>(DEFAULT_CAPABILITIES),
                "effective", new ArrayList<Object>(DEFAULT_CAPABILITIES),
                "permitted", new ArrayList<Object>(DEFAULT_CAPABILITIES)));
        process.put("rlimits", list(object("type", "RLIMIT_NOFILE", "hard", 1024L, "soft", 1024L)));
        process.put("noNewPrivileges", true);
        return process;
    }

    private static List<Object> mounts() {
        return list(
                mount("/proc", "proc", "proc"),
                mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
                mount("/dev/pts", "devpts", "devpts",
                        "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
                mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
                mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
                mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
                mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"));
    }

    private static Map<String, Object> mount(String destination, String type, String source, Object... options) {
        Map<String, Object> mount = object("destination", destination, "type", type, "source", source);
        if (options.length > 0) {
            mount.put("options", list(options));
        }
        return mount;
    }

    private static Map<String, Object> linux() {
        Map<String, Object> linux = object();
        // Deny every device in the cgroup; the runtime allows the default devices itself.
        linux.put("resources", object("devices", list(object("allow", false, "access", "rwm"))));
        linux.put("namespaces", list(
                object("type", "pid"),
                object("type", "network"),
                object("type", "ipc"),
                object("type", "uts"),
                object("type", "mount"),
                object("type", "cgroup")));
        linux.put("maskedPaths", list(
                "/proc/acpi",
                "/proc/asound",
                "/proc/kcore",
                "/proc/keys",
                "/proc/latency_stats",
                "/proc/timer_list",
                "/proc/timer_stats",
                "/proc/sched_debug",
                "/sys/firmware",
                "/proc/scsi",
                "/sys/devices/virtual/tpm"));
        linux.put("readonlyPaths", list(
                "/proc/bus",
                "/proc/fs",
                "/proc/irq",
                "/proc/sys",
                "/proc/sysrq-trigger"));
        linux.put("seccomp", DefaultSeccomp.profile());
        return linux;
    }

    /** An ordered object from key, value, key, value... */
    static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            object.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return object;
    }

    private static List<Object> list(Object... elements) {
        List<Object> list = new ArrayList<>(elements.length);
        for (Object element : elements) {
            list.add(element);
        }
        return list;
    }
}
