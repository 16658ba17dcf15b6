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
 */
public record IdMaps(List<Spec.IdMapping> uids, List<Spec.IdMapping> gids, boolean denySetgroups) {

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
        lines.add("write " + quote(text(uids)) + " to /proc/" + who + "/uid_map");
        lines.add("write " + quote(text(gids)) + " to /proc/" + who + "/gid_map");
        return lines;
    }

    private static String quote(String text) {
        return '"' + text.replace("\n", "\\n") + '"';
    }
}
