package hako.security;

import hako.spec.Spec;

import java.util.ArrayList;
import java.util.List;

/**
 * The id maps of a new user namespace, which the runtime writes into /proc/PID/{setgroups,uid_map,gid_map}
 * of the process that made it, while that process waits for its next batch (docs/stage-protocol.md):
 * the container's init, or a short-lived process whose namespace an id-mapped mount takes.
 *
 * @param denySetgroups "deny" is written to setgroups first: the kernel requires it before an
 *                      unprivileged process may write a gid_map (runc: rootless, one gid mapped)
 * @param newuidmap     the setuid helper that writes the uid map instead (newuidmap, of shadow's
 *                      uidmap), for a caller that is not root mapping more than its own uid
 *                      (subuids from /etc/subuid, as runc); null: the runtime writes it itself
 * @param newgidmap     the same for the gid map (newgidmap, /etc/subgid)
 */
public record IdMaps(List<Spec.IdMapping> uids, List<Spec.IdMapping> gids, boolean denySetgroups, String newuidmap,
                     String newgidmap) {

    /** Maps the runtime writes itself. */
    public IdMaps(List<Spec.IdMapping> uids, List<Spec.IdMapping> gids, boolean denySetgroups) {
        this(uids, gids, denySetgroups, null, null);
    }

    /** The arguments of newuidmap/newgidmap after the pid: "inside outside count" of each mapping. */
    public static List<String> toolArguments(List<Spec.IdMapping> mappings) {
        List<String> args = new ArrayList<>();
        for (Spec.IdMapping m : mappings) {
            args.add(Long.toString(m.containerId()));
            args.add(Long.toString(m.hostId()));
            args.add(Long.toString(m.size()));
        }
        return args;
    }

    /** A map file's content: one "inside outside count" line per mapping, written in one write(2). */
    public static String text(List<Spec.IdMapping> mappings) {
        StringBuilder text = new StringBuilder();
        for (Spec.IdMapping m : mappings) {
            text.append(m.containerId()).append(' ').append(m.hostId()).append(' ').append(m.size()).append('\n');
        }
        return text.toString();
    }

    /** The host id that container id {@code id} maps to, or -1 when it is not mapped. */
    public static long toHost(List<Spec.IdMapping> mappings, long id) {
        for (Spec.IdMapping m : mappings) {
            if (id >= m.containerId() && id < m.containerId() + m.size()) return m.hostId() + (id - m.containerId());
        }
        return -1;
    }

    /** The steps as {@code hako plan} shows them, for a process named {@code who}. */
    public List<String> render(String who) {
        List<String> lines = new ArrayList<>();
        if (denySetgroups) lines.add("write \"deny\" to /proc/" + who + "/setgroups");
        lines.add(newuidmap != null ? newuidmap + " " + who + " " + String.join(" ", toolArguments(uids))
                : "write " + quote(text(uids)) + " to /proc/" + who + "/uid_map");
        lines.add(newgidmap != null ? newgidmap + " " + who + " " + String.join(" ", toolArguments(gids))
                : "write " + quote(text(gids)) + " to /proc/" + who + "/gid_map");
        return lines;
    }

    private static String quote(String text) {
        return '"' + text.replace("\n", "\\n") + '"';
    }
}
