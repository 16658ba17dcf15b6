package hako.cgroup;

import hako.spec.Resources;
import hako.spec.Spec;
import hako.sys.SysException;
import hako.sys.UnitProperty;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A container's cgroup, checked but not made yet: its directory (for the state to name before
 * anything exists — a create killed from then on leaves nothing that delete cannot find), the
 * files its limits write and its device filter, made by {@link #make} with all of it in force.
 * Its kernel calls go through {@link CgroupFiles}: checked and made in a fake tree by the tests.
 */
public final class CgroupPlan {
    final Hierarchy hierarchy;
    final CgroupTree tree;
    private final List<Path> chain;
    final Limits limits;
    final List<DeviceRule> given;
    private final Path target;
    /** Whether the device filter is loaded (not by a caller that is not root on the host: see {@link #withoutDeviceFilter}). */
    final boolean deviceFilter;
    /** The systemd unit asked for (--systemd-cgroup), or null: hako makes the cgroup itself. */
    final SystemdUnit systemd;
    /** The unit properties the bundle's org.systemd.property annotations ask for, after hako's ({@link SystemdAnnotations}). */
    final List<UnitProperty> annotated;
    final String id;

    private CgroupPlan(Hierarchy hierarchy, CgroupTree tree, List<Path> chain, Limits limits, List<DeviceRule> given, Path target,
                       boolean deviceFilter, SystemdUnit systemd, List<UnitProperty> annotated, String id) {
        this.hierarchy = hierarchy;
        this.tree = tree;
        this.chain = chain;
        this.limits = limits;
        this.given = given;
        this.target = target;
        this.deviceFilter = deviceFilter;
        this.systemd = systemd;
        this.annotated = annotated;
        this.id = id;
    }

    /**
     * The same cgroup without the device filter, for a caller that is not root on the host (a
     * delegated cgroup of a rootless one): loading a cgroup device program takes capabilities in
     * the initial user namespace, and runc's rootless manager ignores the devices' errors. Its
     * device nodes are the host's own, bound, with the host's permissions.
     */
    public CgroupPlan withoutDeviceFilter() {
        return new CgroupPlan(hierarchy, tree, chain, limits, given, target, false, systemd, annotated, id);
    }

    /** The directory: for a systemd unit, where systemd puts it (its answer after the start is what counts). */
    public Path path() {
        return target;
    }

    /** The systemd unit the cgroup is (--systemd-cgroup), or null when hako makes it itself. */
    public SystemdUnit systemdUnit() {
        return systemd;
    }

    /** Whether {@link #make(int)} needs a process to put in the cgroup first: a systemd scope has one from its start. */
    public boolean needsFirstProcess() {
        return systemd != null && !systemd.isSlice();
    }

    /** Whether this process may make it: the nearest directory of its chain that exists is writable (or systemd makes it). */
    public boolean makeable() {
        return systemd != null || tree.files().writable(tree.nearestExisting(chain));
    }

    /**
     * What {@link #make} will do, as {@code hako plan} prints it: the directory, each file
     * written and the device filter.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        if (systemd != null) {
            SystemdProperties.Split split = SystemdProperties.of(limits.writes);
            lines.add("systemd: StartTransientUnit " + systemd.name() + " in " + systemd.slice() + " ("
                    + (systemd.isSlice() ? "" : "the stage as its first process, Delegate=yes, ") + "then await its job)");
            for (var property : split.properties()) lines.add("  " + property.name() + "=" + SystemdScope.render(property.value()));
            for (var property : annotated) {
                lines.add("  " + property.name() + "=" + SystemdScope.render(property.value()) + "  (annotation " + SystemdAnnotations.PREFIX + "…)");
            }
            for (Limits.Write write : split.direct()) lines.add(write.render());
            addDeviceFilter(lines);
            return lines;
        }
        lines.add("mkdir " + target + "  (and missing parents, each passing down "
                + (limits.controllers.isEmpty() ? "no controller" : String.join(" ", limits.controllers.keySet())) + ")");
        for (Limits.Write write : limits.writes) lines.add(write.render());
        addDeviceFilter(lines);
        return lines;
    }

    private void addDeviceFilter(List<String> lines) {
        if (!deviceFilter) {
            lines.add("no device filter (the caller is not root on the host; the devices are the host's, bound)");
            return;
        }
        List<DeviceRule> all = DeviceFilter.all(limits.deviceRules != null ? limits.deviceRules : List.of(), given);
        lines.add("bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, " + DeviceFilter.program(all).length / 8
                + " instructions from " + all.size() + " rules), bpf(BPF_PROG_ATTACH, " + target + ")");
    }

    /**
     * Makes it: by hako ({@link #make()}), or as a systemd unit whose first process is
     * {@code firstPid} (the stage, which then clones init into it).
     */
    public Cgroup make(int firstPid) {
        return systemd == null ? make() : SystemdScope.make(this, firstPid, SystemdScope.MACHINE);
    }

    /** The device filter in force on {@code cgroup}, as planned. */
    void installDeviceFilter(Path cgroup) {
        if (!deviceFilter) return;
        DeviceFilter.remember(tree, cgroup, given);
        List<DeviceRule> specRules = limits.deviceRules != null ? limits.deviceRules : List.of();
        DeviceFilter.install(tree.files(), cgroup, DeviceFilter.all(specRules, given), limits.devicesPath);
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
            installDeviceFilter(target);
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

    /**
     * {@link #of} in the given tree; {@code systemdDriver}: the cgroup is a systemd unit
     * (--systemd-cgroup), with the properties the spec's annotations add.
     */
    public static CgroupPlan of(String id, Spec spec, Hierarchy hierarchy, boolean systemdDriver) {
        if (!systemdDriver) return of(id, spec.linux(), hierarchy, CgroupFiles.kernel());
        hako.sys.Caller caller = hako.sys.Caller.current();
        return ofSystemd(id, spec.linux(), spec.annotations(), hierarchy, CgroupFiles.kernel(),
                Placement.managerCgroup(caller.uid(), caller.rootless()));
    }

    /**
     * The systemd driver's plan: the unit from {@code slice:prefix:name} (runc's default when
     * empty), the limits checked as for cgroupfs, and against what the caller's systemd may enable
     * ({@code manager}: the cgroup it keeps its units in, {@link Placement#managerCgroup}). Nothing
     * is asked of systemd yet: {@code hako plan} shows it without a bus.
     */
    static CgroupPlan ofSystemd(String id, Spec.Linux linux, Map<String, String> annotations, Hierarchy hierarchy, CgroupFiles files,
                                String manager) {
        if (hierarchy.mount() == null) {
            throw new CgroupException("the systemd cgroup driver (--systemd-cgroup) needs cgroup v2, and this host mounts no cgroup v2 hierarchy");
        }
        SystemdUnit unit = Placement.systemdUnit(linux.cgroupsPath(), id, manager);
        Path target = hierarchy.directory(unit.path());
        CgroupTree tree = new CgroupTree(files);
        List<Path> chain = hierarchy.chain(unit.path());
        Limits limits = Limits.parse(linux.resources(), "config.json", "linux.resources", Host.at(files, tree.nearestExisting(chain)), null);
        tree.checkAvailable(hierarchy, limits);
        tree.checkDelegated(hierarchy, limits, manager);
        return new CgroupPlan(hierarchy, tree, chain, limits, DeviceFilter.given(linux.devices()), target, true, unit,
                SystemdAnnotations.of(annotations), id);
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
        return new CgroupPlan(hierarchy, tree, chain, limits, DeviceFilter.given(linux.devices()), target, true, null, List.of(), id);
    }

    /** Whether linux.resources asks for any limit (absent, an empty object, or empty groups ask for none). */
    public static boolean asksForAnything(Resources resources) {
        return resources != null && resources.asksForAnything();
    }
}
