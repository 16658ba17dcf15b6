package hako.cgroup;

import hako.spec.Resources;
import hako.sys.BusException;
import hako.sys.BusValue;
import hako.sys.Caller;
import hako.sys.SystemdManager;
import hako.sys.UnitProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The systemd cgroup driver (--systemd-cgroup), as runc's and crun's: the container's cgroup is
 * a transient unit that systemd makes — a scope (Delegate=yes) in the slice of
 * {@code linux.cgroupsPath}, its first process the stage, which then clones init into it with
 * CLONE_INTO_CGROUP — with the limits systemd has properties for ({@link SystemdProperties}),
 * the rest written to the cgroup by hako; updated through SetUnitProperties, and stopped at
 * delete. Freezing, stats, OOM events and the process list read the cgroup as for cgroupfs.
 */
public final class SystemdScope {
    /** For each call and for each job: systemd answers in milliseconds, unless it is stuck. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** StartTransientUnit's and StopUnit's job mode, runc's and crun's. */
    private static final String MODE = "replace";
    private static final String UNIT_EXISTS = "org.freedesktop.systemd1.UnitExists";

    /** How the driver reaches systemd: its D-Bus on the machine, a private bus with a fake systemd in tests. */
    public interface Connector {
        SystemdManager connect();
    }

    /** The caller's systemd: root's system bus (or /run/systemd/private), a rootless caller's session bus. */
    public static final Connector MACHINE = () -> SystemdManager.connect(Caller.current(), TIMEOUT);

    private SystemdScope() {}

    /**
     * StartTransientUnit with the unit's own properties and the mapped limits, awaited; then, in
     * the cgroup systemd made (its ControlGroup), the writes systemd has no property for and the
     * device filter. A failure after the start stops the unit again.
     */
    static Cgroup make(CgroupPlan plan, int firstPid, Connector connector) {
        SystemdUnit unit = plan.systemd;
        SystemdProperties.Split split = SystemdProperties.of(plan.limits.writes);
        List<UnitProperty> properties = new ArrayList<>(unitProperties(unit, plan.id, firstPid));
        properties.addAll(split.properties());
        properties.addAll(plan.annotated);
        try (SystemdManager systemd = connector.connect()) {
            try {
                systemd.startTransientUnit(unit.name(), MODE, properties);
            } catch (BusException e) {
                if (!UNIT_EXISTS.equals(e.name())) throw e;
                // systemd's words ("Unit x.scope was already loaded or has a fragment file") say less
                throw new CgroupException("systemd already has a unit " + unit.name() + ": another container's, or one left behind"
                        + " (systemctl stop " + unit.name() + ")", e);
            }
            try {
                String cgroupPath = systemd.controlGroup(unit.name());
                Path dir = plan.hierarchy.directory(cgroupPath);
                Limits direct = plan.limits.only(split.direct());
                // hugetlb, rdma, misc: controllers systemd does not pass down itself
                List<Path> chain = plan.hierarchy.chain(cgroupPath);
                for (int i = 0; i < chain.size() - 1; i++) {
                    plan.tree.passDown(plan.hierarchy, chain.get(i), direct.controllers.keySet(), false);
                }
                requireControllers(plan, unit, dir);
                Cgroup cgroup = new Cgroup(dir, plan.tree.files());
                cgroup.apply(direct);
                plan.installDeviceFilter(dir);
                return cgroup;
            } catch (RuntimeException e) {
                try {
                    systemd.stopUnit(unit.name(), MODE);
                } catch (RuntimeException stopping) {
                    e.addSuppressed(stopping);
                }
                throw e;
            }
        }
    }

    /**
     * Every controller a limit needs is the unit's: systemd takes a property whose controller it
     * cannot enable (one a user's systemd --user is not delegated) and leaves it unenforced, so
     * what it gave is checked, never assumed. The plan checked the usual places already
     * ({@link CgroupTree#checkDelegated}); this catches the rest, and the unit is stopped.
     */
    private static void requireControllers(CgroupPlan plan, SystemdUnit unit, Path dir) {
        List<String> given = plan.tree.words(dir.resolve("cgroup.controllers"));
        for (var need : plan.limits.controllers.entrySet()) {
            if (given.contains(need.getKey())) continue;
            throw new CgroupException(plan.limits.source + ": " + need.getValue() + ": needs the cgroup v2 " + need.getKey()
                    + " controller, which systemd did not give " + unit.name() + " (its cgroup has "
                    + (given.isEmpty() ? "none" : String.join(" ", given)) + ")");
        }
    }

