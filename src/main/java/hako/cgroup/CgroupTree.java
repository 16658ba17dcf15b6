package hako.cgroup;

import hako.sys.Errno;
import hako.sys.SysException;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The cgroup v2 tree around containers' cgroups: the chain of directories made down to a
 * container's, each parent passing the needed controllers down, hako moved into a leaf where
 * the "no internal processes" rule demands it, and the empty parents hako made removed again.
 *
 * <p>hako touches no cgroup it did not make, with one exception the kernel forces: to give a
 * container a controller, each cgroup above it must pass that controller down in its
 * {@code cgroup.subtree_control}, so hako adds (never removes) the controllers a spec needs
 * there. The cgroups hako makes carry a {@code trusted.hako.created} extended attribute, so that
 * only those are removed.
 *
 * <p>Every kernel call goes through {@link CgroupFiles}, so that the order of them is tested.
 */
final class CgroupTree {
    private final CgroupFiles files;

    CgroupTree(CgroupFiles files) {
        this.files = files;
    }

    CgroupFiles files() {
        return files;
    }

    /**
     * Marks a cgroup directory hako made: an extended attribute lives and dies with it, and one
     * in the trusted namespace can be set only with CAP_SYS_ADMIN, so no container forges it.
     */
    static final String CREATED = "trusted.hako.created";

    /** Where hako moves itself when its own cgroup must pass controllers down (no internal processes). */
    static final String RUNTIME_LEAF = "hako-runtime";

    /**
     * A cgroup already where the container's goes: one hako made for an earlier container of that
     * name that was never deleted (hako was killed) and holds no process is removed by
     * {@link CgroupPlan#make}; any other is someone else's, and an error.
     */
    void checkStale(Path target) {
        if (!isOurs(target) || new Cgroup(target, files).populated()) {
            throw new CgroupException("the cgroup " + target + " already exists" + (isOurs(target) ? " and has processes in it" : "")
                    + "; hako makes a new cgroup for each container (see linux.cgroupsPath)");
        }
    }

