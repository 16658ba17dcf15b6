package hako.cgroup;

import hako.spec.Resources;
import hako.spec.Spec;
import hako.sys.SysException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's cgroup, checked but not made yet: its directory (for the state to name before
 * anything exists — a create killed from then on leaves nothing that delete cannot find), the
 * files its limits write and its device filter, made by {@link #make} with all of it in force.
 * Its kernel calls go through {@link CgroupFiles}: checked and made in a fake tree by the tests.
 */
public final class CgroupPlan {
    private final Hierarchy hierarchy;
    private final CgroupTree tree;
    private final List<Path> chain;
    private final Limits limits;
    private final List<DeviceRule> given;
    private final Path target;
    /** Whether the device filter is loaded (not by a caller that is not root on the host: see {@link #withoutDeviceFilter}). */
    private final boolean deviceFilter;

    private CgroupPlan(Hierarchy hierarchy, CgroupTree tree, List<Path> chain, Limits limits, List<DeviceRule> given, Path target,
                       boolean deviceFilter) {
        this.hierarchy = hierarchy;
        this.tree = tree;
        this.chain = chain;
        this.limits = limits;
        this.given = given;
        this.target = target;
        this.deviceFilter = deviceFilter;
    }

    /**
     * The same cgroup without the device filter, for a caller that is not root on the host (a
     * delegated cgroup of a rootless one): loading a cgroup device program takes capabilities in
     * the initial user namespace, and runc's rootless manager ignores the devices' errors. Its
     * device nodes are the host's own, bound, with the host's permissions.
     */
    public CgroupPlan withoutDeviceFilter() {
        return new CgroupPlan(hierarchy, tree, chain, limits, given, target, false);
    }

    public Path path() {
        return target;
    }

    /** Whether this process may make it: the nearest directory of its chain that exists is writable. */
    public boolean makeable() {
        return tree.files().writable(tree.nearestExisting(chain));
    }

    /**
     * What {@link #make} will do, as {@code hako plan} prints it: the directory, each file
     * written and the device filter.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("mkdir " + target + "  (and missing parents, each passing down "
                + (limits.controllers.isEmpty() ? "no controller" : String.join(" ", limits.controllers.keySet())) + ")");
        for (Limits.Write write : limits.writes) lines.add(write.render());
        if (!deviceFilter) {
            lines.add("no device filter (the caller is not root on the host; the devices are the host's, bound)");
            return lines;
        }
        List<DeviceRule> all = DeviceFilter.all(limits.deviceRules != null ? limits.deviceRules : List.of(), given);
        lines.add("bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, " + DeviceFilter.program(all).length / 8
                + " instructions from " + all.size() + " rules), bpf(BPF_PROG_ATTACH, " + target + ")");
        return lines;
    }

    /** Makes it, limits and device filter in force; on a failure, what was made is removed. */
    public Cgroup make() {
        CgroupFiles files = tree.files();
        if (files.exists(target)) tree.removeTree(target); // a stale one of ours, checked by plan
        List<Path> made = new ArrayList<>();
        try {
            tree.makeChain(hierarchy, chain, limits.controllers.keySet(), made);
            Cgroup cgroup = new Cgroup(target, files);
            cgroup.apply(limits);
            if (deviceFilter) {
                DeviceFilter.remember(tree, target, given);
                List<DeviceRule> specRules = limits.deviceRules != null ? limits.deviceRules : List.of();
                DeviceFilter.install(files, target, DeviceFilter.all(specRules, given), limits.devicesPath);
            }
            return cgroup;
        } catch (RuntimeException e) {
            for (int i = made.size() - 1; i >= 0; i--) tree.removeQuietly(made.get(i));
            throw e instanceof SysException ? new CgroupException(e.getMessage(), e) : e;
        }
    }

    /**
     * Makes the container's cgroup from {@code linux.cgroupsPath} and {@code linux.resources},
     * with its limits and device filter in force. On any failure, everything made is removed
     * again and the error says what was wrong. Returns null only on a host without any cgroup v2
     * hierarchy, when the spec asks for nothing that needs one.
     */
    public static Cgroup create(String id, Spec.Linux linux) {
        CgroupPlan planned = of(id, linux);
        return planned == null ? null : planned.make();
    }

    /** The checks of {@link #create}, nothing made or removed; null where {@link #create} returns null. */
    public static CgroupPlan of(String id, Spec.Linux linux) {
        return of(id, linux, Hierarchy.current());
    }

    /** {@link #of} in the given tree. */
    public static CgroupPlan of(String id, Spec.Linux linux, Hierarchy hierarchy) {
        return of(id, linux, hierarchy, CgroupFiles.kernel());
    }

    /** {@link #of} in the given tree, reached through {@code files}. */
    static CgroupPlan of(String id, Spec.Linux linux, Hierarchy hierarchy, CgroupFiles files) {
        if (hierarchy.mount() == null) {
            if (asksForAnything(linux.resources())) {
                String problem = "config.json: linux.resources: this host mounts no cgroup v2 hierarchy, "
                        + "and hako enforces resources only through cgroup v2";
                UnenforceableLimits.refuseOrWarn(problem);
            }
            return null;
        }
        String cgroupPath = Placement.resolve(linux.cgroupsPath(), id, hierarchy.ownCgroup());
        Path target = hierarchy.directory(cgroupPath);
        CgroupTree tree = new CgroupTree(files);
        if (files.exists(target)) tree.checkStale(target);
        List<Path> chain = hierarchy.chain(cgroupPath);
        Limits limits = Limits.parse(linux.resources(), "config.json", "linux.resources", Host.at(files, tree.nearestExisting(chain)), null);
        tree.checkAvailable(hierarchy, limits);
        return new CgroupPlan(hierarchy, tree, chain, limits, DeviceFilter.given(linux.devices()), target, true);
    }

    /** Whether linux.resources asks for any limit (absent, an empty object, or empty groups ask for none). */
    public static boolean asksForAnything(Resources resources) {
        return resources != null && resources.asksForAnything();
    }
}
