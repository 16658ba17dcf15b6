package hako.warm;

import hako.HakoException;
import hako.sys.Caller;
import hako.sys.SystemdManager;
import hako.sys.UnitProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The warm runtime's own place in the cgroup tree. It starts in the cgroup of the command that
 * started it: a conmon's scope, a service that runs podman (a Quadlet unit), containerd's. Left
 * there it would count against that caller's limits, keep the caller's scope from ending for its
 * idle time, and be killed with that unit while it serves other callers. So where systemd runs
 * the tree, the runtime first asks its caller's systemd (root's, or the user's systemd --user)
 * for a scope of its own, as podman's pause process has one, named after its socket. Where that
 * cannot be (systemd is not PID 1, a user's login session outside the tree its manager may move
 * processes in, a caller in a user namespace) it stays where it started: the containers never
 * depend on it, they are the caller's children (docs/warm.md).
 */
final class WarmScope {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private WarmScope() {}

    /** Moves this runtime to a scope of its own, where systemd can. */
    static void settle(String socketName) {
        // sd_booted()'s test: systemd is PID 1 and runs the cgroup tree
        if (!Files.isDirectory(Path.of("/run/systemd/system")) || Caller.current().inUserNamespace()) return;
        String unit = unitName(socketName);
        try (SystemdManager systemd = SystemdManager.connect(Caller.current(), TIMEOUT)) {
            systemd.startTransientUnit(unit, "fail", List.of(
                    UnitProperty.string("Description", "hako's warm runtime (docs/warm.md)"),
                    // 0 is whoever sends the call, as systemd's pid namespace sees it
                    UnitProperty.uint32s("PIDs", List.of(0)),
                    UnitProperty.string("CollectMode", "inactive-or-failed")));
        } catch (HakoException e) {
            // it stays: see above
        }
    }

    /** {@code hako-warm/BUILD/UID/HASH} as a unit's name: hako-warm-BUILD-UID-HASH.scope. */
    static String unitName(String socketName) {
        return socketName.replaceAll("[^A-Za-z0-9:_.-]", "-") + ".scope";
    }
}
