package hako.it;

import hako.cgroup.Cgroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Containers and their cgroups on this machine, as root. The development machines are hybrid:
 * a cgroup v2 tree (/sys/fs/cgroup/unified) without controllers, the controllers in v1. There
 * hako still groups each container in the v2 tree, filters its devices with eBPF and can freeze
 * and kill it; a spec asking for a limit fails with one line. Limits themselves are proven in the
 * cgroup v2 VM (tests/vm).
 */
class CgroupIT {
    static Path work;
    static Path root;
    static Path rootfs;
    static Path tree;
    static String own;
    /** Every cgroup directory a test here made hako create: none may remain. */
    static final List<Path> made = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        assertEquals("root", System.getProperty("user.name"), "integration tests create containers: run them as root");
        tree = v2Mount();
        assumeTrue(tree != null, "this machine mounts no cgroup v2 tree");
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            if (line.startsWith("0::")) own = line.substring(3);
        }
        work = Files.createTempDirectory("hako-cgroup-it");
        root = work.resolve("state");
        rootfs = work.resolve("rootfs");
        Busybox.rootfs(rootfs);
    }

    static Path v2Mount() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ");
            if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) return Path.of(halves[0].split(" ")[4]);
        }
        return null;
    }

    /** Where hako puts a container with no linux.cgroupsPath: hako/ID below the cgroup it runs in. */
    static Path defaultCgroup(String id) {
        Path dir = tree.resolve((own.equals("/") ? "" : own.substring(1) + "/") + "hako/" + id);
        made.add(dir);
        return dir;
    }

    static Map<String, Object> spec(String script) {
        Map<String, Object> spec = Busybox.spec(rootfs, "sh", "-c", script);
        // Without a cgroup namespace the container sees where it is in the host's tree.
        List<Object> namespaces = new ArrayList<>();
        for (Object namespace : (List<?>) Busybox.linux(spec).get("namespaces")) {
            if (!"cgroup".equals(((Map<?, ?>) namespace).get("type"))) namespaces.add(namespace);
        }
        Busybox.linux(spec).put("namespaces", namespaces);
        return spec;
    }

    static Hako.Result run(String id, Map<String, Object> spec) {
        return Hako.run(root, "", "run", "--bundle", Busybox.bundle(work, spec).toString(), id);
    }

    static boolean treeHas(String controller) throws IOException {
        return List.of(Files.readString(tree.resolve("cgroup.controllers")).strip().split(" ")).contains(controller);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> resources(Map<String, Object> spec) {
        return (Map<String, Object>) Busybox.linux(spec).get("resources");
    }

    @Test
    void aDefaultContainerIsBornInItsOwnV2CgroupWhichGoesWithIt() {
        Path cgroup = defaultCgroup("grouped");
        Hako.Result result = run("grouped", spec("grep '^0::' /proc/1/cgroup /proc/self/cgroup"));
        assertEquals(0, result.code(), result::toString);
        // Init was born there (CLONE_INTO_CGROUP), and what it starts stays there.
        String expected = "0::/" + tree.relativize(cgroup);
        assertEquals("/proc/1/cgroup:" + expected + "\n/proc/self/cgroup:" + expected + "\n", result.stdout());
        assertFalse(Files.exists(cgroup), cgroup + " is left behind");
    }

    @Test
    void aMemoryLimitFailsWithOneLineNamingTheControllerAndMakesNothing() throws IOException {
        assumeFalse(treeHas("memory"), "this machine's v2 tree has the memory controller: the VM tests cover it");
        Map<String, Object> spec = spec("true");
        resources(spec).put("memory", Map.of("limit", 67108864L));
        Path cgroup = defaultCgroup("limited");
        Hako.Result result = run("limited", spec);
        assertEquals(1, result.code(), result::toString);
        assertEquals(1, result.stderr().lines().count(), result::toString);
        assertTrue(result.stderr().startsWith("hako: running container \"limited\": config.json: linux.resources.memory.limit: "
                + "needs the cgroup v2 memory controller, which this host cannot give: "), result::toString);
        assertFalse(Files.exists(cgroup));
        assertFalse(Files.exists(root.resolve("limited")), "no state is left");
    }

    /**
     * containerd's pause container asks for cpu.shares = 2, which a hybrid host's v2 tree cannot
     * enforce: refused, unless the host's policy (hako.toml) says such limits are warnings; then
     * the container runs, in its v2 cgroup, without them.
     */
    @Test
    void aHostPolicyTurnsAnUnenforceableLimitIntoAWarning() throws IOException {
        assumeFalse(treeHas("cpu"), "this machine's v2 tree has the cpu controller: nothing to warn about");
        Map<String, Object> spec = spec("grep -c '^0::/.' /proc/self/cgroup");
        resources(spec).put("cpu", Map.of("shares", 2L));
        List<String> command = List.of(Hako.LAUNCHER.toString(), "--root", root.toString(), "run", "--bundle",
                Busybox.bundle(work, spec).toString(), "pause");
        Hako.Result refused = Hako.exec(command, "");
        assertTrue(refused.stderr().startsWith("hako: running container \"pause\": config.json: linux.resources.cpu.shares: "
                + "needs the cgroup v2 cpu controller, which this host cannot give: "), refused::toString);
        assertEquals(1, refused.code());
        Path policy = Files.writeString(work.resolve("hako.toml"), "[cgroup]\nunenforceable-limits = \"warn\"\n");
        Hako.Result warned = Hako.exec(command, "", Map.of("HAKO_CONFIG", policy.toString()));
        assertEquals(0, warned.code(), warned::toString);
        assertEquals("1", warned.stdout().strip(), "it runs in a v2 cgroup of its own");
        assertTrue(warned.stderr().startsWith("hako: warning: config.json: linux.resources.cpu.shares: needs the cgroup v2 cpu controller")
                && warned.stderr().strip().endsWith("; not enforced, as " + policy + " says (unenforceable-limits = \"warn\")"), warned::toString);
        Path broken = Files.writeString(work.resolve("broken.toml"), "[cgroup]\nunenforceable-limits = \"maybe\"\n");
        Hako.Result bad = Hako.exec(command, "", Map.of("HAKO_CONFIG", broken.toString()));
        assertEquals("hako: running container \"pause\": " + broken + ":2: cgroup.unenforceable-limits: \"error\" or \"warn\", not \"maybe\"",
                bad.stderr().strip());
    }

    @Test
    void theDeviceFilterDeniesOpeningANodeTheSpecDoesNotAllow() {
        Map<String, Object> spec = spec("mknod /dev/sdz b 8 0 && echo made; head -c 1 /dev/sdz; head -c 1 /dev/zero | wc -c");
        Map<String, Object> capabilities = Busybox.process(spec).get("capabilities") instanceof Map<?, ?> c
                ? castMap(c) : Map.of();
        for (String set : List.of("bounding", "effective", "permitted")) {
            List<Object> list = new ArrayList<>((List<?>) capabilities.get(set));
            list.add("CAP_MKNOD");
            capabilities.put(set, list);
        }
        defaultCgroup("devices");
        Hako.Result result = run("devices", spec);
        // mknod is allowed for any node, as runc allows it; using a disk is not.
        assertEquals("made\n1\n", result.stdout(), result::toString);
        assertEquals("head: /dev/sdz: Operation not permitted\n", result.stderr(), result::toString);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    @Test
    void aRunningContainerIsFrozenThawedAndKilledThroughItsCgroup() throws Exception {
        Map<String, Object> spec = spec("echo ready; while :; do sleep 0.1; done");
        Busybox.linux(spec).put("cgroupsPath", "/hako-it/control");
        Path dir = tree.resolve("hako-it/control");
        made.add(dir);
        made.add(dir.getParent());
        Path bundle = Busybox.bundle(work, spec);
        Process hako = Hako.start(root, "run", "--bundle", bundle.toString(), "control");
        assertEquals("ready", new String(hako.getInputStream().readNBytes(6)).strip());
        Cgroup cgroup = Cgroup.open(dir);
        assertFalse(cgroup.pids().isEmpty());
        cgroup.freeze();
        assertTrue(cgroup.frozen());
        assertTrue(Files.readString(dir.resolve("cgroup.events")).contains("frozen 1"));
        cgroup.thaw();
        assertFalse(cgroup.frozen());
        assertEquals(1, cgroup.deviceFilters(), "one device filter, hako's");
        cgroup.killAll();
        assertTrue(hako.waitFor(20, TimeUnit.SECONDS), "hako run did not end after cgroup.kill");
        assertEquals(137, hako.exitValue(), "killed by SIGKILL");
        assertFalse(Files.exists(dir));
        assertFalse(Files.exists(dir.getParent()), "the parent hako made goes too");
    }

    @Test
    void containersStartedTogetherShareTheHakoParentAndLeaveNothing() throws Exception {
        // Each removes hako/ when it finds it empty, while others are making cgroups in it.
        Path bundle = Busybox.bundle(work, spec("true"));
        Hako.Result[] results = new Hako.Result[8];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            int n = i;
            defaultCgroup("together-" + n);
            threads.add(Thread.ofPlatform().start(() ->
                    results[n] = Hako.run(root, "", "run", "--bundle", bundle.toString(), "together-" + n)));
        }
        for (Thread thread : threads) thread.join();
        for (Hako.Result result : results) assertEquals(0, result.code(), result::toString);
        assertFalse(Files.exists(defaultCgroup("together-0").getParent().resolve("together-7")));
    }

    @Test
    void anAbsurdValueIsRefusedWithItsJsonPath() {
        Map<String, Object> spec = spec("true");
        resources(spec).put("pids", Map.of("limit", -7L));
        Hako.Result result = run("absurd", spec);
        assertEquals(1, result.code(), result::toString);
        assertEquals("hako: running container \"absurd\": config.json: linux.resources.pids.limit: "
                + "must be -1 (no limit) or a number of processes, got -7\n", result.stderr());
    }

    @AfterAll
    static void nothingLeaks() throws IOException {
        if (work == null) return;
        for (Path dir : made) assertFalse(Files.exists(dir), "cgroup left behind: " + dir);
        Leaks.assertNone(work, root);
        Leaks.deleteTree(work);
    }
}
