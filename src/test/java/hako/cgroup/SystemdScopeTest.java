package hako.cgroup;

import hako.sys.BusMessage;
import hako.sys.BusValue;
import hako.sys.DbusDaemon;
import hako.sys.Errno;
import hako.sys.SdBus;
import hako.sys.SystemdFake;
import hako.sys.SystemdManager;
import hako.sys.UnitProperty;
import hako.spec.SpecReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The systemd driver against a fake systemd on a private bus ({@link SystemdFake}) and a fake
 * cgroup tree that follows it (the scope's directory appears when its start job ends, and goes
 * with its stop): what is asked of systemd, in which order with what is written, and what is
 * undone on a failure.
 */
class SystemdScopeTest {
    static final Path ROOT = CgroupPlanTest.ROOT, SLICE = ROOT.resolve("system.slice"), SCOPE = SLICE.resolve("hako-web.scope");
    static final Hierarchy HIERARCHY = CgroupPlanTest.HIERARCHY;
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    DbusDaemon daemon;
    SystemdFake systemd;
    final CgroupFilesFake tree = new CgroupFilesFake().root(ROOT, "cpu cpuset memory pids").file(ROOT.resolve("cpuset.cpus.effective"), "0-3\n");
    /** The tree's changes when systemd was asked to start the unit: none, if hako asks first. */
    final List<List<String>> changesAtStart = new ArrayList<>();

