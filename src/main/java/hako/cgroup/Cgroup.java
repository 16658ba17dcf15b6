package hako.cgroup;

import hako.spec.CpuList;
import hako.spec.Spec;
import hako.sys.Bpf;
import hako.sys.CgroupCalls;
import hako.sys.Errno;
import hako.sys.Libc;
import hako.sys.SysException;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A container's cgroup (v2 only): made and limited before the container's first process, which
 * is born in it (clone3 with CLONE_INTO_CGROUP), then frozen, thawed, updated, read and killed
 * through it, and removed with it.
 *
 * <p>hako touches no cgroup it did not make, with one exception the kernel forces: to give a
 * container a controller, each cgroup above it must pass that controller down in its
 * {@code cgroup.subtree_control}, so hako adds (never removes) the controllers a spec needs
 * there. The cgroups hako makes carry a {@code trusted.hako.created} extended attribute, so that
 * {@link #destroy()} removes the empty parents hako made, and only those.
 */
public final class Cgroup {
    /**
     * Marks a cgroup directory hako made: an extended attribute lives and dies with it, and one
     * in the trusted namespace can be set only with CAP_SYS_ADMIN, so no container forges it.
     */
    private static final String CREATED = "trusted.hako.created";
    /** linux.devices of the spec, kept on the cgroup: an update of the device rules still allows them. */
    private static final String GIVEN_DEVICES = "trusted.hako.devices";
    /** Where hako moves itself when its own cgroup must pass controllers down (no internal processes). */
    static final String RUNTIME_LEAF = "hako-runtime";
    private static final long WAIT_MILLIS = 10_000;

    private final Path path;

    private Cgroup(Path path) {
        this.path = path;
    }

    // ---------------------------------------------------------------- making one

    /**
     * Makes the container's cgroup from {@code linux.cgroupsPath} and {@code linux.resources},
     * with its limits and device filter in force. On any failure, everything made is removed
     * again and the error says what was wrong. Returns null only on a host without any cgroup v2
     * hierarchy, when the spec asks for nothing that needs one.
     */
    public static Cgroup create(String id, Spec.Linux linux) {
        Planned planned = plan(id, linux);
        return planned == null ? null : planned.make();
    }

    /**
     * A container's cgroup, checked but not made yet: its directory, for the state to name before
     * anything exists (a create killed from then on leaves nothing that delete cannot find).
     */
    public static final class Planned {
        private final Hierarchy hierarchy;
        private final List<Path> chain;
        private final Limits limits;
        private final List<DeviceRule> given;
        private final Path target;

        private Planned(Hierarchy hierarchy, List<Path> chain, Limits limits, List<DeviceRule> given, Path target) {
            this.hierarchy = hierarchy;
            this.chain = chain;
            this.limits = limits;
            this.given = given;
            this.target = target;
        }

        public Path path() {
            return target;
        }

        /** Whether this process may make it: the nearest directory of its chain that exists is writable. */
        public boolean makeable() {
            return Files.isWritable(nearestExisting(chain));
        }

        /** Makes it, limits and device filter in force; on a failure, what was made is removed. */
        public Cgroup make() {
            List<Path> made = new ArrayList<>();
            try {
                makeChain(hierarchy, chain, limits.controllers.keySet(), made);
                Cgroup cgroup = new Cgroup(target);
                setAttribute(target, GIVEN_DEVICES, rulesText(given));
                cgroup.apply(limits);
                List<DeviceRule> specRules = limits.deviceRules != null ? limits.deviceRules : List.of();
                cgroup.installDeviceFilter(rules(specRules, given), limits.devicesPath);
                return cgroup;
            } catch (RuntimeException e) {
                for (int i = made.size() - 1; i >= 0; i--) removeQuietly(made.get(i));
                throw e instanceof SysException ? new CgroupException(e.getMessage(), e) : e;
            }
        }
    }

    /** The checks of {@link #create}, nothing made; null where {@link #create} returns null. */
    public static Planned plan(String id, Spec.Linux linux) {
        Hierarchy hierarchy = Hierarchy.current();
        if (hierarchy.mount() == null) {
            if (asksForAnything(linux.resources())) {
                throw new CgroupException("config.json: linux.resources: this host mounts no cgroup v2 hierarchy, "
                        + "and hako enforces resources only through cgroup v2");
            }
            return null;
        }
        String cgroupPath = Placement.resolve(linux.cgroupsPath(), id, hierarchy.ownCgroup());
        Path target = hierarchy.directory(cgroupPath);
        if (Files.exists(target)) removeStale(target);
        List<Path> chain = hierarchy.chain(cgroupPath);
        Limits limits = Limits.parse(linux.resources(), "config.json", "linux.resources", Host.at(nearestExisting(chain)), null);
        checkAvailable(hierarchy, limits);
        return new Planned(hierarchy, chain, limits, DeviceFilter.given(linux.devices()), target);
    }

    /**
     * A cgroup already where the container's goes: one hako made for an earlier container of that
     * name that was never deleted (hako was killed) and holds no process is removed; any other is
     * someone else's, and an error.
     */
    private static void removeStale(Path target) {
        Cgroup stale = new Cgroup(target);
        if (!isOurs(target) || stale.populated()) {
            throw new CgroupException("the cgroup " + target + " already exists" + (isOurs(target) ? " and has processes in it" : "")
                    + "; hako makes a new cgroup for each container (see linux.cgroupsPath)");
        }
        removeTree(target);
    }

    /** A cgroup hako made earlier, from the path it saved. */
    public static Cgroup open(Path path) {
        return new Cgroup(path);
    }

    public Path path() {
        return path;
    }

    /** Gives the cgroup to the container's user namespace (see {@link Delegation}); null: nothing to do. */
    public void delegate(Delegation delegation) {
        if (delegation != null) delegation.apply(path);
    }

    /**
     * An {@code O_PATH|O_DIRECTORY|O_CLOEXEC} descriptor of the cgroup, for clone3's
     * CLONE_INTO_CGROUP; the caller closes it.
     */
    public int openDirectoryFd() {
        return CgroupCalls.openDirectory(path.toString(), "opening the cgroup " + path);
    }

    /** Whether linux.resources asks for any limit (an empty object, or nulls, ask for none). */
    public static boolean asksForAnything(Map<String, Object> resources) {
        if (resources == null) return false;
        for (Map.Entry<String, Object> entry : resources.entrySet()) {
            Object value = entry.getValue();
            if (value == null) continue;
            if (value instanceof Map<?, ?> map && map.isEmpty()) continue;
            if (value instanceof List<?> list && list.isEmpty()) continue;
            return true;
        }
        return false;
    }

    private static Path nearestExisting(List<Path> chain) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            if (Files.isDirectory(chain.get(i))) return chain.get(i);
        }
        return chain.getFirst();
    }

    /** Every controller the limits need must be in the tree at all (not bound to cgroup v1). */
    private static void checkAvailable(Hierarchy hierarchy, Limits limits) {
        List<String> available = words(hierarchy.mount().resolve("cgroup.controllers"));
        for (Map.Entry<String, String> need : limits.controllers.entrySet()) {
            if (!available.contains(need.getKey())) {
                throw new CgroupException(limits.source + ": " + need.getValue() + ": needs the cgroup v2 " + need.getKey()
                        + " controller, which this host cannot give: " + hierarchy.whyMissing(need.getKey()));
            }
        }
    }

    /**
     * Makes every missing directory from the root of the tree down to the container's, each
     * parent passing down the controllers needed. Records each directory made in {@code made}.
     */
    private static void makeChain(Hierarchy hierarchy, List<Path> chain, Collection<String> needed, List<Path> made) {
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
    private static final class ParentGone extends RuntimeException {
        ParentGone() {
            super(null, null, false, false);
        }
    }

    private static void makeChainOnce(Hierarchy hierarchy, List<Path> chain, Collection<String> needed, List<Path> made) {
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
    private static void passDown(Hierarchy hierarchy, Path dir, Collection<String> needed, boolean ours) {
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
    private static void holdsNoProcesses(Hierarchy hierarchy, Path dir, String controller) {
        // Only the root has no cgroup.type, and only the root is exempt.
        if (!Files.exists(dir.resolve("cgroup.type")) || words(dir.resolve("cgroup.procs")).isEmpty()) return;
        if (moveSelfOut(hierarchy, dir)) return;
        throw new CgroupException("cannot pass the " + controller + " controller down from " + dir
                + ": processes live in it, and cgroup v2 gives controllers only to cgroups whose parent holds "
                + "no processes; put the container elsewhere with linux.cgroupsPath");
    }

    private static void enable(Path dir, String controller) {
        String file = dir.resolve("cgroup.subtree_control").toString();
        try {
            CgroupCalls.writeFile(file, "+" + controller, "enabling " + controller + " in " + file);
        } catch (SysException e) {
            if (e.errno() == Errno.ENOENT && !Files.isDirectory(dir)) throw new ParentGone();
            if (e.errno() == Errno.ENOENT) {
                throw new CgroupException("cannot pass the " + controller + " controller down from " + dir
                        + ": it does not have it (its parent does not pass it down)");
            }
            if (e.errno() == 95 /* EOPNOTSUPP */) {
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
     * a container's only process), hako moves itself into a leaf below it, as runc and crun do;
     * it never moves another process. Returns whether it moved.
     */
    private static boolean moveSelfOut(Hierarchy hierarchy, Path dir) {
        if (!dir.equals(hierarchy.directory(hierarchy.ownCgroup()))) return false;
        String self = Long.toString(ProcessHandle.current().pid());
        List<String> processes = words(dir.resolve("cgroup.procs"));
        if (processes.size() != 1 || !processes.getFirst().equals(self)) return false;
        Path leaf = dir.resolve(RUNTIME_LEAF);
        if (mkdir(leaf)) setAttribute(leaf, CREATED, "1");
        CgroupCalls.writeFile(leaf.resolve("cgroup.procs").toString(), self, "moving hako into " + leaf);
        return true;
    }

    // ---------------------------------------------------------------- limits

    private void apply(Limits limits) {
        for (Limits.Write write : limits.writes) apply(write, limits.source);
    }

    private void apply(Limits.Write write, String source) {
        Path file = path.resolve(write.file());
        // Files that kernels may lack are looked for first: a failed write costs an exception,
        // and its message a strerror downcall, on the path of every container start.
        if ((write.optional() || write.orElse() != null) && !Files.exists(file)) {
            if (write.orElse() != null) apply(write.orElse(), source);
            return;
        }
        try {
            CgroupCalls.writeFile(file.toString(), write.value(), "writing " + file);
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
        if (Limits.CONTROLLERS.contains(controller) && !words(path.resolve("cgroup.controllers")).contains(controller)) {
            return "needs the cgroup v2 " + controller + " controller, which " + path.getParent() + " does not pass down";
        }
        if (file.equals("memory.swap.max")) return "this kernel does not account swap (memory.swap.max is missing: swapaccount=0?)";
        return "cgroup v2 has no file " + file + " (on this kernel, at least)";
    }

    /**
     * Changes the limits of a running container: only the fields given change. Errors name
     * {@code source} (the document the resources came from) and their JSON path.
     */
    public void update(Map<String, Object> resources, String source) {
        Hierarchy hierarchy = Hierarchy.current();
        Limits limits = Limits.parse(resources, source, "", Host.at(path.getParent()), file -> Stats.text(path.resolve(file)));
        checkAvailable(hierarchy, limits);
        List<Path> chain = hierarchy.chain(hierarchy.cgroupPath(path));
        for (int i = 0; i < chain.size() - 1; i++) passDown(hierarchy, chain.get(i), limits.controllers.keySet(), isOurs(chain.get(i)));
        if (limits.checkBeforeUpdate && limits.memoryLimit != null && limits.memoryLimit > 0) {
            long inUse = Stats.number(path.resolve("memory.current")).add(Stats.number(path.resolve("memory.swap.current"))).longValue();
            if (limits.memoryLimit <= inUse) {
                throw new CgroupException(source + ": memory.limit: " + limits.memoryLimit + " is not above what the container uses now ("
                        + inUse + " bytes), and memory.checkBeforeUpdate is set");
            }
        }
        try {
            apply(limits);
            if (limits.deviceRules != null) {
                installDeviceFilter(rules(limits.deviceRules, parseRules(getAttribute(path, GIVEN_DEVICES))), limits.devicesPath);
            }
        } catch (SysException e) {
            throw new CgroupException(e.getMessage(), e);
        }
    }

    public void update(Map<String, Object> resources) {
        update(resources, "resources");
    }

    // ---------------------------------------------------------------- devices

    private static List<DeviceRule> rules(List<DeviceRule> specRules, List<DeviceRule> given) {
        List<DeviceRule> rules = new ArrayList<>(specRules);
        rules.addAll(DeviceFilter.defaults());
        rules.addAll(given);
        return rules;
    }

    /** Loads the filter and attaches it, replacing (never stacking on) the one hako attached before. */
    private void installDeviceFilter(List<DeviceRule> rules, String jsonPath) {
        String where = jsonPath != null ? jsonPath : "linux.resources.devices";
        int program = Bpf.loadDeviceProgram(DeviceFilter.program(rules), "loading the device filter (" + where + ")");
        int dir = -1;
        try {
            dir = openDirectoryFd();
            int[] attached = Bpf.attachedDevicePrograms(dir, "listing the device filters of " + path);
            if (attached.length == 1 && replace(dir, program, attached[0])) return;
            Bpf.attachDeviceProgram(dir, program, -1, "attaching the device filter to " + path);
            for (int id : attached) {
                int old = Bpf.programById(id, "opening an old device filter of " + path);
                if (old < 0) continue;
                try {
                    Bpf.detachDeviceProgram(dir, old, "detaching an old device filter from " + path);
                } finally {
                    Libc.close(old);
                }
            }
        } finally {
            Libc.close(dir);
            Libc.close(program);
        }
    }

    /** How many device filters are attached to the cgroup itself: 1 once hako made it, whatever the updates. */
    public int deviceFilters() {
        int dir = openDirectoryFd();
        try {
            return Bpf.attachedDevicePrograms(dir, "listing the device filters of " + path).length;
        } finally {
            Libc.close(dir);
        }
    }

    /** Swaps the filter in place (BPF_F_REPLACE, Linux 5.6+); false when the kernel cannot. */
    private boolean replace(int dir, int program, int oldId) {
        int old = Bpf.programById(oldId, "opening the device filter of " + path);
        if (old < 0) return false;
        try {
            Bpf.attachDeviceProgram(dir, program, old, "replacing the device filter of " + path);
            return true;
        } catch (SysException e) {
            if (e.errno() == Errno.EINVAL) return false;
            throw e;
        } finally {
            Libc.close(old);
        }
    }

    private static String rulesText(List<DeviceRule> rules) {
        StringBuilder text = new StringBuilder();
        for (DeviceRule rule : rules) {
            if (!text.isEmpty()) text.append(',');
            text.append(rule.type()).append(' ').append(rule.major()).append(':').append(rule.minor());
        }
        return text.toString();
    }

    private static List<DeviceRule> parseRules(String text) {
        List<DeviceRule> rules = new ArrayList<>();
        if (text == null || text.isEmpty()) return rules;
        for (String rule : text.split(",")) {
            int colon = rule.indexOf(':');
            rules.add(new DeviceRule(rule.charAt(0), Long.parseLong(rule.substring(2, colon)),
                    Long.parseLong(rule.substring(colon + 1)), DeviceRule.ALL, true));
        }
        return rules;
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
        return Stats.flatKeyed(path.resolve("cgroup.events")).getOrDefault("frozen", 0L) == 1;
    }

    private void setFrozen(boolean frozen) {
        Path events = path.resolve("cgroup.events");
        int watch = CgroupCalls.watch(events.toString(), CgroupCalls.IN_MODIFY, "watching " + events);
        try {
            write("cgroup.freeze", frozen ? "1" : "0");
            long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
            while (frozen() != frozen) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new CgroupException("the processes of " + path + " did not " + (frozen ? "freeze" : "thaw")
                            + " within " + WAIT_MILLIS / 1000 + " s");
                }
                CgroupCalls.awaitChange(watch, left, "waiting for " + events);
            }
        } finally {
            Libc.close(watch);
        }
    }

    /** Moves a process into the cgroup (cgroup.procs): for one that cannot be born there. */
    public void adopt(int pid) {
        write("cgroup.procs", Integer.toString(pid));
    }

    /** SIGKILLs every process in the cgroup and below, at once (cgroup.kill, Linux 5.14+). */
    public void killAll() {
        try {
            CgroupCalls.writeFile(path.resolve("cgroup.kill").toString(), "1", "killing the processes of " + path);
        } catch (SysException e) {
            if (e.errno() != Errno.ENOENT || !Files.isDirectory(path)) throw new CgroupException(e.getMessage(), e);
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
            for (int pid : pids()) Libc.kill(pid, signal);
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

    private static void collectPids(Path dir, List<Integer> pids) {
        for (String pid : words(dir.resolve("cgroup.procs"))) pids.add(Integer.parseInt(pid));
        for (Path child : children(dir)) collectPids(child, pids);
    }

    /** Usage in the shape of runc's {@code events --stats} data. */
    public Map<String, Object> stats() {
        return Stats.read(path);
    }

    /** Follows memory.events for OOM kills; the caller closes it. */
    public OomWatch watchOom() {
        return new OomWatch(path);
    }

    /** Whether any process is left in the cgroup or below it. */
    public boolean populated() {
        return Stats.flatKeyed(path.resolve("cgroup.events")).getOrDefault("populated", 0L) == 1;
    }

    // ---------------------------------------------------------------- removing it

    /**
     * Kills what still runs in the cgroup, removes it (with any cgroups the container made below
     * it), then each parent hako made that is now empty. A cgroup already gone is not an error.
     */
    public void destroy() {
        if (Files.isDirectory(path)) {
            if (populated()) {
                killAll();
                awaitEmpty();
            }
            removeTree(path);
        }
        // Up to the first cgroup hako did not make (the root of the tree never carries the mark).
        for (Path parent = path.getParent(); parent != null && isOurs(parent); parent = parent.getParent()) {
            if (!removeIfEmpty(parent)) break;
        }
    }

    private void awaitEmpty() {
        Path events = path.resolve("cgroup.events");
        int watch;
        try {
            watch = CgroupCalls.watch(events.toString(), CgroupCalls.IN_MODIFY, "watching " + events);
        } catch (SysException e) {
            return;   // gone already
        }
        try {
            long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
            while (Files.exists(events) && populated()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) throw new CgroupException("the processes of " + path + " did not end within " + WAIT_MILLIS / 1000 + " s of SIGKILL");
                CgroupCalls.awaitChange(watch, left, "waiting for " + events);
            }
        } finally {
            Libc.close(watch);
        }
    }

    /** Removes a cgroup and the cgroups below it, deepest first. */
    private static void removeTree(Path dir) {
        for (Path child : children(dir)) removeTree(child);
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new CgroupException("removing the cgroup " + dir + ": " + reason(e));
        }
    }

    private static boolean removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (DirectoryNotEmptyException e) {
            return false;
        } catch (IOException e) {
            // EBUSY: other cgroups or processes in it, which are not ours to remove.
            return false;
        }
    }

    private static void removeQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // Best effort while undoing a failed create; the first error is the one reported.
        }
    }

    // ---------------------------------------------------------------- start-up

    /**
     * For the AOT cache's training run (hako.cli.AotTraining): converts a spec's worth of limits
     * and builds a device filter, touching nothing, so that what a container start with
     * resources loads and links is in the cache.
     */
    public static int exerciseForAotTraining() {
        Host host = new Host() {
            public java.util.BitSet cpus() {
                return CpuList.parse("0-1");
            }

            public java.util.BitSet mems() {
                return CpuList.parse("0");
            }

            public boolean blockDevice(long major, long minor) {
                return true;
            }

            public java.util.Set<String> hugePageSizes() {
                return java.util.Set.of("2MB");
            }
        };
        Map<String, Object> resources = new java.util.LinkedHashMap<>();
        resources.put("memory", Map.of("limit", 268435456L, "reservation", 1048576L, "swap", 268435456L));
        resources.put("cpu", Map.of("shares", 512L, "quota", 50000L, "period", 100000L, "cpus", "0", "mems", "0"));
        resources.put("pids", Map.of("limit", 100L));
        resources.put("blockIO", Map.of("weight", 500L, "throttleReadBpsDevice", List.of(Map.of("major", 8L, "minor", 0L, "rate", 1L))));
        resources.put("hugepageLimits", List.of(Map.of("pageSize", "2MB", "limit", 0L)));
        resources.put("unified", Map.of("memory.high", "max"));
        resources.put("devices", List.of(Map.of("allow", false, "access", "rwm")));
        Limits limits = Limits.parse(resources, "config.json", "linux.resources", host, null);
        return limits.writes.size() + DeviceFilter.program(rules(limits.deviceRules, List.of())).length;
    }

    // ---------------------------------------------------------------- plan

    /**
     * What {@link #create} would do, as {@code hako plan} prints it, without doing it: the
     * directory, each file written and the device filter.
     */
    public static String describe(String id, Spec.Linux linux) {
        return describe(id, linux, null);
    }

    /** The same, with the cgroup's delegation to the container's user namespace (null for none). */
    public static String describe(String id, Spec.Linux linux, Delegation delegation) {
        StringBuilder out = new StringBuilder("# runtime: the container's cgroup (v2)\n");
        Hierarchy hierarchy = Hierarchy.current();
        if (hierarchy.mount() == null) {
            return out.append("  none: this host mounts no cgroup v2 hierarchy\n").toString();
        }
        String cgroupPath = Placement.resolve(linux.cgroupsPath(), id, hierarchy.ownCgroup());
        List<Path> chain = hierarchy.chain(cgroupPath);
        Limits limits = Limits.parse(linux.resources(), "config.json", "linux.resources", Host.at(nearestExisting(chain)), null);
        checkAvailable(hierarchy, limits);
        Path target = hierarchy.directory(cgroupPath);
        out.append("  mkdir ").append(target).append("  (and missing parents, each passing down ")
                .append(limits.controllers.isEmpty() ? "no controller" : String.join(" ", limits.controllers.keySet())).append(")\n");
        for (Limits.Write write : limits.writes) out.append("  ").append(write.render()).append('\n');
        List<DeviceRule> all = rules(limits.deviceRules != null ? limits.deviceRules : List.of(), DeviceFilter.given(linux.devices()));
        out.append("  bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, ").append(DeviceFilter.program(all).length / 8)
                .append(" instructions from ").append(all.size()).append(" rules), bpf(BPF_PROG_ATTACH, ").append(target).append(")\n");
        if (delegation != null) out.append(delegation.render(target));
        return out.toString();
    }

    // ---------------------------------------------------------------- files

    private void write(String file, String value) {
        try {
            CgroupCalls.writeFile(path.resolve(file).toString(), value, "writing " + path.resolve(file));
        } catch (SysException e) {
            throw new CgroupException(e.getMessage(), e);
        }
    }

    /** Space- or line-separated words of a file; empty when there is no such file. */
    static List<String> words(Path file) {
        List<String> words = new ArrayList<>();
        String text = Stats.text(file);
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

    private static List<Path> children(Path dir) {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) children.add(entry);
            }
        } catch (IOException e) {
            // gone: no children
        }
        return children;
    }

    /** Makes a directory; false when it was there already. */
    private static boolean mkdir(Path dir) {
        try {
            Files.createDirectory(dir);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (NoSuchFileException e) {
            throw new ParentGone();
        } catch (IOException e) {
            throw new CgroupException("making the cgroup " + dir + ": " + reason(e));
        }
    }

    private static boolean isOurs(Path dir) {
        return "1".equals(getAttribute(dir, CREATED));
    }

    private static void setAttribute(Path dir, String name, String value) {
        try {
            CgroupCalls.setXattr(dir.toString(), name, value, "marking the cgroup " + dir + " as hako's");
        } catch (SysException e) {
            throw new CgroupException(e.getMessage(), e);
        }
    }

    private static String getAttribute(Path dir, String name) {
        return CgroupCalls.getXattr(dir.toString(), name);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return Character.toLowerCase(f.getReason().charAt(0)) + f.getReason().substring(1);
        }
        return e.getMessage();
    }
}
