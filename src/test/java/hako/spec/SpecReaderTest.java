package hako.spec;

import hako.json.JsonException;
import hako.json.Json;
import hako.Warnings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecReaderTest {

    // ------------------------------------------------------------ helpers

    /** The default spec as a tree to break one thing in. */
    private static Map<String, Object> config() {
        return DefaultSpec.tree();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> at(Map<String, Object> tree, String... keys) {
        Map<String, Object> node = tree;
        for (String key : keys) {
            node = (Map<String, Object>) node.get(key);
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> object, String key) {
        return (List<Object>) object.get(key);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> element(Map<String, Object> object, String key, int index) {
        return (Map<String, Object>) list(object, key).get(index);
    }

    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            object.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return object;
    }

    private static Spec read(Map<String, Object> tree) {
        return SpecReader.parse(Json.write(tree), "config.json");
    }

    /** Asserts that the tree is refused with exactly this path and reason. */
    private static void assertRefused(Map<String, Object> tree, String path, String reason) {
        SpecException e = assertThrows(SpecException.class, () -> read(tree));
        assertEquals("config.json: " + path + ": " + reason, e.getMessage());
        assertEquals(path, e.jsonPath());
    }

    private static Map<String, Object> withUserNamespace(Map<String, Object> tree) {
        list(at(tree, "linux"), "namespaces").add(object("type", "user"));
        Map<String, Object> linux = at(tree, "linux");
        linux.put("uidMappings", new ArrayList<>(List.of(object("containerID", 0L, "hostID", 100000L, "size", 65536L))));
        linux.put("gidMappings", new ArrayList<>(List.of(object("containerID", 0L, "hostID", 100000L, "size", 65536L))));
        return tree;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SpecReaderTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------ a realistic config

    @Test
    void readsEveryModelledFieldOfARealisticConfig() throws IOException {
        Spec spec = SpecReader.parse(resource("/spec/podman-config.json"), "config.json");

        assertEquals("1.2.0", spec.ociVersion());
        Spec.Process process = spec.process();
        assertTrue(process.terminal());
        assertEquals(new Spec.ConsoleSize(40, 120), process.consoleSize());
        assertEquals(new Spec.User(1000, 1000, 18L, List.of(10L, 4294967295L)), process.user());
        assertEquals(List.of("/usr/bin/nginx", "-g", "daemon off;"), process.args());
        assertEquals(4, process.env().size());
        assertEquals("/srv/www", process.cwd());
        Spec.Capabilities caps = process.capabilities();
        assertEquals(List.of(Capability.CAP_CHOWN, Capability.CAP_DAC_OVERRIDE, Capability.CAP_NET_BIND_SERVICE,
                Capability.CAP_SETUID, Capability.CAP_SETGID, Capability.CAP_CHECKPOINT_RESTORE), caps.bounding());
        assertEquals(List.of(Capability.CAP_NET_BIND_SERVICE), caps.effective());
        assertEquals(List.of(), caps.inheritable());
        assertEquals(List.of(Capability.CAP_CHOWN, Capability.CAP_NET_BIND_SERVICE), caps.permitted());
        assertEquals(List.of(), caps.ambient());
        assertEquals(List.of(
                new Spec.Rlimit(RlimitType.RLIMIT_NOFILE, 1048576, 1024),
                new Spec.Rlimit(RlimitType.RLIMIT_CORE, -1L, -1L), // RLIM_INFINITY, 2^64-1
                new Spec.Rlimit(RlimitType.RLIMIT_NPROC, 4194304, 4194304)), process.rlimits());
        assertTrue(process.noNewPrivileges());
        assertEquals(-500, process.oomScoreAdj());
        assertEquals("containers-default-0.50.1", process.apparmorProfile());
        assertEquals("system_u:system_r:container_t:s0:c12,c345", process.selinuxLabel());

        assertEquals(new Spec.Root("/var/lib/containers/storage/overlay/3f1c/merged", false), spec.root());
        assertEquals("web1", spec.hostname());
        assertEquals("example.internal", spec.domainname());
        assertEquals(List.of(
                new Spec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new Spec.Mount("/etc/hosts", "bind",
                        "/run/containers/storage/overlay-containers/3f1c/userdata/hosts", List.of("bind", "rprivate")),
                new Spec.Mount("/srv/www", null, "/home/ada/site", List.of("rbind", "ro"),
                        List.of(new Spec.IdMapping(0, 100000, 65536)), List.of()),
                new Spec.Mount("/tmp", "tmpfs", null, List.of())), spec.mounts());
        assertEquals(List.of("prestart"), new ArrayList<>(spec.hooks().byKind().keySet()));
        assertEquals(List.of("io.container.manager", "io.kubernetes.cri.sandbox-id",
                "org.opencontainers.image.stopSignal", "empty"), new ArrayList<>(spec.annotations().keySet()));
        assertEquals("", spec.annotations().get("empty"));

        Spec.Linux linux = spec.linux();
        assertEquals(List.of(new Spec.IdMapping(0, 100000, 65536)), linux.uidMappings());
        assertEquals(List.of(new Spec.IdMapping(0, 100000, 65536)), linux.gidMappings());
        assertEquals(Map.of("net.ipv4.ping_group_range", "0 0", "net.ipv4.ip_unprivileged_port_start", "0"),
                linux.sysctl());
        assertEquals(536870912L, linux.resources().memory().limit());
        assertEquals("machine.slice:libpod:3f1c", linux.cgroupsPath());
        assertEquals(8, linux.namespaces().size());
        assertEquals(new Spec.Namespace(NamespaceType.NETWORK, "/run/netns/netns-5a7b"),
                linux.namespace(NamespaceType.NETWORK));
        assertEquals(new Spec.Namespace(NamespaceType.USER, null), linux.namespace(NamespaceType.USER));
        assertEquals(new Spec.Namespace(NamespaceType.TIME, null), linux.namespace(NamespaceType.TIME));
        assertEquals(List.of(
                new Spec.Device("/dev/fuse", DeviceType.CHAR, 10, 229, 0666, 0L, 0L),
                new Spec.Device("/dev/sdb", DeviceType.BLOCK, 8, 16, null, null, null),
                new Spec.Device("/run/pipe", DeviceType.FIFO, 0, 0, null, null, null)), linux.devices());
        assertEquals(Seccomp.Action.ERRNO, linux.seccomp().defaultAction());
        assertEquals("rslave", linux.rootfsPropagation());
        assertEquals(List.of("/proc/acpi", "/proc/kcore", "/sys/firmware"), linux.maskedPaths());
        assertEquals(List.of("/proc/sys", "/proc/sysrq-trigger"), linux.readonlyPaths());
        assertEquals("system_u:object_r:container_file_t:s0:c12,c345", linux.mountLabel());
        assertEquals(new Spec.Personality(0), linux.personality());
        assertEquals(List.of(new Spec.TimeOffset("monotonic", 3600, 0)), linux.timeOffsets());
        assertTrue(linux.intelRdt());

        // Fields hako does not model yet stay reachable through the raw tree.
        assertEquals(3600L, at(spec.raw(), "linux", "timeOffsets", "monotonic").get("secs"));
        assertEquals("IOPRIO_CLASS_BE", at(spec.raw(), "process", "ioPriority").get("class"));
        assertNotNull(spec.raw().get("x-future-field"));
    }

    @Test
    void listsAndMapsInTheRecordsCannotBeModified() throws IOException {
        Spec spec = SpecReader.parse(resource("/spec/podman-config.json"), "config.json");
        assertThrows(UnsupportedOperationException.class, () -> spec.process().args().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> spec.mounts().clear());
        assertThrows(UnsupportedOperationException.class, () -> spec.annotations().put("k", "v"));
        assertThrows(UnsupportedOperationException.class, () -> spec.linux().namespaces().clear());
        assertThrows(UnsupportedOperationException.class, () -> spec.process().capabilities().bounding().clear());
    }

    // ------------------------------------------------------------ optional fields

    @Test
    void optionalFieldsLeftOutAreNullOrEmptyNeverInvented() {
        Map<String, Object> minimal = object(
                "ociVersion", "1.0.0",
                "process", object("args", List.of("true"), "cwd", "/"),
                "root", object("path", "rootfs"));
        Spec spec = read(minimal);
        Spec.Process process = spec.process();
        assertFalse(process.terminal());
        assertNull(process.consoleSize());
        assertEquals(new Spec.User(0, 0, null, List.of()), process.user()); // runc's default: root
        assertEquals(List.of(), process.env());
        assertNull(process.capabilities());
        assertEquals(List.of(), process.rlimits());
        assertFalse(process.noNewPrivileges());
        assertNull(process.oomScoreAdj());
        assertNull(process.apparmorProfile());
        assertNull(process.selinuxLabel());
        assertFalse(spec.root().readonly());
        assertNull(spec.hostname());
        assertNull(spec.domainname());
        assertEquals(List.of(), spec.mounts());
        assertTrue(spec.hooks().isEmpty());
        assertEquals(Map.of(), spec.annotations());

        Spec.Linux linux = spec.linux();
        assertNotNull(linux, "an absent linux object reads as an empty one");
        assertEquals(List.of(), linux.namespaces());
        assertEquals(List.of(), linux.uidMappings());
        assertEquals(List.of(), linux.devices());
        assertNull(linux.cgroupsPath());
        assertNull(linux.resources());
        assertNull(linux.rootfsPropagation());
        assertEquals(List.of(), linux.maskedPaths());
        assertEquals(Map.of(), linux.sysctl());
        assertNull(linux.seccomp());
        assertNull(linux.mountLabel());
        assertNull(linux.personality());
        assertFalse(spec.raw().containsKey("linux"));
    }

    @Test
    void explicitNullAndEmptyStringsReadAsUnsetLikeInRunc() {
        Map<String, Object> tree = config();
        tree.put("hostname", "");
        tree.put("domainname", null);
        tree.put("mounts", null);
        at(tree, "process").put("capabilities", null);
        at(tree, "process").put("apparmorProfile", "");
        at(tree, "linux").put("resources", null);
        at(tree, "linux").put("cgroupsPath", "");
        Spec spec = read(tree);
        assertNull(spec.hostname());
        assertNull(spec.domainname());
        assertEquals(List.of(), spec.mounts());
        assertNull(spec.process().capabilities());
        assertNull(spec.process().apparmorProfile());
        assertNull(spec.linux().resources());
        assertNull(spec.linux().cgroupsPath());
    }

    @Test
    void unknownFieldsAreIgnoredEverywhere() {
        Map<String, Object> tree = config();
        tree.put("somethingNew", object("a", List.of(1L)));
        at(tree, "process").put("scheduler", object("policy", "SCHED_OTHER"));
        at(tree, "root").put("future", true);
        element(tree, "mounts", 0).put("uidMappings", List.of());
        at(tree, "linux").put("netDevices", object("eth0", object()));
        element(at(tree, "linux"), "namespaces", 0).put("x", 1L);
        Spec spec = read(tree);
        assertEquals(object("policy", "SCHED_OTHER"), at(spec.raw(), "process").get("scheduler"));
    }

    @Test
    void aJoinedUserNamespaceNeedsNoMappings() {
        Map<String, Object> tree = config();
        list(at(tree, "linux"), "namespaces").add(object("type", "user", "path", "/proc/4242/ns/user"));
        Spec spec = read(tree);
        assertEquals("/proc/4242/ns/user", spec.linux().namespace(NamespaceType.USER).path());
    }

    @Test
    void aFifoNeedsNoDeviceNumbers() {
        Map<String, Object> tree = config();
        at(tree, "linux").put("devices", List.of(object("path", "/dev/pipe", "type", "p")));
        assertEquals(DeviceType.FIFO, read(tree).linux().devices().getFirst().type());
    }

    // ------------------------------------------------------------ syntax errors

    @Test
    void aSyntaxErrorNamesTheFileLineAndColumn() {
        String text = """
                {
                  "ociVersion": "1.2.0",
                  "process": {
                  "cwd" "/",
                    "args": ["sh"]
                  }
                }
                """;
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.parse(text, "config.json"));
        assertEquals("config.json: line 4, column 9: expected ':' after an object key, got '\"'", e.getMessage());
        assertNull(e.jsonPath());
        assertInstanceOf(JsonException.class, e.getCause());
    }

    @Test
    void aDocumentThatIsNotAnObjectIsRefused() {
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.parse("[]", "config.json"));
        assertEquals("config.json: expected a JSON object at the top level, got an array", e.getMessage());
    }

    // ------------------------------------------------------------ required fields

    @Test
    void processArgsMustBeStrings() {
        Map<String, Object> tree = config();
        at(tree, "process").put("args", List.of("sh", 1L));
        assertRefused(tree, "process.args[1]", "expected a string, got a number");
    }

    @Test
    void processArgsAreRequiredAndNotEmpty() {
        Map<String, Object> empty = config();
        at(empty, "process").put("args", List.of());
        assertRefused(empty, "process.args", "required, and must not be empty");

        Map<String, Object> missing = config();
        at(missing, "process").remove("args");
        assertRefused(missing, "process.args", "required, and must not be empty");

        Map<String, Object> notAnArray = config();
        at(notAnArray, "process").put("args", "sh");
        assertRefused(notAnArray, "process.args", "expected an array, got a string");
    }

    @Test
    void theTopLevelObjectsAreRequired() {
        Map<String, Object> noVersion = config();
        noVersion.remove("ociVersion");
        assertRefused(noVersion, "ociVersion", "required");

        Map<String, Object> noProcess = config();
        noProcess.put("process", null);
        assertRefused(noProcess, "process", "required");

        Map<String, Object> noRoot = config();
        noRoot.remove("root");
        assertRefused(noRoot, "root", "required");

        Map<String, Object> rootNotObject = config();
        rootNotObject.put("root", "rootfs");
        assertRefused(rootNotObject, "root", "expected an object, got a string");
    }

    @Test
    void rootPathIsRequired() {
        Map<String, Object> missing = config();
        at(missing, "root").remove("path");
        assertRefused(missing, "root.path", "required");

        Map<String, Object> empty = config();
        at(empty, "root").put("path", "");
        assertRefused(empty, "root.path", "required, and must not be empty");
    }

    @Test
    void cwdIsRequiredAndAbsolute() {
        Map<String, Object> relative = config();
        at(relative, "process").put("cwd", "srv/www");
        assertRefused(relative, "process.cwd", "must be an absolute path, got \"srv/www\"");

        Map<String, Object> missing = config();
        at(missing, "process").remove("cwd");
        assertRefused(missing, "process.cwd", "required");
    }

    @Test
    void booleansMustBeBooleans() {
        Map<String, Object> tree = config();
        at(tree, "process").put("terminal", "yes");
        assertRefused(tree, "process.terminal", "expected true or false, got a string");

        Map<String, Object> readonly = config();
        at(readonly, "root").put("readonly", 1L);
        assertRefused(readonly, "root.readonly", "expected true or false, got a number");
    }

    // ------------------------------------------------------------ mounts

    @Test
    void aRelativeMountDestinationIsTakenFromTheRootWithAWarningAsRuncDoes() {
        Map<String, Object> tree = config();
        element(tree, "mounts", 1).put("destination", "dev");
        List<String> warnings = new ArrayList<>();
        Warnings.sendTo(warnings::add);
        try {
            assertEquals("/dev", SpecReader.fromTree(tree, "config.json").mounts().get(1).destination());
        } finally {
            Warnings.sendTo(System.err::println);
        }
        assertEquals(List.of("config.json: mounts[1].destination: a relative destination is deprecated; taken as /dev"), warnings);
    }

    @Test
    void mountDestinationIsRequired() {
        Map<String, Object> tree = config();
        element(tree, "mounts", 3).remove("destination");
        assertRefused(tree, "mounts[3].destination", "required");
    }

    @Test
    void mountEntriesAndOptionsHaveTheirTypes() {
        Map<String, Object> tree = config();
        list(tree, "mounts").add(2, "/data");
        assertRefused(tree, "mounts[2]", "expected an object, got a string");

        Map<String, Object> options = config();
        element(options, "mounts", 1).put("options", List.of("nosuid", true));
        assertRefused(options, "mounts[1].options[1]", "expected a string, got a boolean");
    }

    // ------------------------------------------------------------ namespaces

    @Test
    void unknownNamespaceTypeListsTheKnownOnes() {
        Map<String, Object> tree = config();
        element(at(tree, "linux"), "namespaces", 2).put("type", "foo");
        assertRefused(tree, "linux.namespaces[2].type",
                "unknown namespace type \"foo\" (expected one of: pid, network, mount, ipc, uts, user, cgroup, time)");
    }

    @Test
    void duplicateNamespaceTypeIsRefused() {
        Map<String, Object> tree = config();
        list(at(tree, "linux"), "namespaces").add(object("type", "network", "path", "/run/netns/x"));
        assertRefused(tree, "linux.namespaces[6].type", "duplicate namespace type \"network\" (also linux.namespaces[1])");
    }

    @Test
    void namespacePathMustBeAbsolute() {
        Map<String, Object> tree = config();
        element(at(tree, "linux"), "namespaces", 1).put("path", "run/netns/x");
        assertRefused(tree, "linux.namespaces[1].path", "must be an absolute path, got \"run/netns/x\"");
    }

    @Test
    void aHostnameNeedsAUtsNamespace() {
        Map<String, Object> tree = config();
        list(at(tree, "linux"), "namespaces").removeIf(ns -> "uts".equals(((Map<?, ?>) ns).get("type")));
        assertRefused(tree, "hostname",
                "setting a hostname needs a UTS namespace (add {\"type\": \"uts\"} to linux.namespaces)");

        Map<String, Object> domain = config();
        list(at(domain, "linux"), "namespaces").removeIf(ns -> "uts".equals(((Map<?, ?>) ns).get("type")));
        domain.remove("hostname");
        domain.put("domainname", "example.org");
        assertRefused(domain, "domainname",
                "setting a domainname needs a UTS namespace (add {\"type\": \"uts\"} to linux.namespaces)");
    }

    // ------------------------------------------------------------ ids and id mappings

    @Test
    void idsMustNotBeNegative() {
        Map<String, Object> tree = config();
        at(tree, "process", "user").put("uid", -1L);
        assertRefused(tree, "process.user.uid", "must not be negative, got -1");

        Map<String, Object> gids = config();
        at(gids, "process", "user").put("additionalGids", List.of(5L, -7L));
        assertRefused(gids, "process.user.additionalGids[1]", "must not be negative, got -7");
    }

    @Test
    void idsMustFitIn32Bits() {
        Map<String, Object> tree = config();
        at(tree, "process", "user").put("gid", 4294967296L);
        assertRefused(tree, "process.user.gid", "must be at most 4294967295, got 4294967296");

        Map<String, Object> highest = config();
        at(highest, "process", "user").put("gid", 4294967295L);
        assertEquals(4294967295L, read(highest).process().user().gid());

        Map<String, Object> huge = config();
        at(huge, "process", "user").put("uid", new java.math.BigDecimal("99999999999999999999"));
        assertRefused(huge, "process.user.uid", "must be at most 4294967295, got 99999999999999999999");
    }

    @Test
    void idsMustBeIntegers() {
        Map<String, Object> fraction = config();
        at(fraction, "process", "user").put("uid", new java.math.BigDecimal("1.5"));
        assertRefused(fraction, "process.user.uid", "expected an integer, got 1.5");

        Map<String, Object> text = config();
        at(text, "process", "user").put("uid", "1000");
        assertRefused(text, "process.user.uid", "expected an integer, got a string");
    }

    @Test
    void idMappingsAreChecked() {
        Map<String, Object> zero = withUserNamespace(config());
        element(at(zero, "linux"), "uidMappings", 0).put("size", 0L);
        assertRefused(zero, "linux.uidMappings[0].size", "must be at least 1");

        Map<String, Object> wraps = withUserNamespace(config());
        element(at(wraps, "linux"), "gidMappings", 0).put("hostID", 4294967000L);
        assertRefused(wraps, "linux.gidMappings[0]", "hostID 4294967000 + size 65536 runs past the last id, 4294967295");

        Map<String, Object> missing = withUserNamespace(config());
        element(at(missing, "linux"), "uidMappings", 0).remove("containerID");
        assertRefused(missing, "linux.uidMappings[0].containerID", "required");

        Map<String, Object> tooBig = withUserNamespace(config());
        element(at(tooBig, "linux"), "uidMappings", 0).put("hostID", 5000000000L);
        assertRefused(tooBig, "linux.uidMappings[0].hostID", "must be at most 4294967295, got 5000000000");
    }

    @Test
    void idMappingsNeedAUserNamespaceAndANewOneNeedsMappings() {
        Map<String, Object> noUserNamespace = withUserNamespace(config());
        list(at(noUserNamespace, "linux"), "namespaces").removeLast();
        assertRefused(noUserNamespace, "linux.uidMappings", "given, but linux.namespaces has no user namespace");

        Map<String, Object> noMappings = withUserNamespace(config());
        at(noMappings, "linux").remove("gidMappings");
        assertRefused(noMappings, "linux.gidMappings",
                "required when a new user namespace is created (linux.namespaces[6] has type \"user\" and no path)");
    }

    // ------------------------------------------------------------ the spec's newer fields

    @Test
    void schedulerIoPriorityAndAffinityAreReadAsTheKernelTakesThem() {
        Map<String, Object> tree = config();
        at(tree, "process").put("scheduler", object("policy", "SCHED_FIFO", "priority", 10L,
                "flags", List.of("SCHED_FLAG_RESET_ON_FORK")));
        at(tree, "process").put("ioPriority", object("class", "IOPRIO_CLASS_IDLE", "priority", 7L));
        at(tree, "process").put("execCPUAffinity", object("initial", "0", "final", "0-1"));
        Spec.Process process = SpecReader.fromTree(tree, "config.json").process();
        assertEquals(new Spec.Scheduler(1, 0, 10, 1, 0, 0, 0), process.scheduler());
        assertEquals(new Spec.IoPriority(3, 7), process.ioPriority());
        assertEquals(CpuList.parse("0-1"), process.execCpuAffinity().last());
    }

    @Test
    void schedulerIsCheckedAsRuncChecksIt() {
        Map<String, Object> nice = config();
        at(nice, "process").put("scheduler", object("policy", "SCHED_OTHER", "nice", 25L));
        assertRefused(nice, "process.scheduler.nice", "must be between -20 and 19, got 25");
        Map<String, Object> priority = config();
        at(priority, "process").put("scheduler", object("policy", "SCHED_BATCH", "priority", 3L));
        assertRefused(priority, "process.scheduler.priority", "can only be given for SCHED_FIFO or SCHED_RR");
        Map<String, Object> deadline = config();
        at(deadline, "process").put("scheduler", object("policy", "SCHED_RR", "priority", 1L, "runtime", 5L));
        assertRefused(deadline, "process.scheduler", "runtime, deadline and period can only be given for SCHED_DEADLINE");
        Map<String, Object> policy = config();
        at(policy, "process").put("scheduler", object("policy", "SCHED_FAST"));
        assertRefused(policy, "process.scheduler.policy", "unknown value \"SCHED_FAST\" (expected one of: SCHED_OTHER, "
                + "SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE)");
        Map<String, Object> io = config();
        at(io, "process").put("ioPriority", object("class", "IOPRIO_CLASS_BE", "priority", 8L));
        assertRefused(io, "process.ioPriority.priority", "must be between 0 (highest) and 7, got 8");
    }

    @Test
    void timeOffsetsNeedANewTimeNamespace() {
        Map<String, Object> none = config();
        at(none, "linux").put("timeOffsets", object("boottime", object("secs", 10L)));
        assertRefused(none, "linux.timeOffsets", "given, but linux.namespaces has no time namespace");
        Map<String, Object> clock = config();
        list(at(clock, "linux"), "namespaces").add(object("type", "time"));
        at(clock, "linux").put("timeOffsets", object("realtime", object("secs", 10L)));
        assertRefused(clock, "linux.timeOffsets.realtime", "a time namespace offsets only the monotonic and boottime clocks");
        Map<String, Object> good = config();
        list(at(good, "linux"), "namespaces").add(object("type", "time"));
        at(good, "linux").put("timeOffsets", object("boottime", object("secs", -10L, "nanosecs", 5L)));
        assertEquals(List.of(new Spec.TimeOffset("boottime", -10, 5)), SpecReader.fromTree(good, "config.json").linux().timeOffsets());
    }

    @Test
    void memoryPolicyPersonalityAndNetDevices() {
        Map<String, Object> tree = config();
        at(tree, "linux").put("memoryPolicy", object("mode", "MPOL_BIND", "nodes", "0", "flags", List.of("MPOL_F_STATIC_NODES")));
        at(tree, "linux").put("personality", object("domain", "LINUX32"));
        at(tree, "linux").put("netDevices", object("dummy0", object("name", "ctr0"), "dummy1", object()));
        Spec.Linux linux = SpecReader.fromTree(tree, "config.json").linux();
        assertEquals(new Spec.MemoryPolicy(2, CpuList.parse("0"), 1 << 15), linux.memoryPolicy());
        assertEquals(new Spec.Personality(8), linux.personality());
        assertEquals(Map.of("dummy0", "ctr0", "dummy1", "dummy1"), linux.netDevices());

        Map<String, Object> noNodes = config();
        at(noNodes, "linux").put("memoryPolicy", object("mode", "MPOL_INTERLEAVE"));
        assertRefused(noNodes, "linux.memoryPolicy.nodes", "MPOL_INTERLEAVE needs at least one node");
        Map<String, Object> badName = config();
        at(badName, "linux").put("netDevices", object("eth0", object("name", "a/b")));
        assertRefused(badName, "linux.netDevices.eth0.name", "invalid network device name \"a/b\"");
    }

    // ------------------------------------------------------------ capabilities and rlimits

    @Test
    void anUnknownCapabilityIsPassedOverWithAWarningAsRuncDoes() {
        Map<String, Object> tree = config();
        at(tree, "process", "capabilities").put("permitted", List.of("CAP_KILL", "CAP_FLY"));
        List<String> warnings = new ArrayList<>();
        Warnings.sendTo(warnings::add);
        try {
            assertEquals(List.of(Capability.CAP_KILL), SpecReader.fromTree(tree, "config.json").process().capabilities().permitted());
        } finally {
            Warnings.sendTo(System.err::println);
        }
        assertEquals(List.of("config.json: process.capabilities.permitted[1]: ignoring unknown capability \"CAP_FLY\""), warnings);
    }

    @Test
    void aCapabilityNameWithoutPrefixOrInLowerCaseGetsAHint() {
        List<String> warnings = new ArrayList<>();
        Warnings.sendTo(warnings::add);
        try {
            Map<String, Object> tree = config();
            at(tree, "process", "capabilities").put("ambient", List.of("NET_ADMIN"));
            SpecReader.fromTree(tree, "config.json");
            Map<String, Object> lower = config();
            at(lower, "process", "capabilities").put("bounding", List.of("cap_sys_admin"));
            SpecReader.fromTree(lower, "config.json");
        } finally {
            Warnings.sendTo(System.err::println);
        }
        assertEquals(List.of(
                "config.json: process.capabilities.ambient[0]: ignoring unknown capability \"NET_ADMIN\" (did you mean \"CAP_NET_ADMIN\"?)",
                "config.json: process.capabilities.bounding[0]: ignoring unknown capability \"cap_sys_admin\" (did you mean \"CAP_SYS_ADMIN\"?)"),
                warnings);
    }

    @Test
    void unknownRlimitTypeIsRefused() {
        Map<String, Object> tree = config();
        element(at(tree, "process"), "rlimits", 0).put("type", "RLIMIT_FOO");
        assertRefused(tree, "process.rlimits[0].type", "unknown rlimit type \"RLIMIT_FOO\"");

        Map<String, Object> hint = config();
        element(at(hint, "process"), "rlimits", 0).put("type", "nofile");
        assertRefused(hint, "process.rlimits[0].type", "unknown rlimit type \"nofile\" (did you mean \"RLIMIT_NOFILE\"?)");
    }

    @Test
    void duplicateRlimitTypeIsRefused() {
        Map<String, Object> tree = config();
        list(at(tree, "process"), "rlimits").add(object("type", "RLIMIT_CORE", "hard", 0L, "soft", 0L));
        list(at(tree, "process"), "rlimits").add(object("type", "RLIMIT_NOFILE", "hard", 10L, "soft", 10L));
        assertRefused(tree, "process.rlimits[2].type", "duplicate rlimit type \"RLIMIT_NOFILE\" (also process.rlimits[0])");
    }

    @Test
    void rlimitSoftAboveHardIsRefused() {
        Map<String, Object> tree = config();
        element(at(tree, "process"), "rlimits", 0).put("soft", 2048L);
        assertRefused(tree, "process.rlimits[0].soft", "the soft limit 2048 is above the hard limit 1024");

        Map<String, Object> infinity = config();
        element(at(infinity, "process"), "rlimits", 0).put("soft", new java.math.BigDecimal("18446744073709551615"));
        assertRefused(infinity, "process.rlimits[0].soft",
                "the soft limit 18446744073709551615 is above the hard limit 1024");
    }

    @Test
    void rlimitValuesAreUnsigned64Bit() {
        Map<String, Object> negative = config();
        element(at(negative, "process"), "rlimits", 0).put("hard", -1L);
        assertRefused(negative, "process.rlimits[0].hard", "must not be negative, got -1");

        Map<String, Object> beyond = config();
        element(at(beyond, "process"), "rlimits", 0).put("hard", new java.math.BigDecimal("18446744073709551616"));
        assertRefused(beyond, "process.rlimits[0].hard", "must be at most 18446744073709551615, got 18446744073709551616");

        Map<String, Object> missing = config();
        element(at(missing, "process"), "rlimits", 0).remove("soft");
        assertRefused(missing, "process.rlimits[0].soft", "required");
    }

    @Test
    void oomScoreAdjIsInTheKernelsRange() {
        Map<String, Object> tree = config();
        at(tree, "process").put("oomScoreAdj", 1001L);
        assertRefused(tree, "process.oomScoreAdj", "must be between -1000 and 1000, got 1001");
    }

    @Test
    void consoleSizeIsChecked() {
        Map<String, Object> tree = config();
        at(tree, "process").put("consoleSize", object("height", 24L));
        assertRefused(tree, "process.consoleSize.width", "required");

        Map<String, Object> wide = config();
        at(wide, "process").put("consoleSize", object("height", 24L, "width", 70000L));
        assertRefused(wide, "process.consoleSize.width", "must be at most 65535 (terminal sizes are 16-bit), got 70000");
    }

    // ------------------------------------------------------------ devices

    @Test
    void deviceTypeMustBeKnown() {
        Map<String, Object> tree = config();
        at(tree, "linux").put("devices", List.of(object("path", "/dev/x", "type", "x", "major", 1L, "minor", 1L)));
        assertRefused(tree, "linux.devices[0].type", "unknown device type \"x\" (expected one of: c, b, u, p)");
    }

    @Test
    void deviceNumbersAreRequiredExceptForFifos() {
        Map<String, Object> tree = config();
        at(tree, "linux").put("devices", List.of(object("path", "/dev/fuse", "type", "c", "major", 10L)));
        assertRefused(tree, "linux.devices[0].minor", "required for a device of type c");

        Map<String, Object> negative = config();
        at(negative, "linux").put("devices", List.of(object("path", "/dev/x", "type", "b", "major", -8L, "minor", 0L)));
        assertRefused(negative, "linux.devices[0].major", "must not be negative, got -8");
    }

    @Test
    void devicePathAndModeAreChecked() {
        Map<String, Object> tree = config();
        at(tree, "linux").put("devices", List.of(object("path", "dev/null", "type", "c", "major", 1L, "minor", 3L)));
        assertRefused(tree, "linux.devices[0].path", "must be an absolute path, got \"dev/null\"");

        Map<String, Object> mode = config();
        at(mode, "linux").put("devices", List.of(
                object("path", "/dev/null", "type", "c", "major", 1L, "minor", 3L, "fileMode", 70000L)));
        assertRefused(mode, "linux.devices[0].fileMode", "not a file mode: 70000 (expected permission bits such as 438, which is 0666)");

        Map<String, Object> owner = config();
        at(owner, "linux").put("devices", List.of(
                object("path", "/dev/null", "type", "u", "major", 1L, "minor", 3L, "uid", -2L)));
        assertRefused(owner, "linux.devices[0].uid", "must not be negative, got -2");
    }

    // ------------------------------------------------------------ the rest of linux and the maps

    @Test
    void annotationAndSysctlValuesMustBeStrings() {
        Map<String, Object> tree = config();
        tree.put("annotations", object("io.kubernetes.cri.container-type", 1L));
        assertRefused(tree, "annotations[\"io.kubernetes.cri.container-type\"]", "expected a string, got a number");

        Map<String, Object> sysctl = config();
        at(sysctl, "linux").put("sysctl", object("net.ipv4.ip_forward", true));
        assertRefused(sysctl, "linux.sysctl[\"net.ipv4.ip_forward\"]", "expected a string, got a boolean");
    }

    @Test
    void rootfsPropagationMustBeKnown() {
        Map<String, Object> tree = config();
        at(tree, "linux").put("rootfsPropagation", "rsharedd");
        assertRefused(tree, "linux.rootfsPropagation", "unknown propagation \"rsharedd\" "
                + "(expected one of: shared, slave, private, unbindable, rshared, rslave, rprivate, runbindable)");
    }

    @Test
    void maskedAndReadonlyPathsMustBeAbsolute() {
        Map<String, Object> tree = config();
        list(at(tree, "linux"), "maskedPaths").add("proc/kcore");
        assertRefused(tree, "linux.maskedPaths[11]", "must be an absolute path, got \"proc/kcore\"");

        Map<String, Object> readonly = config();
        list(at(readonly, "linux"), "readonlyPaths").set(0, 5L);
        assertRefused(readonly, "linux.readonlyPaths[0]", "expected a string, got a number");
    }

    @Test
    void rawObjectsMustAtLeastBeObjects() {
        Map<String, Object> tree = config();
        at(tree, "linux").put("resources", List.of());
        assertRefused(tree, "linux.resources", "expected an object, got an array");

        Map<String, Object> seccomp = config();
        at(seccomp, "linux").put("seccomp", "unconfined");
        assertRefused(seccomp, "linux.seccomp", "expected an object, got a string");

        Map<String, Object> hooks = config();
        hooks.put("hooks", List.of());
        assertRefused(hooks, "hooks", "expected an object, got an array");
    }

    // ------------------------------------------------------------ files

    @Test
    void readsABundlesConfig(@TempDir Path bundle) throws IOException {
        Files.writeString(bundle.resolve("config.json"), DefaultSpec.json());
        Spec spec = SpecReader.read(bundle);
        assertEquals("rootfs", spec.root().path());
        assertEquals(bundle.resolve("rootfs"), spec.root().resolve(bundle));
    }

    @Test
    void namesTheBundleWhenThereIsNoConfig(@TempDir Path dir) throws IOException {
        SpecException none = assertThrows(SpecException.class, () -> SpecReader.read(dir));
        assertEquals("no config.json in bundle " + dir, none.getMessage());

        Path missing = dir.resolve("missing");
        SpecException noBundle = assertThrows(SpecException.class, () -> SpecReader.read(missing));
        assertEquals("bundle " + missing + " does not exist", noBundle.getMessage());

        Path file = Files.writeString(dir.resolve("file"), "x");
        SpecException notDirectory = assertThrows(SpecException.class, () -> SpecReader.read(file));
        assertEquals("bundle " + file + " is not a directory", notDirectory.getMessage());
    }

    @Test
    void aConfigThatCannotBeReadSaysSo(@TempDir Path bundle) throws IOException {
        Files.createDirectory(bundle.resolve("config.json"));
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.read(bundle));
        assertTrue(e.getMessage().startsWith("cannot read " + bundle.resolve("config.json") + ": "), e.getMessage());
    }

    @Test
    void errorsInAFileNameTheFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("other.json"), "{\n  \"ociVersion\": 1\n}");
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.readFile(file));
        assertEquals("other.json: ociVersion: expected a string, got a number", e.getMessage());

        Path bundle = Files.createDirectory(dir.resolve("bundle"));
        Files.write(bundle.resolve("config.json"), new byte[] {'{', '"', (byte) 0xff, '"', '}'});
        SpecException utf8 = assertThrows(SpecException.class, () -> SpecReader.read(bundle));
        assertEquals("config.json: line 1, column 3: invalid UTF-8 (byte 0xff); JSON text must be UTF-8", utf8.getMessage());
    }

    // ------------------------------------------------------------ process.json for exec

    @Test
    void readsAProcessJsonForExec(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("process.json"), """
                {"args": ["ps", "-ef"], "cwd": "/", "env": ["A=1"], "user": {"uid": 5, "gid": 6},
                 "capabilities": {"bounding": ["CAP_KILL"]}, "terminal": false}
                """);
        Spec.Process process = SpecReader.readProcess(file);
        assertEquals(List.of("ps", "-ef"), process.args());
        assertEquals(new Spec.User(5, 6, null, List.of()), process.user());
        assertEquals(List.of(Capability.CAP_KILL), process.capabilities().bounding());
    }

    @Test
    void processJsonErrorsArePathsFromItsTop() {
        SpecException e = assertThrows(SpecException.class,
                () -> SpecReader.parseProcess("{\"cwd\": \"/\", \"args\": [\"ps\", null]}", "process.json"));
        assertEquals("process.json: args[1]: expected a string, got null", e.getMessage());
        assertEquals("args[1]", e.jsonPath());

        SpecException empty = assertThrows(SpecException.class,
                () -> SpecReader.parseProcess("{\"cwd\": \"/\"}", "process.json"));
        assertEquals("process.json: args: required, and must not be empty", empty.getMessage());
    }

    @Test
    void fromTreeValidatesAnAlreadyParsedDocument() {
        Map<String, Object> tree = config();
        assertEquals("hako", SpecReader.fromTree(tree, "config.json").hostname());
        tree.put("ociVersion", List.of());
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.fromTree(tree, "state.json"));
        assertEquals("state.json: ociVersion: expected a string, got an array", e.getMessage());
    }
}
