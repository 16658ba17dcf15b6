package hako.cgroup;

import hako.spec.Resources;
import hako.sys.Errno;
import hako.sys.Libc;
import hako.sys.SysException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A container's cgroup (v2 only), once made ({@link CgroupPlan#make}): the container's first
 * process is born in it (clone3 with CLONE_INTO_CGROUP), and it is frozen, thawed, updated, read
 * and killed through it, and removed with it ({@link #destroy}, which also removes the empty
 * parents hako made: {@link CgroupTree}). Its kernel calls go through {@link CgroupFiles}.
 */
public final class Cgroup {
    private static final long WAIT_MILLIS = 10_000;

    private final Path path;
    private final CgroupFiles files;
    private final CgroupTree tree;

    Cgroup(Path path, CgroupFiles files) {
        this.path = path;
        this.files = files;
        this.tree = new CgroupTree(files);
    }

    /** A cgroup hako made earlier, from the path it saved. */
    public static Cgroup open(Path path) {
        return new Cgroup(path, CgroupFiles.kernel());
    }

    public Path path() {
        return path;
    }

    /** Gives the cgroup to the container's user namespace (see {@link Delegation}). */
    public void delegate(Delegation delegation) {
        delegation.apply(files, path);
    }

    /**
     * An {@code O_PATH|O_DIRECTORY|O_CLOEXEC} descriptor of the cgroup, for clone3's
     * CLONE_INTO_CGROUP; the caller closes it.
     */
    public int openDirectoryFd() {
        return files.openDirectory(path, "opening the cgroup " + path);
    }

    // ---------------------------------------------------------------- limits

    /** Writes the limits' files in order. */
    void apply(Limits limits) {
        for (Limits.Write write : limits.writes) apply(write, limits.source);
    }

    private void apply(Limits.Write write, String source) {
        Path file = path.resolve(write.file());
        // Files that kernels may lack are looked for first: a failed write costs an exception,
        // and its message a strerror downcall, on the path of every container start.
        if ((write.optional() || write.orElse() != null) && !files.exists(file)) {
            if (write.orElse() != null) apply(write.orElse(), source);
            return;
        }
        try {
            files.write(file, write.value(), "writing " + file);
        } catch (SysException e) {
            if (e.errno() == Errno.ENOENT) {
                if (write.orElse() != null) {
                    apply(write.orElse(), source);
                    return;
                }
                if (write.optional()) return;
                throw new CgroupException(source + ": " + write.path() + ": " + missingFile(write.file()));
            }
            throw new CgroupException(source + ": " + write.path() + ": writing \"" + write.value() + "\" to "
                    + file + ": " + Errno.describe(e.errno()));
        }
    }

    /** Why a cgroup file the limits need is not there. */
    private String missingFile(String file) {
        String controller = file.substring(0, file.indexOf('.'));
        if (Limits.CONTROLLERS.contains(controller) && !tree.words(path.resolve("cgroup.controllers")).contains(controller)) {
            return "needs the cgroup v2 " + controller + " controller, which " + path.getParent() + " does not pass down";
        }
        if (file.equals("memory.swap.max")) return "this kernel does not account swap (memory.swap.max is missing: swapaccount=0?)";
        return "cgroup v2 has no file " + file + " (on this kernel, at least)";
    }

    /**
     * Changes the limits of a running container: only the fields given change. Errors name
     * {@code source} (the document the resources came from) and their JSON path.
     */
    public void update(Resources resources, String source) {
        update(resources, source, Hierarchy.current());
    }

    void update(Resources resources, String source, Hierarchy hierarchy) {
        update(resources, source, hierarchy, limits -> {});
    }

    /**
     * {@link #update} with {@code first} given the limits once they are checked, before any file
     * is written: the systemd driver asks systemd for its part there.
     */
    void update(Resources resources, String source, Hierarchy hierarchy, java.util.function.Consumer<Limits> first) {
        Limits limits = Limits.parse(resources, source, "", Host.at(files, path.getParent()), file -> files.read(path.resolve(file)));
        tree.checkAvailable(hierarchy, limits);
        List<Path> chain = hierarchy.chain(hierarchy.cgroupPath(path));
        for (int i = 0; i < chain.size() - 1; i++) tree.passDown(hierarchy, chain.get(i), limits.controllers.keySet(), tree.isOurs(chain.get(i)));
        if (limits.checkBeforeUpdate && limits.memoryLimit != null && limits.memoryLimit > 0) {
            long inUse = number("memory.current").add(number("memory.swap.current")).longValue();
            if (limits.memoryLimit <= inUse) {
                throw new CgroupException(source + ": memory.limit: " + limits.memoryLimit + " is not above what the container uses now ("
                        + inUse + " bytes), and memory.checkBeforeUpdate is set");
            }
        }
        first.accept(limits);
        try {
            apply(limits);
            if (limits.deviceRules != null) {
                DeviceFilter.install(files, path, DeviceFilter.all(limits.deviceRules, DeviceFilter.remembered(tree, path)), limits.devicesPath);
            }
        } catch (SysException e) {
            throw new CgroupException(e.getMessage(), e);
        }
    }

    /** How many device filters are attached to the cgroup itself: 1 once hako made it, whatever the updates. */
    public int deviceFilters() {
        return DeviceFilter.attached(files, path);
    }

    // ---------------------------------------------------------------- control

    /** Freezes every process in the cgroup and waits until the kernel reports it frozen. */
    public void freeze() {
        setFrozen(true);
    }

    public void thaw() {
        setFrozen(false);
    }

    public boolean frozen() {
        return events().getOrDefault("frozen", 0L) == 1;
    }

    private void setFrozen(boolean frozen) {
        Path events = path.resolve("cgroup.events");
        int watch = files.watch(events, "watching " + events);
        try {
            write("cgroup.freeze", frozen ? "1" : "0");
            long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
            while (frozen() != frozen) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new CgroupException("the processes of " + path + " did not " + (frozen ? "freeze" : "thaw")
                            + " within " + WAIT_MILLIS / 1000 + " s");
                }
                files.awaitChange(watch, left, "waiting for " + events);
            }
        } finally {
            files.close(watch);
        }
    }

    /** Moves a process into the cgroup (cgroup.procs): for one that cannot be born there. */
    public void adopt(int pid) {
        write("cgroup.procs", Integer.toString(pid));
    }

    /** SIGKILLs every process in the cgroup and below, at once (cgroup.kill, Linux 5.14+). */
    public void killAll() {
        try {
            files.write(path.resolve("cgroup.kill"), "1", "killing the processes of " + path);
        } catch (SysException e) {
            if (e.errno() != Errno.ENOENT || !files.isDirectory(path)) throw new CgroupException(e.getMessage(), e);
            signalAll(Libc.SIGKILL);
        }
    }

    /**
     * Sends {@code signal} to every process in the cgroup and below. The cgroup is frozen
     * meanwhile, so that no process forks a child that escapes the signal.
     */
    public void signalAll(int signal) {
        boolean wasFrozen = frozen();
        if (!wasFrozen) freeze();
        try {
            for (int pid : pids()) files.kill(pid, signal);
        } finally {
            if (!wasFrozen) thaw();
        }
    }

    /** Every process in the cgroup and the cgroups below it, as the host numbers them. */
    public List<Integer> pids() {
        List<Integer> pids = new ArrayList<>();
        collectPids(path, pids);
        return pids;
    }

    private void collectPids(Path dir, List<Integer> pids) {
        for (String pid : tree.words(dir.resolve("cgroup.procs"))) pids.add(Integer.parseInt(pid));
        for (Path child : tree.children(dir)) collectPids(child, pids);
    }

    /** Usage in the shape of runc's {@code events --stats} data. */
    public Map<String, Object> stats() {
        return Stats.read(path);
    }

    /** Follows memory.events for OOM kills; the caller closes it. */
    public OomWatch watchOom() {
        return new OomWatch(files, path);
    }

    /** Whether any process is left in the cgroup or below it. */
    public boolean populated() {
        return events().getOrDefault("populated", 0L) == 1;
    }

    // ---------------------------------------------------------------- removing it

    /**
     * Kills what still runs in the cgroup, removes it (with any cgroups the container made below
     * it), then each parent hako made that is now empty. A cgroup already gone is not an error.
     */
    public void destroy() {
        if (files.isDirectory(path)) {
            empty();
            tree.removeTree(path);
        }
        tree.removeEmptyParents(path);
    }

    /** Kills what still runs in the cgroup and below and waits until nothing does; the cgroup stays. */
    void empty() {
        if (files.isDirectory(path) && populated()) {
            killAll();
            awaitEmpty();
        }
    }

    private void awaitEmpty() {
        Path events = path.resolve("cgroup.events");
        int watch;
        try {
            watch = files.watch(events, "watching " + events);
        } catch (SysException e) {
            return;   // gone already
        }
        try {
            long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
            while (files.exists(events) && populated()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) throw new CgroupException("the processes of " + path + " did not end within " + WAIT_MILLIS / 1000 + " s of SIGKILL");
                files.awaitChange(watch, left, "waiting for " + events);
            }
        } finally {
            files.close(watch);
        }
    }

    // ---------------------------------------------------------------- files

    private Map<String, Long> events() {
        return Stats.flatKeyed(files.read(path.resolve("cgroup.events")));
    }

    private java.math.BigInteger number(String file) {
        return Stats.number(files.read(path.resolve(file)));
    }

    private void write(String file, String value) {
        try {
            files.write(path.resolve(file), value, "writing " + path.resolve(file));
        } catch (SysException e) {
            throw new CgroupException(e.getMessage(), e);
        }
    }

}