    @BeforeEach
    void startSystemd() throws Exception {
        assumeTrue(Files.isExecutable(DbusDaemon.EXECUTABLE), "dbus-daemon is not installed");
        daemon = new DbusDaemon(dir);
        systemd = new SystemdFake(daemon.address);
        systemd.onJob = (unit, started) -> {
            if (started) {
                changesAtStart.add(tree.calls(CgroupPlanTest.CHANGES));
                // as systemd: the slice, the controllers passed down to it and to the scope, the first process moved in
                tree.file(ROOT.resolve("cgroup.subtree_control"), "cpu cpuset memory pids\n").cgroup(SLICE, false)
                        .file(SLICE.resolve("cgroup.subtree_control"), "cpu cpuset memory pids\n").cgroup(SCOPE, false)
                        .file(SCOPE.resolve("cpu.max.burst"), "0\n").file(SCOPE.resolve("memory.oom.group"), "0\n")
                        .processes(SCOPE, "900");
            } else {
                try {
                    tree.file(SCOPE.resolve("cgroup.procs"), "").rmdir(SCOPE);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        };
    }

    @AfterEach
    void stopSystemd() throws Exception {
        if (systemd != null) systemd.close();
        if (daemon != null) daemon.close();
    }

    SystemdScope.Connector connector() {
        return () -> new SystemdManager(SdBus.at(daemon.address), true, TIMEOUT);
    }

    static CgroupPlan plan(CgroupFilesFake tree, String resources) {
        return CgroupPlan.ofSystemd("web", CgroupPlanTest.linux("system.slice:hako:web", resources), Map.of(), HIERARCHY, tree, "/");
    }

    List<UnitProperty> started() {
        List<BusMessage> starts = systemd.calls("StartTransientUnit");
        assertEquals(1, starts.size());
        assertEquals(List.of(new BusValue.Str("hako-web.scope"), new BusValue.Str("replace")), starts.getFirst().body().subList(0, 2));
        return UnitProperty.fromArray(starts.getFirst().body().get(2));
    }

    @Test
    void everyKindOfValueIsShownInThePlanAsSystemctlWouldWriteIt() {
        assertEquals("200 -2 65535 -7 4294967295 infinity 2.5 yes /org/x [a, b] (a 1) 0x0f",
                String.join(" ", java.util.stream.Stream.of(new BusValue.Byte((byte) 200), new BusValue.Int16((short) -2),
                        new BusValue.UInt16((short) -1), new BusValue.Int32(-7), new BusValue.UInt32(-1), new BusValue.UInt64(-1),
                        new BusValue.Double(2.5), new BusValue.Bool(true), new BusValue.ObjectPath("/org/x"), BusValue.strings(List.of("a", "b")),
                        new BusValue.Struct(List.of(new BusValue.Str("a"), new BusValue.Int32(1))), new BusValue.Bytes(new byte[] {15}))
                        .map(SystemdScope::render).toList()));
    }

    @Test
    void theScopeIsStartedWithTheStageAndTheLimitsSystemdKnowsThenHakoWritesTheRestAndTheFilter() {
        Cgroup cgroup = SystemdScope.make(plan(tree, """
                {"memory": {"limit": 268435456, "reservation": 1048576},
                 "pids": {"limit": 64},
                 "cpu": {"shares": 2048, "quota": 50000, "period": 100000, "cpus": "0-1,3", "burst": 1000},
                 "unified": {"memory.oom.group": "1", "memory.high": "max"}}"""), 900, connector());

        assertEquals(SCOPE, cgroup.path());
        assertEquals(List.of(List.of()), changesAtStart, "nothing is written before systemd made the scope");
        assertEquals(List.of(
                UnitProperty.string("Description", "hako container web"),
                UnitProperty.string("Slice", "system.slice"),
                UnitProperty.bool("Delegate", true),
                UnitProperty.uint32s("PIDs", List.of(900)),
                UnitProperty.bool("MemoryAccounting", true), UnitProperty.bool("CPUAccounting", true),
                UnitProperty.bool("IOAccounting", true), UnitProperty.bool("TasksAccounting", true),
                UnitProperty.bool("DefaultDependencies", false),
                UnitProperty.string("CollectMode", "inactive-or-failed"),
                UnitProperty.uint64("MemoryLow", 1048576),
                UnitProperty.uint64("MemoryMax", 268435456),
                UnitProperty.uint64("CPUWeight", Conversions.cpuWeight(2048)),
                UnitProperty.uint64("CPUQuotaPeriodUSec", 100000),
                UnitProperty.uint64("CPUQuotaPerSecUSec", 500000),
                UnitProperty.bytes("AllowedCPUs", new byte[] {0b1011}),
                UnitProperty.uint64("TasksMax", 64),
                UnitProperty.uint64("MemoryHigh", -1)), started());
        assertEquals(List.of(
                "write /sys/fs/cgroup/system.slice/hako-web.scope/cpu.max.burst 1000",
                "write /sys/fs/cgroup/system.slice/hako-web.scope/memory.oom.group 1",
                "setxattr /sys/fs/cgroup/system.slice/hako-web.scope trusted.hako.devices=",
                "bpf-load",
                "bpf-attach /sys/fs/cgroup/system.slice/hako-web.scope 1"), tree.calls(CgroupPlanTest.CHANGES),
                "no mkdir, no write systemd owns: only what it has no property for, and hako's device filter");
        assertEquals(List.of("StartTransientUnit", "GetUnit", "Get"), systemd.calls.stream().map(BusMessage::member).toList());
    }

    @Test
    void theAnnotationsPropertiesComeLastAsTheirTypesSaySoTheyMayOverrideHakos() {
        // podman's two on every container, CRI-O's three, and a time in seconds (runc's Sec → USec)
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("org.systemd.property.KillSignal", "15");
        annotations.put("org.systemd.property.TimeoutStopUSec", "uint64 10000000");
        annotations.put("io.kubernetes.cri-o.Name", "not a property");
        annotations.put("org.systemd.property.DefaultDependencies", "true");
        annotations.put("org.systemd.property.After", "['crio.service']");
        annotations.put("org.systemd.property.CollectMode", "'inactive'");
        annotations.put("org.systemd.property.RuntimeMaxSec", "2.5");
        CgroupPlan planned = CgroupPlan.ofSystemd("web", CgroupPlanTest.linux("system.slice:hako:web", "{\"pids\": {\"limit\": 64}}"),
                annotations, HIERARCHY, tree, "/");

        SystemdScope.make(planned, 900, connector());

        List<UnitProperty> started = started();
        assertEquals(List.of(
                UnitProperty.uint64("TasksMax", 64),
                new UnitProperty("KillSignal", new BusValue.Int32(15)),
                UnitProperty.uint64("TimeoutStopUSec", 10_000_000),
                UnitProperty.bool("DefaultDependencies", true),
                UnitProperty.strings("After", List.of("crio.service")),
                UnitProperty.string("CollectMode", "inactive"),
                UnitProperty.uint64("RuntimeMaxUSec", 2_500_000)), started.subList(started.size() - 7, started.size()),
                "after hako's own and the limits, so that systemd keeps the bundle's word, as with runc");
        assertTrue(planned.describe().contains("  KillSignal=15  (annotation org.systemd.property.…)"), planned.describe().toString());
    }

    @Test
    void aBadAnnotationFailsThePlanInOneLine() {
        CgroupException e = assertThrows(CgroupException.class, () -> CgroupPlan.ofSystemd("web",
                CgroupPlanTest.linux("system.slice:hako:web", "{}"), Map.of("org.systemd.property.TimeoutStopUSec", "uint64 -1"),
                HIERARCHY, tree, "/"));
        assertEquals("config.json: annotations: org.systemd.property.TimeoutStopUSec: not a GVariant value: "
                + "-1 is out of the range of uint64 (at character 8 of \"uint64 -1\")", e.getMessage());
        assertTrue(tree.calls(CgroupPlanTest.CHANGES).isEmpty(), "planning changes nothing");
        assertTrue(systemd.calls.isEmpty(), "systemd is not asked");
    }

    @Test
    void aScopeThatExistsIsOneLineAndNothingIsTouched() {
        SystemdScope.make(plan(tree, "{}"), 900, connector());
        int changes = tree.calls(CgroupPlanTest.CHANGES).size();

        CgroupException e = assertThrows(CgroupException.class, () -> SystemdScope.make(plan(tree, "{}"), 901, connector()));

        assertEquals("systemd already has a unit hako-web.scope: another container's, or one left behind "
                + "(systemctl stop hako-web.scope)", e.getMessage());
        assertEquals(changes, tree.calls(CgroupPlanTest.CHANGES).size());
        assertTrue(systemd.calls("StopUnit").isEmpty(), "the other container's scope is not stopped");
    }

    @Test
    void aWriteThatFailsAfterTheStartStopsTheUnitAgain() {
        tree.failOn("write /sys/fs/cgroup/system.slice/hako-web.scope/cpu.max.burst", Errno.EINVAL);

        CgroupException e = assertThrows(CgroupException.class,
                () -> SystemdScope.make(plan(tree, "{\"cpu\": {\"burst\": 1000}}"), 900, connector()));

        assertTrue(e.getMessage().startsWith("config.json: linux.resources.cpu.burst: writing \"1000\" to "), e.getMessage());
        assertEquals(List.of("StartTransientUnit", "GetUnit", "Get", "StopUnit"), systemd.calls.stream().map(BusMessage::member).toList());
        assertFalse(tree.hasDirectory(SCOPE));
    }

    @Test
    void aControllerSystemdDidNotGiveTheScopeIsAnErrorAndTheUnitIsStopped() {
        // as a user's systemd --user that is not delegated cpuset: it takes AllowedCPUs, enables nothing
        systemd.onJob = (unit, started) -> {
            if (started) {
                tree.file(ROOT.resolve("cgroup.subtree_control"), "cpu memory pids\n").cgroup(SLICE, false)
                        .file(SLICE.resolve("cgroup.subtree_control"), "cpu memory pids\n").cgroup(SCOPE, false).processes(SCOPE, "900");
            } else {
                try {
                    tree.file(SCOPE.resolve("cgroup.procs"), "").rmdir(SCOPE);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        };

        CgroupException e = assertThrows(CgroupException.class,
                () -> SystemdScope.make(plan(tree, "{\"memory\": {\"limit\": 268435456}, \"cpu\": {\"cpus\": \"0\"}}"), 900, connector()));

        assertEquals("config.json: linux.resources.cpu.cpus: needs the cgroup v2 cpuset controller, which systemd did not give "
                + "hako-web.scope (its cgroup has cpu memory pids)", e.getMessage());
        assertEquals(List.of("StartTransientUnit", "GetUnit", "Get", "StopUnit"), systemd.calls.stream().map(BusMessage::member).toList());
        assertFalse(tree.hasDirectory(SCOPE));
    }

    @Test
    void aRootlessPlanIsInTheUsersManagerAndRefusesAControllerItIsNotDelegated() {
        String manager = Placement.managerCgroup(1000, true);
        Path user = ROOT.resolve("user.slice"), userSlice = user.resolve("user-1000.slice"), service = userSlice.resolve("user@1000.service");
        // the system's systemd: user@1000.service delegated pids memory cpu (Debian's Delegate=), not cpuset
        tree.file(ROOT.resolve("cgroup.subtree_control"), "cpu cpuset memory pids\n").cgroup(user, false)
                .file(user.resolve("cgroup.subtree_control"), "cpu cpuset memory pids\n").cgroup(userSlice, false)
                .file(userSlice.resolve("cgroup.subtree_control"), "cpu memory pids\n").cgroup(service, false);

        CgroupPlan planned = CgroupPlan.ofSystemd("web", CgroupPlanTest.linux("", "{\"memory\": {\"limit\": 268435456}}"), Map.of(), HIERARCHY, tree, manager);
        assertEquals(new SystemdUnit("user.slice", "hako-web.scope", manager + "/user.slice/hako-web.scope"), planned.systemdUnit());
        assertEquals(service.resolve("user.slice/hako-web.scope"), planned.path());

        CgroupException e = assertThrows(CgroupException.class, () -> CgroupPlan.ofSystemd("web",
                CgroupPlanTest.linux("", "{\"memory\": {\"limit\": 268435456}, \"cpu\": {\"cpus\": \"0\"}}"), Map.of(), HIERARCHY, tree, manager));
        assertEquals("config.json: linux.resources.cpu.cpus: needs the cgroup v2 cpuset controller, which systemd does not delegate to "
                + "this user's systemd --user (" + manager + " has cpu memory pids: see Delegate= of user@.service); "
                + "set [cgroup] unenforceable-limits = \"warn\" in /etc/hako/hako.toml to run without it", e.getMessage());
        assertTrue(tree.calls(CgroupPlanTest.CHANGES).isEmpty(), "planning changes nothing");
    }

    @Test
    void updateAsksSystemdThenWritesTheFilesSoTheChangeIsInForceAtOnce() {
        Cgroup cgroup = SystemdScope.make(plan(tree, "{\"memory\": {\"limit\": 268435456}}"), 900, connector());
        int before = tree.calls(CgroupPlanTest.CHANGES).size();

        SystemdScope.update(cgroup, "hako-web.scope", SpecReader.resources(
                hako.json.Json.parse("{\"memory\": {\"limit\": 536870912}, \"pids\": {\"limit\": 10}}"), "r.json"), "r.json", HIERARCHY, connector());

        List<BusMessage> set = systemd.calls("SetUnitProperties");
        assertEquals(1, set.size());
        assertEquals(List.of(new BusValue.Str("hako-web.scope"), new BusValue.Bool(true),
                UnitProperty.array(List.of(UnitProperty.uint64("MemoryMax", 536870912), UnitProperty.uint64("TasksMax", 10)))),
                set.getFirst().body());
        List<String> changes = tree.calls(CgroupPlanTest.CHANGES);
        assertEquals(List.of("write /sys/fs/cgroup/system.slice/hako-web.scope/memory.max 536870912",
                "write /sys/fs/cgroup/system.slice/hako-web.scope/pids.max 10"), changes.subList(before, changes.size()));
    }

    @Test
    void anUpdateSystemdWouldRefuseIsCheckedFirstAndSystemdIsNotAsked() {
        Cgroup cgroup = SystemdScope.make(plan(tree, "{}"), 900, connector());
        assertThrows(CgroupException.class, () -> SystemdScope.update(cgroup, "hako-web.scope", SpecReader.resources(
                hako.json.Json.parse("{\"cpu\": {\"cpus\": \"7\"}}"), "r.json"), "r.json", HIERARCHY, connector()));
        assertTrue(systemd.calls("SetUnitProperties").isEmpty());
    }

    @Test
    void destroyKillsWhatRunsThenStopsTheUnitAndTheCgroupIsGone() {
        SystemdScope.make(plan(tree, "{}"), 900, connector());

        SystemdScope.destroy(SCOPE, "hako-web.scope", tree, connector());

        List<String> calls = tree.calls();
        assertTrue(calls.contains("write /sys/fs/cgroup/system.slice/hako-web.scope/cgroup.kill 1"), calls.toString());
        assertEquals(List.of("StartTransientUnit", "GetUnit", "Get", "StopUnit"), systemd.calls.stream().map(BusMessage::member).toList());
        assertFalse(tree.hasDirectory(SCOPE));
        assertTrue(tree.hasDirectory(SLICE), "the slice is systemd's");

        SystemdScope.destroy(SCOPE, "hako-web.scope", tree, connector());   // again: the unit is gone, no error
    }

    @Test
    void thePlanShowsWhatIsAskedOfSystemdAndWhatIsWritten() {
        List<String> lines = plan(tree, "{\"memory\": {\"limit\": -1}, \"cpu\": {\"idle\": 1}}").describe();
        assertEquals(List.of(
                "systemd: StartTransientUnit hako-web.scope in system.slice (the stage as its first process, Delegate=yes, then await its job)",
                "  MemoryMax=infinity", "  MemorySwapMax=infinity", "write \"1\" > cpu.idle"), lines.subList(0, 4));
        assertTrue(tree.calls().stream().noneMatch(c -> c.startsWith("mkdir") || c.startsWith("write")), "planning changes nothing");
    }

    @Test
    void withoutSystemdTheErrorNamesTheBus() {
        Path missing = dir.resolve("none");
        var e = assertThrows(SystemdManager.NoSystemdException.class, () -> SystemdScope.make(plan(tree, "{}"), 900, () -> {
            try {
                return new SystemdManager(SdBus.at("unix:path=" + missing), true, TIMEOUT);
            } catch (hako.sys.SysException cause) {
                throw new SystemdManager.NoSystemdException(cause);
            }
        }));
        assertEquals("the systemd cgroup driver needs systemd's D-Bus: connecting to " + missing + ": no such file or directory", e.getMessage());
        assertTrue(tree.calls(CgroupPlanTest.CHANGES).isEmpty());
    }
}
