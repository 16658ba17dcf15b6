package hako.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * --systemd-cgroup on a machine without systemd as PID 1 (the development machines: no system
 * bus, no /run/systemd/private): create and run fail in one line that names the bus, and leave
 * nothing — no state, no cgroup, no process. The driver itself is proven in the VM with systemd
 * as PID 1 (tests/vm/systemd-run.sh). Also: features says the driver is there, and hako plan
 * shows the unit without asking systemd anything.
 */
class SystemdCgroupIT {
    static final String NO_BUS = "the systemd cgroup driver needs systemd's D-Bus: connecting to /run/dbus/system_bus_socket: "
            + "no such file or directory";
    static Path work, root, rootfs;

    @BeforeAll
    static void setUp() throws IOException {
        assertEquals("root", System.getProperty("user.name"), "integration tests create containers: run them as root");
        assumeTrue(System.getenv("DBUS_SYSTEM_BUS_ADDRESS") == null && !Files.exists(Path.of("/run/dbus/system_bus_socket"))
                && !Files.exists(Path.of("/run/systemd/private")), "this machine has a system bus or systemd: see tests/vm/systemd-run.sh");
        work = Files.createTempDirectory("hako-systemd-it");
        root = work.resolve("state");
        rootfs = work.resolve("rootfs");
        Busybox.rootfs(rootfs);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (work == null) return;
        Leaks.assertNone(work, root);
        Leaks.deleteTree(work);
    }

    static String bundle(String name, Map<String, Object> spec) throws IOException {
        return Busybox.bundle(work, spec).toString();
    }

    @Test
    void createWithoutSystemdIsOneLineNamingTheBusAndLeavesNothing() throws IOException {
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        Hako.Result result = Hako.run(root, "", "--systemd-cgroup", "create", "--bundle", bundle("create", spec), "sd1");
        assertEquals(1, result.code(), result.toString());
        assertEquals("hako: creating container \"sd1\": " + NO_BUS + "\n", result.stderr());
        assertEquals("", result.stdout());
        assertFalse(Files.exists(root.resolve("sd1")), "no state is left");
        assertEquals(List.of(), Hako.run(root, "", "list", "-q").stdout().lines().toList());
    }

    @Test
    void runWithLimitsWithoutSystemdIsTheSameLine() throws IOException {
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        Busybox.linux(spec).put("cgroupsPath", "machine.slice:test:sd2");
        Hako.Result result = Hako.run(root, "", "--systemd-cgroup", "run", "--bundle", bundle("run", spec), "sd2");
        assertEquals(1, result.code(), result.toString());
        assertEquals("hako: running container \"sd2\": " + NO_BUS + "\n", result.stderr());
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/unified/machine.slice/test-sd2.scope")));
    }

    @Test
    void aCgroupsPathThatIsNoUnitIsRefusedBeforeAnyBus() throws IOException {
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        Busybox.linux(spec).put("cgroupsPath", "/machines/sd3");
        Hako.Result result = Hako.run(root, "", "--systemd-cgroup", "create", "--bundle", bundle("path", spec), "sd3");
        assertEquals("hako: creating container \"sd3\": config.json: linux.cgroupsPath: \"/machines/sd3\" is not systemd's "
                + "slice:prefix:name form, which the systemd cgroup driver (--systemd-cgroup) needs (\"system.slice:hako:sd3\", or empty)\n",
                result.stderr());
    }

    @Test
    void planShowsTheUnitAndFeaturesSaysTheDriverIsThere() throws IOException {
        // (no limits: this hybrid host's v2 tree has no controllers, and refuses them with or without systemd)
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        Hako.Result plan = Hako.run(root, "", "--systemd-cgroup", "plan", "--bundle", bundle("plan", spec), "sd4");
        assertEquals(0, plan.code(), plan.toString());
        assertTrue(plan.stdout().contains("  systemd: StartTransientUnit hako-sd4.scope in system.slice (the stage as its first process"),
                plan.stdout());
        assertTrue(plan.stdout().contains("bpf(BPF_PROG_ATTACH, " + CgroupIT.v2Mount().resolve("system.slice/hako-sd4.scope") + ")"),
                plan.stdout());
        Hako.Result features = Hako.run(root, "", "features");
        assertTrue(features.stdout().replaceAll("\\s", "").contains("\"systemd\":true"), features.stdout());
        assertTrue(features.stdout().replaceAll("\\s", "").contains("\"potentiallyUnsafeConfigAnnotations\":[\"org.systemd.property.\",\"dev.hako.\"]"),
                features.stdout());
    }

    @Test
    void theAnnotationsPodmanWritesAreTheUnitsPropertiesAndABadOneIsOneLine() throws IOException {
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        spec.put("annotations", Map.of("org.systemd.property.KillSignal", "15", "org.systemd.property.TimeoutStopUSec", "uint64 10000000"));
        Hako.Result plan = Hako.run(root, "", "--systemd-cgroup", "plan", "--bundle", bundle("props", spec), "sd5");
        assertEquals(0, plan.code(), plan.toString());
        assertTrue(plan.stdout().contains("KillSignal=15  (annotation org.systemd.property.…)"), plan.stdout());
        assertTrue(plan.stdout().contains("TimeoutStopUSec=10000000  (annotation org.systemd.property.…)"), plan.stdout());

        spec.put("annotations", Map.of("org.systemd.property.Timeout-Stop", "1"));
        Hako.Result bad = Hako.run(root, "", "--systemd-cgroup", "create", "--bundle", bundle("badprops", spec), "sd6");
        assertEquals("hako: creating container \"sd6\": config.json: annotations: org.systemd.property.Timeout-Stop: "
                + "a systemd property's name is ASCII letters only, at least three\n", bad.stderr());
        assertFalse(Files.exists(root.resolve("sd6")), "no state is left");
        // without the systemd driver they are only annotations, as with runc
        Hako.Result cgroupfs = Hako.run(root, "", "plan", "--bundle", bundle("badprops", spec), "sd7");
        assertEquals(0, cgroupfs.code(), cgroupfs.toString());
    }
}
