package hako.cgroup;

import hako.security.IdMaps;
import hako.spec.NamespaceType;
import hako.spec.Spec;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The container's cgroup handed to its user: as runc does, when the container has a user
 * namespace and a cgroup namespace of its own with /sys/fs/cgroup mounted read-write (it is
 * meant to manage its own subtree), the cgroup directory and the files the kernel lists in
 * /sys/kernel/cgroup/delegate are given to the host uid (and gid) of process.user.
 *
 * @param uid the host uid that gets them
 * @param gid the host gid that gets them
 */
public record Delegation(long uid, long gid) {
    private static final Path DELEGATE = Path.of("/sys/kernel/cgroup/delegate");
    /** cgroups(7)'s list, for kernels before 4.15 that have no delegate file. */
    private static final List<String> DEFAULT_FILES = List.of("cgroup.procs", "cgroup.subtree_control", "cgroup.threads");

    /** The delegation the spec asks for, or null for none. */
    public static Delegation of(Spec spec) {
        Spec.Linux linux = spec.linux();
        if (!linux.hasNamespace(NamespaceType.USER) || !linux.hasNamespace(NamespaceType.CGROUP)) return null;
        boolean writableCgroupfs = spec.mounts().stream().anyMatch(m -> "cgroup".equals(m.type())
                && Path.of(m.destination()).normalize().toString().equals("/sys/fs/cgroup") && !m.options().contains("ro"));
        if (!writableCgroupfs) return null;
        long uid = IdMaps.toHost(linux.uidMappings(), spec.process().user().uid());
        long gid = IdMaps.toHost(linux.gidMappings(), spec.process().user().gid());
        // A joined user namespace, or the user unmapped: runc lets it pass, so do we.
        return uid < 0 ? null : new Delegation(uid, gid);
    }

    static List<String> files(CgroupFiles files) {
        String text = files.read(DELEGATE);
        return text == null ? DEFAULT_FILES : CgroupTree.words(text);
    }

    /** hako plan's line. */
    public String render(Path cgroup) {
        return "chown " + uid + ":" + (gid < 0 ? "-" : gid) + " " + cgroup + " and its " + String.join(", ", files(CgroupFiles.kernel()))
                + "  (delegated to the container's user namespace)";
    }

    /** Gives the directory and its delegatable files to the owner; a file the kernel lacks is passed over. */
    void apply(CgroupFiles files, Path cgroup) {
        chown(files, cgroup);
        for (String file : files(files)) {
            try {
                chown(files, cgroup.resolve(file));
            } catch (CgroupException e) {
                if (!(e.getCause() instanceof NoSuchFileException)) throw e;
            }
        }
    }

    private void chown(CgroupFiles files, Path path) {
        try {
            files.chown(path, uid, gid);
        } catch (IOException e) {
            throw new CgroupException("changing the owner of " + path + " to " + uid + ": " + e.getMessage(), e);
        }
    }
}