    /**
     * What every unit of hako's gets, besides the limits: runc's set (Description, Slice= or for
     * a slice Wants=, Delegate=yes and the first PID for a scope, the accounting of each
     * controller so that systemd enables them, DefaultDependencies=no so that the unit does not
     * wait for or stop with the boot's targets) and crun's CollectMode=inactive-or-failed, so that
     * a unit whose container failed does not keep its name taken.
     */
    static List<UnitProperty> unitProperties(SystemdUnit unit, String id, int firstPid) {
        List<UnitProperty> properties = new ArrayList<>();
        properties.add(UnitProperty.string("Description", "hako container " + id));
        if (unit.isSlice()) {
            properties.add(UnitProperty.strings("Wants", List.of(unit.slice())));
        } else {
            properties.add(UnitProperty.string("Slice", unit.slice()));
            properties.add(UnitProperty.bool("Delegate", true));
            properties.add(UnitProperty.uint32s("PIDs", List.of(firstPid)));
        }
        for (String accounting : List.of("MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting")) {
            properties.add(UnitProperty.bool(accounting, true));
        }
        properties.add(UnitProperty.bool("DefaultDependencies", false));
        properties.add(UnitProperty.string("CollectMode", "inactive-or-failed"));
        return properties;
    }

    /**
     * {@code hako update}: the limits checked as for cgroupfs, the mapped ones given to systemd
     * (SetUnitProperties, for this boot), then every file written, runc's way: the change is in
     * force in the cgroup when update returns, not when systemd gets round to it.
     */
    public static void update(Path cgroup, String unit, Resources resources, String source) {
        update(Cgroup.open(cgroup), unit, resources, source, Hierarchy.current(), MACHINE);
    }

    static void update(Cgroup cgroup, String unit, Resources resources, String source, Hierarchy hierarchy, Connector connector) {
        cgroup.update(resources, source, hierarchy, limits -> {
            List<UnitProperty> properties = SystemdProperties.of(limits.writes).properties();
            if (properties.isEmpty()) return;
            try (SystemdManager systemd = connector.connect()) {
                systemd.setUnitProperties(unit, true, properties);
            }
        });
    }

    /**
     * delete: what still runs is killed (SIGKILL through cgroup.kill, not systemd's SIGTERM and
     * 90 s wait), then the unit is stopped and its job awaited — systemd may have stopped the
     * emptied scope by itself, which is no error — and whatever is left of the cgroup (cgroups the
     * container made below it) removed.
     */
    public static void destroy(Path cgroup, String unit) {
        destroy(cgroup, unit, CgroupFiles.kernel(), MACHINE);
    }

    static void destroy(Path dir, String unit, CgroupFiles files, Connector connector) {
        new Cgroup(dir, files).empty();
        try (SystemdManager systemd = connector.connect()) {
            systemd.stopUnit(unit, MODE);
        }
        if (files.isDirectory(dir)) new CgroupTree(files).removeTree(dir);
    }

    /** A property's value as {@code hako plan} shows it: 1073741824, infinity, [4242], 0x0f. */
    static String render(BusValue value) {
        return switch (value) {
            case BusValue.UInt64(long v) -> v == -1 ? "infinity" : Long.toUnsignedString(v);
            case BusValue.UInt32(int v) -> Integer.toUnsignedString(v);
            case BusValue.Byte(byte v) -> Integer.toString(Byte.toUnsignedInt(v));
            case BusValue.Int16(short v) -> Short.toString(v);
            case BusValue.UInt16(short v) -> Integer.toString(Short.toUnsignedInt(v));
            case BusValue.Int32(int v) -> Integer.toString(v);
            case BusValue.Int64(long v) -> Long.toString(v);
            case BusValue.Double(double v) -> Double.toString(v);
            case BusValue.Struct struct -> struct.fields().stream().map(SystemdScope::render).collect(Collectors.joining(" ", "(", ")"));
            case BusValue.Str(String s) -> s;
            case BusValue.ObjectPath(String path) -> path;
            case BusValue.Bool(boolean b) -> b ? "yes" : "no";
            case BusValue.Bytes bytes -> "0x" + HexFormat.of().formatHex(bytes.value());
            case BusValue.Array array -> array.items().stream().map(SystemdScope::render).toList().toString();
            case BusValue.DictEntry(BusValue key, BusValue entry) -> render(key) + "=" + render(entry);
            case BusValue.Variant(BusValue inner) -> render(inner);
        };
    }
}
