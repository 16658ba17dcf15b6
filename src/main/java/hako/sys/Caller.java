package hako.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Who runs hako: its effective uid and gid, and whether it runs in a user namespace other than
 * the initial one.
 *
 * <p>A caller that is not root is rootless (runc's RootlessEUID): it can map only its own ids
 * itself (more takes newuidmap/newgidmap), must deny setgroups to map its gid, and never calls
 * setgroups. A caller that is root inside a user namespace — the runtime under rootless podman,
 * which runs it in podman's own namespace — is root for all of that, but not on the host: its
 * cgroups are seldom its own, and it may not make device nodes (runc's RunningInUserNS).
 *
 * @param inUserNamespace /proc/self/uid_map is not the initial namespace's "0 0 4294967295"
 */
public record Caller(long uid, long gid, boolean inUserNamespace) {
    public static final Caller ROOT = new Caller(0, 0);

    /** A caller in the initial user namespace. */
    public Caller(long uid, long gid) {
        this(uid, gid, false);
    }

    public boolean rootless() {
        return uid != 0;
    }

    /**
     * Whether the caller is not root in the initial user namespace (runc: euid != 0, or
     * RunningInUserNS). Then, as runc: cgroups are likely not its own (its rootless cgroup
     * manager: one is made only where the caller may write, none where no limit is asked for),
     * and it may not make device nodes (the host's are bound).
     */
    public boolean unprivileged() {
        return rootless() || inUserNamespace;
    }

    /** Read once: the JVM never changes its own ids or user namespace. */
    private static volatile Caller current;

    /** The effective ids of this process, from /proc/self/status (Java has no geteuid), and its user namespace. */
    public static Caller current() {
        Caller caller = current;
        if (caller == null) current = caller = read();
        return caller;
    }

    private static Caller read() {
        try {
            long uid = -1, gid = -1;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                // "Uid:\treal\teffective\tsaved\tfs"
                if (line.startsWith("Uid:")) uid = Long.parseLong(line.split("\\s+")[2]);
                if (line.startsWith("Gid:")) gid = Long.parseLong(line.split("\\s+")[2]);
            }
            return new Caller(uid, gid, inUserNamespace(Path.of("/proc/self/uid_map")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * As runc (moby/sys/userns): the initial user namespace's uid_map is the one line "0 0
     * 4294967295"; anything else — an empty map included, that of a namespace not mapped yet — is
     * another namespace. A kernel without user namespaces has no uid_map: the initial one.
     */
    static boolean inUserNamespace(Path uidMap) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(uidMap);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (lines.isEmpty()) return true;
        String[] fields = lines.getFirst().strip().split("\\s+");
        if (fields.length != 3) return false; // not a map: taken as the initial namespace, as runc
        return !(fields[0].equals("0") && fields[1].equals("0") && fields[2].equals("4294967295"));
    }
}