    Path nearestExisting(List<Path> chain) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            if (files.isDirectory(chain.get(i))) return chain.get(i);
        }
        return chain.getFirst();
    }

    /**
     * Every controller the limits need must be in the tree at all (not bound to cgroup v1) —
     * unless the host's policy (/etc/hako/hako.toml) turns such a limit into a warning, and the
     * limit is dropped: on a hybrid host, containerd's pause container asks for cpu.shares.
     */
    void checkAvailable(Hierarchy hierarchy, Limits limits) {
        List<String> available = words(hierarchy.mount().resolve("cgroup.controllers"));
        for (Map.Entry<String, String> need : List.copyOf(limits.controllers.entrySet())) {
            if (available.contains(need.getKey())) continue;
            String problem = limits.source + ": " + need.getValue() + ": needs the cgroup v2 " + need.getKey()
                    + " controller, which this host cannot give: " + hierarchy.whyMissing(need.getKey());
            UnenforceableLimits.refuseOrWarn(problem);
            limits.drop(need.getKey());
        }
    }

    /**
     * Every controller the limits need must be one the systemd that makes the unit may enable: a
     * user's systemd --user only those the system's delegates to its user@UID.service (Debian's
     * Delegate=pids memory cpu), the controllers of its cgroup. systemd takes a property whose
     * controller it cannot enable and leaves it unenforced: here it is refused (or, under the
     * host's policy, dropped with a warning) instead. Root's systemd has the whole tree, which
     * {@link #checkAvailable} checked; a user's manager not where logind puts it is not checked
     * here ({@link SystemdScope} checks the unit's cgroup once made).
     */
    void checkDelegated(Hierarchy hierarchy, Limits limits, String manager) {
        Path managerDir = hierarchy.directory(manager);
        if (manager.equals("/") || !files.isDirectory(managerDir)) return;
        List<String> delegated = words(managerDir.resolve("cgroup.controllers"));
        for (Map.Entry<String, String> need : List.copyOf(limits.controllers.entrySet())) {
            if (delegated.contains(need.getKey())) continue;
            UnenforceableLimits.refuseOrWarn(limits.source + ": " + need.getValue() + ": needs the cgroup v2 " + need.getKey()
                    + " controller, which systemd does not delegate to this user's systemd --user (" + manager + " has "
                    + (delegated.isEmpty() ? "none" : String.join(" ", delegated)) + ": see Delegate= of user@.service)");
            limits.drop(need.getKey());
        }
    }

    /**
     * Makes every missing directory from the root of the tree down to the container's, each
     * parent passing down the controllers needed. Records each directory made in {@code made}.
     */
    void makeChain(Hierarchy hierarchy, List<Path> chain, Collection<String> needed, List<Path> made) {
        // Another hako may remove a shared parent (hako/) it found empty just as this one makes a
        // cgroup in it: then the parent is made again.
        for (int attempt = 1; ; attempt++) {
            try {
                makeChainOnce(hierarchy, chain, needed, made);
                return;
            } catch (ParentGone e) {
                if (attempt == 5) throw new CgroupException("making the cgroup " + chain.getLast() + ": its parent keeps vanishing");
            }
        }
    }

    /** A parent directory went away while hako was making a cgroup in it. */
    static final class ParentGone extends RuntimeException {
        ParentGone() {
            super(null, null, false, false);
        }
    }

    void makeChainOnce(Hierarchy hierarchy, List<Path> chain, Collection<String> needed, List<Path> made) {
        for (int i = 0; i < chain.size(); i++) {
            Path dir = chain.get(i);
            if (i > 0 && mkdir(dir)) {
                made.add(dir);
                setAttribute(dir, CREATED, "1");
            }
            if (i < chain.size() - 1) passDown(hierarchy, dir, needed, isOurs(dir));
        }
    }

    /**
     * Makes {@code dir}'s children get {@code needed} controllers: adds them to its
     * cgroup.subtree_control. In a cgroup hako made, every controller it has is passed down, so
     * that later updates and stats find them; in others, only what is needed.
     */
    void passDown(Hierarchy hierarchy, Path dir, Collection<String> needed, boolean ours) {
        List<String> enabled = words(dir.resolve("cgroup.subtree_control"));
        List<String> wanted = new ArrayList<>(needed);
        if (ours) {
            for (String controller : words(dir.resolve("cgroup.controllers"))) {
                if (!wanted.contains(controller)) wanted.add(controller);
            }
        }
        boolean checked = false;
        for (String controller : wanted) {
            if (enabled.contains(controller)) continue;
            if (!checked) {
                holdsNoProcesses(hierarchy, dir, controller);
                checked = true;
            }
            try {
                enable(dir, controller);
            } catch (CgroupException e) {
                // Extra controllers are a convenience; only the needed ones must be there.
                if (needed.contains(controller)) throw e;
            }
        }
    }

    /**
     * cgroup v2's "no internal processes" rule: below the root, a cgroup that passes controllers
     * down may hold no processes itself (the kernel refuses domain controllers with EBUSY, and
     * takes threaded ones only to leave the children "domain invalid", so hako checks first).
     * When hako itself is the only process there, it moves into a leaf; otherwise it refuses.
     */
    void holdsNoProcesses(Hierarchy hierarchy, Path dir, String controller) {
        // Only the root has no cgroup.type, and only the root is exempt.
        if (!files.exists(dir.resolve("cgroup.type")) || words(dir.resolve("cgroup.procs")).isEmpty()) return;
        if (moveSelfOut(hierarchy, dir)) return;
        throw new CgroupException("cannot pass the " + controller + " controller down from " + dir
                + ": processes live in it, and cgroup v2 gives controllers only to cgroups whose parent holds "
                + "no processes; put the container elsewhere with linux.cgroupsPath");
    }

    void enable(Path dir, String controller) {
        Path file = dir.resolve("cgroup.subtree_control");
        try {
            files.write(file, "+" + controller, "enabling " + controller + " in " + file);
        } catch (SysException e) {
            if (e.errno() == Errno.ENOENT && !files.isDirectory(dir)) throw new ParentGone();
            if (e.errno() == Errno.ENOENT) {
                throw new CgroupException("cannot pass the " + controller + " controller down from " + dir
                        + ": it does not have it (its parent does not pass it down)");
            }
            if (e.errno() == Errno.EOPNOTSUPP) {
                throw new CgroupException("cannot pass the " + controller + " controller down from " + dir
                        + ": its cgroup.type is \"" + String.join(" ", words(dir.resolve("cgroup.type")))
                        + "\" (a cgroup above it holds processes)");
            }
            throw new CgroupException(e.getMessage(), e);
        }
    }

    /**
     * The "no internal processes" rule: a cgroup holding processes cannot pass controllers down.
     * When the only process in {@code dir} is hako itself (hako started in a fresh cgroup, or as
     * a container's only process; on the warm path, the hako command), hako moves itself into a
     * leaf below it, as runc and crun do;
     * it never moves another process. Returns whether it moved.
     */
    boolean moveSelfOut(Hierarchy hierarchy, Path dir) {
        if (!dir.equals(hierarchy.directory(hierarchy.ownCgroup()))) return false;
        // hako as the caller sees it: on the warm path, the hako command that handed us its call
        String self = Long.toString(hako.Invocation.current().callerPid());
        List<String> processes = words(dir.resolve("cgroup.procs"));
        if (processes.size() != 1 || !processes.getFirst().equals(self)) return false;
        Path leaf = dir.resolve(RUNTIME_LEAF);
        if (mkdir(leaf)) setAttribute(leaf, CREATED, "1");
        files.write(leaf.resolve("cgroup.procs"), self, "moving hako into " + leaf);
        return true;
    }

    /** Removes a cgroup and the cgroups below it, deepest first. */
    void removeTree(Path dir) {
        for (Path child : children(dir)) removeTree(child);
        try {
            files.rmdir(dir);
        } catch (IOException e) {
            throw new CgroupException("removing the cgroup " + dir + ": " + reason(e));
        }
    }

    boolean removeIfEmpty(Path dir) {
        try {
            files.rmdir(dir);
            return true;
        } catch (DirectoryNotEmptyException e) {
            return false;
        } catch (IOException e) {
            // EBUSY: other cgroups or processes in it, which are not ours to remove.
            return false;
        }
    }

    void removeQuietly(Path dir) {
        try {
            files.rmdir(dir);
        } catch (IOException e) {
            // Best effort while undoing a failed create; the first error is the one reported.
        }
    }

    List<Path> children(Path dir) {
        return files.children(dir);
    }

    /** Makes a directory; false when it was there already. */
    boolean mkdir(Path dir) {
        try {
            return files.mkdir(dir);
        } catch (NoSuchFileException e) {
            throw new ParentGone();
        } catch (IOException e) {
            throw new CgroupException("making the cgroup " + dir + ": " + reason(e));
        }
    }

    boolean isOurs(Path dir) {
        return "1".equals(getAttribute(dir, CREATED));
    }

    void setAttribute(Path dir, String name, String value) {
        try {
            files.setXattr(dir, name, value, "marking the cgroup " + dir + " as hako's");
        } catch (SysException e) {
            throw new CgroupException(e.getMessage(), e);
        }
    }

    String getAttribute(Path dir, String name) {
        return files.getXattr(dir, name);
    }

    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return Character.toLowerCase(f.getReason().charAt(0)) + f.getReason().substring(1);
        }
        return e.getMessage();
    }

    /** Space- or line-separated words of a file; empty when there is no such file. */
    List<String> words(Path file) {
        return words(files.read(file));
    }

    /** Space- or line-separated words of a text; empty for null. */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        if (text == null) return words;
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean space = i == text.length() || Character.isWhitespace(text.charAt(i));
            if (space && start >= 0) {
                words.add(text.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
        return words;
    }

    /**
     * Removes the empty parents of {@code dir} that hako made, up to the first cgroup hako did
     * not make (the root of the tree never carries the mark).
     */
    void removeEmptyParents(Path dir) {
        for (Path parent = dir.getParent(); parent != null && isOurs(parent); parent = parent.getParent()) {
            if (!removeIfEmpty(parent)) break;
        }
    }
}
