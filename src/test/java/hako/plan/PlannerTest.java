package hako.plan;

import hako.spec.SpecException;
import hako.security.IdMaps;
import hako.stage.Flags;
import hako.stage.Op;
import hako.sys.Caller;
import hako.spec.Capability;
import hako.spec.DefaultSpec;
import hako.json.Json;
import hako.spec.Spec;
import hako.spec.SpecReader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plan is data: what a spec asks of the kernel, checked without running anything. */
class PlannerTest {
    static final Path BUNDLE = Path.of("/bundles/web");

    @SuppressWarnings("unchecked")
    static Map<String, Object> defaults() {
        return (Map<String, Object>) Json.parse(Json.write(DefaultSpec.tree()));
    }

    static Plan plan(Map<String, Object> tree) {
        Spec spec = SpecReader.fromTree(tree, "config.json");
        return Planner.plan(spec, new Planner.Request(BUNDLE, false, false, Planner.sessionKeyring("web")));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> at(Map<String, Object> tree, String key) {
        return (Map<String, Object>) tree.get(key);
    }

    @Test
    void onlyAmbientCapabilitiesThatArePermittedAndInheritableAreRaised() {
        // runc spec's own default: ambient listed, inheritable empty: nothing can be raised.
        Map<String, Object> tree = defaults();
        List<String> three = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
        at(tree, "process").put("capabilities", Map.of("bounding", three, "effective", three, "permitted", three,
                "ambient", three, "inheritable", List.of("CAP_KILL", "CAP_CHOWN")));
        long kill = 1L << Capability.CAP_KILL.number();
        long all = Capability.mask(List.of(Capability.CAP_AUDIT_WRITE, Capability.CAP_KILL, Capability.CAP_NET_BIND_SERVICE));
        long inheritable = kill | 1L << Capability.CAP_CHOWN.number();
        assertTrue(plan(tree).process().contains(new Op.Caps(all, all, inheritable, kill)), () -> plan(tree).process().toString());
    }

    @Test
    void namespacesBecomeCloneFlags() {
        Plan plan = plan(defaults());
        long expected = Flags.CLONE_NEWPID | Flags.CLONE_NEWNET | Flags.CLONE_NEWIPC | Flags.CLONE_NEWUTS
                | Flags.CLONE_NEWNS | Flags.CLONE_NEWCGROUP;
        assertEquals(List.of(new Op.Clone(expected, 0)), plan.namespaces());
    }

    @Test
    void namespacesWithAPathAreJoinedBeforeTheClone() {
        Map<String, Object> tree = defaults();
        at(tree, "linux").put("namespaces", List.of(Map.of("type", "mount"), Map.of("type", "uts"),
                Map.of("type", "network", "path", "/run/netns/pod"), Map.of("type", "ipc", "path", "/proc/7/ns/ipc")));
        assertEquals(List.of(new Op.SetNs(0, "/run/netns/pod", Flags.CLONE_NEWNET), new Op.SetNs(1, "/proc/7/ns/ipc", Flags.CLONE_NEWIPC),
                new Op.Clone(Flags.CLONE_NEWNS | Flags.CLONE_NEWUTS, 2)), plan(tree).namespaces());
    }

    /** Init's first batch after its first op, which makes it not dumpable until its exec (as runc). */
    private static List<Op> rootfs(Plan plan) {
        assertEquals(Planner.notDumpable(), plan.rootfs().getFirst());
        return plan.rootfs().subList(1, plan.rootfs().size());
    }

    @Test
    void rootfsIsPreparedMountedAndPivotedInOrder() {
        List<Op> ops = rootfs(plan(defaults()));
        String rootfs = "/bundles/web/rootfs";
        assertEquals(new Op.Mount(null, "/", null, Flags.MS_SLAVE | Flags.MS_REC, null), ops.get(0));
        assertEquals(new Op.Mount(null, rootfs, null, Flags.MS_PRIVATE, null, Op.NEAREST_MOUNT), ops.get(1));
        assertEquals(new Op.Mount(rootfs, rootfs, null, Flags.MS_BIND | Flags.MS_REC, null), ops.get(2));
        assertEquals(new Op.SetRoot(rootfs), ops.get(3));
        assertEquals(new Op.Mkdir("/proc", 0755), ops.get(4));
        assertEquals(new Op.Mount("proc", "/proc", "proc", 0, null), ops.get(5));
        assertEquals(new Op.Mount("tmpfs", "/dev", "tmpfs", Flags.MS_NOSUID | Flags.MS_STRICTATIME, "mode=755,size=65536k"), ops.get(7));
        // "cgroup" in a spec means cgroup v2 to hako
        assertTrue(ops.contains(new Op.Mount("cgroup2", "/sys/fs/cgroup", "cgroup2",
                Flags.MS_NOSUID | Flags.MS_NOEXEC | Flags.MS_NODEV | Flags.MS_RELATIME | Flags.MS_RDONLY, null)));
        assertTrue(ops.stream().noneMatch(op -> op instanceof Op.Mount m && "tmpfs".equals(m.fstype()) && "/sys/fs/cgroup".equals(m.target())),
                "a sysfs of its own has no cgroup2 mount to step over");
        int pivot = ops.indexOf(new Op.PivotRoot(rootfs));
        // as runc: the working directory is made if the image lacks it
        assertEquals(new Op.Mkdir("/", 0755), ops.get(pivot + 1));
        int null_ = ops.indexOf(new Op.Mknod("/dev/null", Flags.S_IFCHR | 0666, Flags.makedev(1, 3), Op.IGNORE_EXISTING));
        int masked = ops.indexOf(new Op.Mask("/proc/kcore"));
        assertTrue(0 < null_ && null_ < pivot && pivot < masked, "devices, then pivot_root, then masks: " + ops);
        // root.readonly: the last thing, after everything that writes into the rootfs
        assertEquals(new Op.Mount(null, "/", null, Flags.MS_BIND | Flags.MS_REMOUNT | Flags.MS_RDONLY, null), ops.getLast());
    }

    @Test
    void anOverlayRootIsMountedInThePlaceOfTheBindAndOnlyOverlayfsDirectoriesAreTaken() {
        Map<String, Object> tree = defaults();
        String data = "lowerdir=/store/top:/store/base,upperdir=/c/upper,workdir=/c/work,userxattr";
        tree.put("annotations", Map.of("dev.hako.rootfs.overlay", data));
        List<Op> ops = rootfs(plan(tree));
        assertEquals(new Op.Mount("overlay", "/bundles/web/rootfs", "overlay", 0, data), ops.get(2));
        assertEquals(new Op.SetRoot("/bundles/web/rootfs"), ops.get(3));
        for (String bad : List.of("lowerdir=/a,upperdir=/b,workdir=/c,redirect_dir=on", "lowerdir=a", "upperdir=/b,workdir=/c", "xino")) {
            tree.put("annotations", Map.of("dev.hako.rootfs.overlay", bad));
            SpecException e = assertThrows(SpecException.class, () -> plan(tree), bad);
            assertTrue(e.getMessage().startsWith("config.json: annotations.dev.hako.rootfs.overlay: "), e.getMessage());
        }
        tree.put("annotations", Map.of("dev.hako.rootfs.overlay", data));
        at(tree, "linux").put("namespaces", List.of(Map.of("type", "pid"), Map.of("type", "uts")));
        at(tree, "linux").put("maskedPaths", List.of());
        at(tree, "linux").put("readonlyPaths", List.of());
        at(tree, "root").put("readonly", false);
        SpecException e = assertThrows(SpecException.class, () -> plan(tree), "no mount namespace to mount it in");
        assertTrue(e.getMessage().contains("annotations.dev.hako.rootfs.overlay: needs a mount namespace"), e.getMessage());
    }

    @Test
    void readonlyPathsKeepTheFlagsOfTheMountHoldingThem() {
        Map<String, Object> tree = defaults();
        at(tree, "linux").put("readonlyPaths", List.of("/sys/kernel"));
        List<Op> ops = rootfs(plan(tree));
        assertTrue(ops.contains(new Op.Mount(null, "/sys/kernel", null,
                Flags.MS_BIND | Flags.MS_REMOUNT | Flags.MS_RDONLY | Flags.MS_NOSUID | Flags.MS_NOEXEC | Flags.MS_NODEV,
                null, Op.IGNORE_MISSING)), ops::toString);
    }

    @Test
    void bindMountTakesARemountForItsFlagsAndPropagationSeparately() {
        Map<String, Object> tree = defaults();
        @SuppressWarnings("unchecked")
        List<Object> mounts = (List<Object>) tree.get("mounts");
        mounts.add(Map.of("destination", "/data", "type", "bind", "source", "/srv/data",
                "options", List.of("rbind", "ro", "nosuid", "rprivate")));
        List<Op> ops = rootfs(plan(tree));
        int bind = ops.indexOf(new Op.Mount("/srv/data", "/data", null, Flags.MS_BIND | Flags.MS_REC, null));
        assertTrue(bind > 0, ops::toString);
        assertEquals(new Op.Mount(null, "/data", null, Flags.MS_BIND | Flags.MS_REMOUNT | Flags.MS_RDONLY | Flags.MS_NOSUID, null), ops.get(bind + 1));
        assertEquals(new Op.Mount(null, "/data", null, Flags.MS_PRIVATE | Flags.MS_REC, null), ops.get(bind + 2));
    }

    @Test
    void rootfsPropagationIsRuncs() {
        String rootfs = "/bundles/web/rootfs";
        for (String name : List.of("shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable")) {
            Map<String, Object> tree = defaults();
            at(tree, "linux").put("rootfsPropagation", name);
            List<Op> ops = rootfs(plan(tree));
            long flags = switch (name.replaceFirst("^r", "")) {
                case "shared" -> Flags.MS_SHARED;
                case "slave" -> Flags.MS_SLAVE;
                case "private" -> Flags.MS_PRIVATE;
                default -> Flags.MS_UNBINDABLE;
            } | (name.startsWith("r") ? Flags.MS_REC : 0);
            assertEquals(new Op.Mount(null, "/", null, flags, null), ops.get(0), name);
            // the rootfs's own mount private (a slave for slave), or pivot_root and the bind fail
            long parent = (flags & Flags.MS_SLAVE) != 0 ? Flags.MS_SLAVE : Flags.MS_PRIVATE;
            assertEquals(new Op.Mount(null, rootfs, null, parent, null, Op.NEAREST_MOUNT), ops.get(1), name);
            int pivot = ops.indexOf(new Op.PivotRoot(rootfs));
            boolean again = (flags & (Flags.MS_SHARED | Flags.MS_UNBINDABLE)) != 0;
            assertEquals(again, ops.get(pivot + 1).equals(new Op.Mount(null, "/", null, flags, null)), name + ": " + ops);
        }
    }

    @Test
    void recursiveMountOptionsBecomeMountSetattr() {
        Map<String, Object> tree = defaults();
        @SuppressWarnings("unchecked")
        List<Object> mounts = (List<Object>) tree.get("mounts");
        mounts.add(Map.of("destination", "/data", "type", "bind", "source", "/srv/data",
                "options", List.of("rbind", "rro", "rnosuid", "rnoatime", "rnodev", "rw")));
        List<Op> ops = rootfs(plan(tree));
        int bind = ops.indexOf(new Op.Mount("/srv/data", "/data", null, Flags.MS_BIND | Flags.MS_REC, null));
        assertEquals(new Op.MountSetattr("/data",
                Flags.MOUNT_ATTR_RDONLY | Flags.MOUNT_ATTR_NOSUID | Flags.MOUNT_ATTR_NODEV | Flags.MOUNT_ATTR_NOATIME,
                Flags.MOUNT_ATTR__ATIME), ops.get(bind + 1), ops::toString);
    }

    @Test
    void tmpcopyupIsAnOpFlagNotFilesystemData() {
        Map<String, Object> tree = defaults();
        @SuppressWarnings("unchecked")
        List<Object> mounts = (List<Object>) tree.get("mounts");
        // podman's --tmpfs, as it sends it
        mounts.add(Map.of("destination", "/scratch", "type", "tmpfs", "source", "tmpfs",
                "options", List.of("rw", "rprivate", "nosuid", "nodev", "tmpcopyup")));
        List<Op> ops = rootfs(plan(tree));
        assertTrue(ops.contains(new Op.Mount("tmpfs", "/scratch", "tmpfs", Flags.MS_NOSUID | Flags.MS_NODEV, null, Op.COPY_UP)),
                ops::toString);
    }

    @Test
    void idmapWithoutMappingsNeedsTheContainersUserNamespace() {
        Map<String, Object> tree = defaults();
        @SuppressWarnings("unchecked")
        List<Object> mounts = (List<Object>) tree.get("mounts");
        mounts.add(Map.of("destination", "/data", "type", "bind", "source", "/srv/data", "options", List.of("rbind", "idmap")));
        SpecException e = assertThrows(SpecException.class, () -> plan(tree));
        assertEquals("config.json: mounts[" + (mounts.size() - 1) + "].options: idmap without uidMappings and gidMappings "
                + "takes the container's, and it has none (no new user namespace)", e.getMessage());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> withUserNamespace(Map<String, Object> tree, long host, long size) {
        Map<String, Object> linux = at(tree, "linux");
        List<Object> namespaces = new java.util.ArrayList<>((List<Object>) linux.get("namespaces"));
        namespaces.add(Map.of("type", "user"));
        linux.put("namespaces", namespaces);
        linux.put("uidMappings", List.of(Map.of("containerID", 0L, "hostID", host, "size", size)));
        linux.put("gidMappings", List.of(Map.of("containerID", 0L, "hostID", host, "size", size)));
        return tree;
    }

    static Plan plan(Map<String, Object> tree, Caller caller) {
        return Planner.plan(SpecReader.fromTree(tree, "config.json"), new Planner.Request(BUNDLE, false, false, null, caller, java.util.Set.of(), hako.security.Lsm.host()));
    }

    @Test
    void aNewUserNamespaceIsMappedByTheRuntimeAndInitBecomesRootInItFirst() {
        Plan plan = plan(withUserNamespace(defaults(), 100000, 65536), Caller.ROOT);
        Op.Clone clone = (Op.Clone) plan.namespaces().getLast();
        assertTrue((clone.flags() & Flags.CLONE_NEWUSER) != 0, clone::toString);
        assertEquals("0 100000 65536\n", IdMaps.text(plan.userns().uids()));
        assertEquals(false, plan.userns().denySetgroups(), "root may allow setgroups");
        assertEquals(List.of(new Op.SetResuid(0), new Op.SetResgid(0), new Op.SetGroups(List.of())),
                plan.rootfs().subList(0, 3));
        // No device node can be made in a user namespace: the host's are bound.
        assertTrue(plan.rootfs().stream().noneMatch(op -> op instanceof Op.Mknod), plan.rootfs()::toString);
        assertTrue(plan.rootfs().contains(new Op.Mount("/dev/null", "/dev/null", null, Flags.MS_BIND, null)));
        assertTrue(String.join("\n", plan.userns().render("INIT")).contains("write \"0 100000 65536\\n\" to /proc/INIT/uid_map"), () -> plan.userns().render("INIT").toString());
    }

    @Test
    void withoutANetworkNamespaceOfItsOwnSysIsBoundNotMounted() {
        Map<String, Object> tree = withUserNamespace(defaults(), 100000, 65536);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> namespaces = (List<Map<String, Object>>) at(tree, "linux").get("namespaces");
        at(tree, "linux").put("namespaces", namespaces.stream().filter(n -> !n.get("type").equals("network")).toList());
        List<Op> ops = plan(tree, Caller.ROOT).rootfs();
        assertTrue(ops.stream().noneMatch(op -> op instanceof Op.Mount m && "sysfs".equals(m.fstype())), ops::toString);
        assertTrue(ops.contains(new Op.Mount("/sys", "/sys", null, Flags.MS_BIND | Flags.MS_REC, null)), ops::toString);
        // the host's cgroup2 came along with /sys: a tmpfs goes between it and the container's own
        int tmpfs = ops.indexOf(new Op.Mount("tmpfs", "/sys/fs/cgroup", "tmpfs", Flags.MS_NOSUID | Flags.MS_NODEV | Flags.MS_NOEXEC, "mode=755"));
        int cgroup2 = ops.indexOf(new Op.Mount("cgroup2", "/sys/fs/cgroup", "cgroup2",
                Flags.MS_NOSUID | Flags.MS_NOEXEC | Flags.MS_NODEV | Flags.MS_RELATIME | Flags.MS_RDONLY, null));
        assertTrue(ops.indexOf(new Op.Mount("/sys", "/sys", null, Flags.MS_BIND | Flags.MS_REC, null)) < tmpfs && tmpfs >= 0 && tmpfs + 1 == cgroup2,
                ops::toString);
    }

    @Test
    void aRootlessCallerDeniesSetgroupsAndNeverCallsIt() {
        Plan plan = plan(withUserNamespace(defaults(), 1000, 1), new Caller(1000, 1000));
        assertTrue(plan.userns().denySetgroups());
        assertTrue(String.join("\n", plan.userns().render("INIT")).contains("write \"deny\" to /proc/INIT/setgroups"), () -> plan.userns().render("INIT").toString());
        assertTrue(plan.rootfs().stream().noneMatch(op -> op instanceof Op.SetGroups), plan.rootfs()::toString);
        assertTrue(plan.process().stream().noneMatch(op -> op instanceof Op.SetGroups), plan.process()::toString);
    }

    @Test
    void aRootlessCallerMapsSubordinateIdsThroughNewuidmapAndKeepsSetgroupsAllowedForIt() {
        Map<String, Object> tree = withUserNamespace(defaults(), 1000, 1);
        List<Object> ranges = List.of(Map.of("containerID", 0L, "hostID", 1000L, "size", 1L),
                Map.of("containerID", 1L, "hostID", 100000L, "size", 65536L));
        at(tree, "linux").put("uidMappings", ranges);
        at(tree, "linux").put("gidMappings", ranges);
        Plan plan = plan(tree, new Caller(1000, 1000));
        assertFalse(plan.userns().denySetgroups(), "newgidmap needs setgroups allowed (runc's requiresRootOrMappingTool)");
        List<String> lines = plan.userns().render("INIT");
        assertTrue(lines.get(0).endsWith("/newuidmap INIT 0 1000 1 1 100000 65536"), lines::toString);
        assertTrue(lines.get(1).endsWith("/newgidmap INIT 0 1000 1 1 100000 65536"), lines::toString);
        // Still a rootless euid: setgroups is never called (runc's allowSupGroups).
        assertTrue(plan.process().stream().noneMatch(op -> op instanceof Op.SetGroups), plan.process()::toString);
        // Root, in a user namespace too, writes the same maps itself.
        IdMaps root = plan(tree, new Caller(0, 0, true)).userns();
        assertEquals(null, root.newuidmap());
        assertEquals(null, root.newgidmap());
    }

    @Test
    void rootInAUserNamespaceBindsTheHostsDevicesRatherThanMakingThem() {
        Plan plan = plan(defaults(), new Caller(0, 0, true));
        assertTrue(plan.rootfs().stream().noneMatch(op -> op instanceof Op.Mknod), plan.rootfs()::toString);
        assertTrue(plan.rootfs().contains(new Op.Mount("/dev/null", "/dev/null", null, Flags.MS_BIND, null)), plan.rootfs()::toString);
        assertTrue(plan(defaults(), Caller.ROOT).rootfs().stream().anyMatch(op -> op instanceof Op.Mknod));
    }

    @Test
    void uidZeroMustBeMappedInANewUserNamespace() {
        Map<String, Object> tree = withUserNamespace(defaults(), 100000, 65536);
        at(tree, "linux").put("uidMappings", List.of(Map.of("containerID", 1L, "hostID", 100000L, "size", 10L)));
        SpecException e = assertThrows(SpecException.class, () -> plan(tree, Caller.ROOT));
        assertTrue(e.getMessage().startsWith("config.json: linux.uidMappings: maps no host uid to uid 0"), e::getMessage);
    }

    @Test
    void aJoinedUserNamespaceIsJoinedLastByRootAndFirstByARootlessCaller() {
        Map<String, Object> tree = defaults();
        tree.remove("hostname");
        at(tree, "linux").put("namespaces", List.of(Map.of("type", "user", "path", "/proc/7/ns/user"),
                Map.of("type", "network", "path", "/run/netns/pod"), Map.of("type", "mount")));
        List<Op> root = plan(tree, Caller.ROOT).namespaces();
        assertEquals(new Op.SetNs(0, "/run/netns/pod", Flags.CLONE_NEWNET), root.get(0));
        assertEquals(new Op.SetNs(1, "/proc/7/ns/user", Flags.CLONE_NEWUSER), root.get(1));
        assertEquals(new Op.Clone(Flags.CLONE_NEWNS, 2), root.get(2));
        List<Op> rootless = plan(tree, new Caller(1000, 1000)).namespaces();
        assertEquals(new Op.SetNs(0, "/proc/7/ns/user", Flags.CLONE_NEWUSER), rootless.get(0));
        Plan plan = plan(tree, Caller.ROOT);
        assertEquals(null, plan.userns(), "a joined namespace has its maps already");
        assertEquals(new Op.SetResuid(0), plan.rootfs().getFirst());
    }

    @Test
    void anIdMappedMountIsMadeByTheStageBeforeTheCloneAndAttachedByInit() {
        Map<String, Object> tree = withUserNamespace(defaults(), 100000, 65536);
        @SuppressWarnings("unchecked")
        List<Object> mounts = (List<Object>) tree.get("mounts");
        mounts.add(Map.of("destination", "/data", "type", "bind", "source", "/srv/data", "options", List.of("rbind", "ridmap", "ro"),
                "uidMappings", List.of(Map.of("containerID", 1000L, "hostID", 100000L, "size", 1L)),
                "gidMappings", List.of(Map.of("containerID", 1000L, "hostID", 100000L, "size", 1L))));
        mounts.add(Map.of("destination", "/more", "type", "bind", "source", "/srv/more", "options", List.of("bind", "idmap")));
        Plan plan = plan(tree, Caller.ROOT);
        assertEquals(2, plan.mountUserns().size(), "the mount's own maps, and the container's");
        assertEquals(List.of(new Op.OpenTree("/srv/data", 0, true, true), new Op.OpenTree("/srv/more", 1, false, false)),
                plan.namespaces().subList(0, 2));
        assertEquals(2, ((Op.Clone) plan.namespaces().getLast()).cgroupFdIndex(), "the cgroup after the user namespaces");
        int attach = plan.rootfs().indexOf(new Op.MoveMount(0, "/data"));
        assertTrue(attach > 0, plan.rootfs()::toString);
        assertEquals(new Op.Mount(null, "/data", null, Flags.MS_BIND | Flags.MS_REMOUNT | Flags.MS_RDONLY, null),
                plan.rootfs().get(attach + 1));
        assertTrue(plan.rootfs().contains(new Op.MoveMount(1, "/more")));
    }

    @Test
    void filesystemOptionsOnABindMountAreAWarning() {
        Map<String, Object> tree = defaults();
        @SuppressWarnings("unchecked")
        List<Object> mounts = (List<Object>) tree.get("mounts");
        mounts.add(Map.of("destination", "/data", "type", "bind", "source", "/srv/data", "options", List.of("rbind", "size=1m")));
        assertEquals(List.of("config.json: mounts[" + (mounts.size() - 1) + "].options: size=1m ignored: a bind mount takes no filesystem options"),
                plan(tree).warnings());
    }

    @Test
    void processBecomesItselfInTheKernelsOrder() {
        Map<String, Object> tree = defaults();
        at(tree, "process").put("user", Map.of("uid", 1000L, "gid", 100L, "additionalGids", List.of(5L), "umask", 077L));
        List<Op> ops = plan(tree).process();
        List<Class<?>> order = ops.stream().<Class<?>>map(Object::getClass).toList();
        assertEquals(List.of(Op.SetHostname.class, Op.SetSid.class, Op.JoinKeyring.class, Op.SetRlimit.class, Op.Bounding.class, Op.Prctl.class,
                Op.SetGroups.class, Op.SetResgid.class, Op.SetResuid.class, Op.Prctl.class, Op.Caps.class,
                Op.Prctl.class, Op.Umask.class, Op.Chdir.class, Op.Which.class, Op.Seccomp.class), order,
                "with no_new_privs the filter comes last, after the executable is found (runc)");
        assertEquals(new Op.SetResuid(1000), ops.get(8));
        assertEquals(new Op.Umask(077), ops.get(12));
    }

    @Test
    void newerFieldsComeInRuncsOrderAfterTheSwitchOfUser() {
        Map<String, Object> tree = defaults();
        at(tree, "process").put("scheduler", Map.of("policy", "SCHED_IDLE"));
        at(tree, "process").put("ioPriority", Map.of("class", "IOPRIO_CLASS_BE", "priority", 4L));
        at(tree, "linux").put("personality", Map.of("domain", "LINUX32"));
        at(tree, "linux").put("memoryPolicy", Map.of("mode", "MPOL_PREFERRED", "nodes", "0"));
        List<Op> ops = plan(tree).process();
        int caps = ops.indexOf(ops.stream().filter(op -> op instanceof Op.Caps).findFirst().orElseThrow());
        List<Op> after = ops.subList(caps, ops.size());
        assertEquals(List.of(new Op.SetScheduler(5, 0, 0, 0, 0, 0, 0), new Op.SetIoPriority(2, 4), new Op.SetPersonality(8),
                new Op.SetMempolicy(1, hako.spec.CpuList.parse("0"))),
                after.stream().filter(op -> op instanceof Op.SetScheduler || op instanceof Op.SetIoPriority
                        || op instanceof Op.SetPersonality || op instanceof Op.SetMempolicy).toList());
        assertEquals(new Op.JoinKeyring("_ses.web"), ops.get(2), "the container's own session keyring, named as runc names it");
    }

    @Test
    void timeOffsetsAreWrittenByTheStageBeforeInitEntersTheNamespace() {
        Map<String, Object> tree = defaults();
        @SuppressWarnings("unchecked")
        List<Object> namespaces = (List<Object>) at(tree, "linux").get("namespaces");
        namespaces.add(Map.of("type", "time"));
        at(tree, "linux").put("timeOffsets", Map.of("boottime", Map.of("secs", 60L, "nanosecs", 5L)));
        List<Op> ops = plan(tree).namespaces();
        assertEquals(new Op.TimeOffsets("boottime 60 5\n"), ops.get(0));
        Op.Clone clone = (Op.Clone) ops.getLast();
        assertEquals(0, clone.flags() & Flags.CLONE_NEWTIME, "the namespace is the stage's own, not the clone's");
        assertEquals(0, clone.cgroupFdIndex(), "no namespace descriptors before the cgroup's");
    }

    @Test
    void anExecdProcessGetsTheContainersPersonalityAndEveryCpuUnlessItsAffinitySaysOtherwise() {
        Spec.Process process = SpecReader.fromTree(defaults(), "config.json").process();
        Planner.Shared shared = new Planner.Shared(new Spec.Personality(8), null, "_ses.web");
        Plan exec = Planner.planExec(process, shared, 42, List.of("mnt"), true);
        assertEquals(Planner.notDumpable(), exec.process().getFirst(), "not dumpable until its exec");
        assertEquals(new Op.SetAffinity(null), exec.process().get(1));
        assertTrue(exec.process().contains(new Op.SetPersonality(8)));
        assertTrue(exec.process().contains(new Op.JoinKeyring("_ses.web")));
    }

    @Test
    void onlySysctlsOfTheContainersOwnNamespacesAreWritten() {
        // The attack: any key written would change the host's (kernel.core_pattern runs a program there).
        for (String key : List.of("kernel.core_pattern", "kernel.printk_ratelimit", "vm.overcommit_memory")) {
            Map<String, Object> tree = defaults();
            at(tree, "linux").put("sysctl", Map.of(key, "9"));
            SpecException e = assertThrows(SpecException.class, () -> plan(tree));
            assertEquals("config.json: linux.sysctl." + key + ": not in a separate kernel namespace: it would change the host's",
                    e.getMessage());
        }
        Map<String, Object> namespaced = defaults();
        at(namespaced, "linux").put("sysctl", Map.of("net.ipv4.ip_unprivileged_port_start", "0", "kernel.shmmax", "1000000",
                "fs.mqueue.msg_max", "20", "kernel.domainname", "example"));
        assertEquals(4, plan(namespaced).rootfs().stream().filter(op -> op instanceof Op.WriteProc).count());

        Map<String, Object> hostNetwork = defaults();
        @SuppressWarnings("unchecked")
        List<Object> namespaces = (List<Object>) at(hostNetwork, "linux").get("namespaces");
        namespaces.removeIf(n -> ((Map<?, ?>) n).get("type").equals("network"));
        at(hostNetwork, "linux").put("sysctl", Map.of("net.ipv4.ip_forward", "1"));
        assertEquals("config.json: linux.sysctl.net.ipv4.ip_forward: not allowed in the host's network namespace",
                assertThrows(SpecException.class, () -> plan(hostNetwork)).getMessage());
    }

    @Test
    void withoutAMountNamespaceTheMountsAreMadeUnderTheRootfsAndTheProcessChroots() {
        Map<String, Object> tree = defaults();
        @SuppressWarnings("unchecked")
        List<Object> namespaces = (List<Object>) at(tree, "linux").get("namespaces");
        namespaces.removeIf(n -> ((Map<?, ?>) n).get("type").equals("mount"));
        assertEquals("config.json: linux.maskedPaths: needs a mount namespace of the container's own (add {\"type\": \"mount\"} "
                + "to linux.namespaces)", assertThrows(SpecException.class, () -> plan(tree)).getMessage());
        at(tree, "linux").remove("maskedPaths");
        at(tree, "linux").remove("readonlyPaths");
        at(tree, "root").put("readonly", false);
        List<Op> ops = rootfs(plan(tree));
        assertEquals(new Op.SetRoot("/bundles/web/rootfs"), ops.getFirst(), "no propagation change of the host's /");
        assertTrue(ops.contains(new Op.Chroot("/bundles/web/rootfs")), ops::toString);
        assertTrue(ops.stream().noneMatch(op -> op instanceof Op.PivotRoot), ops::toString);
    }

    @Test
    void withoutNoNewPrivilegesTheFilterIsLoadedBeforeTheCapabilitiesAreDropped() {
        Map<String, Object> tree = defaults();
        at(tree, "process").put("noNewPrivileges", false);
        List<Op> ops = plan(tree).process();
        int seccomp = indexOf(ops, Op.Seccomp.class);
        assertEquals(indexOf(ops, Op.Bounding.class) - 1, seccomp, ops::toString);
        at(tree, "process").remove("capabilities");
        ops = plan(tree).process();
        assertEquals(indexOf(ops, Op.SetGroups.class) - 1, indexOf(ops, Op.Seccomp.class), "no capabilities: before the groups");
        at(tree, "linux").remove("seccomp");
        assertEquals(-1, indexOf(plan(tree).process(), Op.Seccomp.class));
    }

    @Test
    void execLoadsTheContainersFilter() {
        Spec.Process process = SpecReader.fromTree(defaults(), "config.json").process();
        Planner.Shared shared = Planner.Shared.of(SpecReader.fromTree(defaults(), "config.json").linux(), null);
        Plan exec = Planner.planExec(process, shared, 42, List.of("mnt"), true);
        assertEquals(Op.Seccomp.class, exec.process().getLast().getClass(), exec.process()::toString);
        assertTrue(exec.process().getLast().render().startsWith("seccomp(SECCOMP_SET_MODE_FILTER, SPEC_ALLOW, "),
                exec.process().getLast().render());
    }

    private static int indexOf(List<Op> ops, Class<?> type) {
        for (int i = 0; i < ops.size(); i++) if (type.isInstance(ops.get(i))) return i;
        return -1;
    }

    @Test
    void executableIsLookedUpInTheProcessPath() {
        Map<String, Object> tree = defaults();
        at(tree, "process").put("env", List.of("PATH=/opt/bin::/bin"));
        Op.Exec exec = (Op.Exec) plan(tree).start().getLast();
        assertEquals(List.of("/opt/bin/sh", "./sh", "/bin/sh"), exec.candidates());
        List<Op> process = plan(tree).process();
        assertEquals(new Op.Which(exec.candidates()), process.get(process.size() - 2), "then the filter");
        at(tree, "process").put("args", List.of("/bin/echo", "hi"));
        exec = (Op.Exec) plan(tree).start().getLast();
        assertEquals(List.of("/bin/echo"), exec.candidates());
        assertEquals(List.of("/bin/echo", "hi"), exec.argv());
    }

    @Test
    void aMountNamespaceIsRequired() {
        Map<String, Object> tree = defaults();
        tree.remove("hostname");
        at(tree, "linux").put("namespaces", List.of(Map.of("type", "pid")));
        SpecException e = assertThrows(SpecException.class, () -> plan(tree));
        assertTrue(e.getMessage().contains("mount namespace"), e.getMessage());
    }

    @Test
    void createWaitsOnTheExecFifoBeforeItExecs() {
        Plan plan = Planner.plan(SpecReader.fromTree(defaults(), "config.json"), new Planner.Request(BUNDLE, true, false, null));
        assertEquals(new Op.WaitFifo(0), plan.start().getFirst());
        assertTrue(plan.start().getLast() instanceof Op.Exec);
    }

    @Test
    void aTerminalComesAfterTheNewSession() {
        Map<String, Object> tree = defaults();
        at(tree, "process").put("terminal", true);
        at(tree, "process").put("consoleSize", Map.of("height", 40L, "width", 120L));
        List<Op> ops = plan(tree).process();
        assertEquals(new Op.Pty(40, 120, true), ops.get(ops.indexOf(new Op.SetSid()) + 1));
    }

    @Test
    void theRenderedPlanReadsAsSystemCalls() {
        Plan plan = plan(defaults());
        String text = plan.ops().stream().map(Op::render).collect(java.util.stream.Collectors.joining("\n"));
        assertTrue(text.contains("clone3(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWCGROUP|CLONE_PARENT|CLONE_INTO_CGROUP)"), text);
        assertTrue(text.contains("mount(\"proc\", \"/proc\", \"proc\", 0, NULL)"), text);
        assertTrue(text.contains("pivot_root(\"/bundles/web/rootfs\")"), text);
        assertTrue(text.contains("sethostname(\"hako\")"), text);
        assertTrue(text.contains("capset(effective {CAP_KILL,CAP_NET_BIND_SERVICE,CAP_AUDIT_WRITE}"), text);
    }
}
