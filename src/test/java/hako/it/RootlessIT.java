package hako.it;

import hako.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * hako run by a user who is not root, with the bundle {@code hako spec --rootless} writes: a user
 * made for the test (and removed after it, with its /etc/subuid and /etc/subgid lines), its state
 * under $XDG_RUNTIME_DIR/hako, no cgroup (it has none of its own on this host), setgroups denied,
 * its one uid mapped to root; its subordinate ids mapped through newuidmap/newgidmap; and hako run
 * by that user's root in a user namespace of its own, as rootless podman runs its runtime.
 */
class RootlessIT extends ContainerTest {
    static String user;
    static long uid;
    static Path runtimeDir;
    /** The subordinate ids granted to the test's user (usermod -v/-w): uids and gids alike. */
    static final long SUBORDINATE = 1_100_000_000L, SUBORDINATES = 65536;

    @BeforeAll
    static void aUserOfItsOwn() throws IOException {
        user = "hakort" + (System.nanoTime() % 100000);
        Hako.Result add = Hako.exec(List.of("useradd", "-M", "-d", "/nonexistent", "-s", "/bin/sh", user), "");
        assertEquals(0, add.code(), add::toString);
        uid = Long.parseLong(Hako.exec(List.of("id", "-u", user), "").stdout().strip());
        String range = SUBORDINATE + "-" + (SUBORDINATE + SUBORDINATES - 1);
        Hako.Result grant = Hako.exec(List.of("usermod", "-v", range, "-w", range, user), "");
        assertEquals(0, grant.code(), grant::toString);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        runtimeDir = Files.createDirectories(work.resolve("xdg-run"));
        chown(runtimeDir);
    }

    @AfterAll
    static void removeTheUser() throws IOException, InterruptedException {
        // The user's warm runtime (docs/warm.md) ends by itself when idle; userdel refuses a user with processes.
        WarmRuntimes.awaitEnded(WarmRuntimes.ownedBy(uid));
        Hako.Result del = Hako.exec(List.of("userdel", user), "");
        assertEquals(0, del.code(), del::toString);
        // userdel takes its subordinate ids with it.
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            assertFalse(Files.readAllLines(Path.of(file)).stream().anyMatch(l -> l.startsWith(user + ":")), file);
        }
    }

    static void chown(Path path) {
        Hako.Result chown = Hako.exec(List.of("chown", "-R", user + ":", path.toString()), "");
        assertEquals(0, chown.code(), chown::toString);
    }

    /** hako ARGS… as the test's user, in its own runtime directory. */
    static Hako.Result asUser(String... args) {
        return asUser(List.of(), args);
    }

    /** The same, hako started by {@code wrapper} (unshare …), run as the user. */
    static Hako.Result asUser(List<String> wrapper, String... args) {
        List<String> command = new ArrayList<>(List.of("runuser", "-u", user, "--", "env", "XDG_RUNTIME_DIR=" + runtimeDir,
                "HAKO_WARM_IDLE=2"));
        command.addAll(wrapper);
        command.add(Hako.LAUNCHER.toAbsolutePath().toString());
        command.addAll(List.of(args));
        return Hako.exec(command, "");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRootlessSpecRunsAsTheUserMappedToRoot() throws IOException {
        Path bundle = Files.createDirectories(work.resolve("rootless-bundle"));
        Busybox.rootfs(bundle.resolve("rootfs"));
        chown(bundle);
        Hako.Result spec = asUser("spec", "--rootless", "--bundle", bundle.toString());
        assertEquals(0, spec.code(), spec::toString);
        Map<String, Object> config = (Map<String, Object>) Json.parse(Files.readString(bundle.resolve("config.json")));
        Map<String, Object> linux = Busybox.linux(config);
        assertEquals(List.of(Map.of("containerID", 0L, "hostID", uid, "size", 1L)), linux.get("uidMappings"));
        Busybox.process(config).put("terminal", false);
        ((Map<String, Object>) config.get("root")).put("readonly", false);
        Busybox.process(config).put("args", List.of("sh", "-c",
                "id -u; cat /proc/self/uid_map /proc/self/setgroups; touch /tmp/mine; ip link show lo"));
        Files.writeString(bundle.resolve("config.json"), Json.writePretty(config));

        Hako.Result run = asUser("run", "--network", "none", "--bundle", bundle.toString(), "rootless");
        assertEquals(0, run.code(), run::toString);
        List<String> lines = run.stdout().lines().map(l -> l.strip().replaceAll("\\s+", " ")).toList();
        assertEquals("0", lines.get(0), run::toString);
        assertEquals("0 " + uid + " 1", lines.get(1));
        assertEquals("deny", lines.get(2), "a rootless map of one gid needs setgroups denied");
        assertTrue(lines.get(3).contains("<LOOPBACK,UP"), "its own loopback, up: " + run);
        assertEquals((int) uid, Files.getAttribute(bundle.resolve("rootfs/tmp/mine"), "unix:uid"));
        // Its state was in its runtime directory, and is gone with the container.
        assertTrue(Files.isDirectory(runtimeDir.resolve("hako")));
        assertEquals("", asUser("list", "-q").stdout());
        try (var left = Files.list(runtimeDir.resolve("hako"))) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().equals("rootless")));
        }
    }

    @Test
    void withoutAUserNamespaceTheErrorSaysWhatIsMissing() throws IOException {
        Path bundle = Files.createDirectories(work.resolve("rootful-bundle"));
        Map<String, Object> config = Busybox.spec(rootfs, "true");
        Busybox.process(config).put("terminal", false);
        Busybox.linux(config).remove("resources"); // else the limits are refused first, for want of a cgroup
        Files.writeString(bundle.resolve("config.json"), Json.writePretty(config));
        chown(bundle);
        Hako.Result run = asUser("run", "--bundle", bundle.toString(), "no-userns");
        assertEquals(1, run.code(), run::toString);
        assertTrue(run.stderr().contains("operation not permitted (a rootless container needs a user namespace of its own: see hako spec --rootless)"),
                run::toString);
        assertFalse(run.stderr().contains("Exception"), run::toString);
    }

    /** A rootless bundle whose process runs ARGS, owned by the test's user. */
    @SuppressWarnings("unchecked")
    static Path rootlessBundle(String name, String... args) throws IOException {
        Path bundle = Files.createDirectories(work.resolve(name));
        Busybox.rootfs(bundle.resolve("rootfs"));
        chown(bundle);
        Hako.Result spec = asUser("spec", "--rootless", "--bundle", bundle.toString());
        assertEquals(0, spec.code(), spec::toString);
        Map<String, Object> config = (Map<String, Object>) Json.parse(Files.readString(bundle.resolve("config.json")));
        Busybox.process(config).put("terminal", false);
        Busybox.process(config).put("args", List.of(args));
        ((Map<String, Object>) config.get("root")).put("readonly", false);
        Files.writeString(bundle.resolve("config.json"), Json.writePretty(config));
        return bundle;
    }

    /** The bundle's config.json with its uid and gid maps replaced by {@code maps} (both alike). */
    @SuppressWarnings("unchecked")
    static void mapIds(Path bundle, List<Map<String, Object>> maps) throws IOException {
        Map<String, Object> config = (Map<String, Object>) Json.parse(Files.readString(bundle.resolve("config.json")));
        List<Map<String, Object>> gids = new ArrayList<>();
        for (Map<String, Object> map : maps) {
            Map<String, Object> gid = new java.util.LinkedHashMap<>(map);
            if (((Number) map.get("hostID")).longValue() == uid) gid.put("hostID", gidOfUser());
            gids.add(gid);
        }
        Busybox.linux(config).put("uidMappings", maps);
        Busybox.linux(config).put("gidMappings", gids);
        Files.writeString(bundle.resolve("config.json"), Json.writePretty(config));
    }

    static long gidOfUser() {
        return Long.parseLong(Hako.exec(List.of("id", "-g", user), "").stdout().strip());
    }

    static Map<String, Object> mapping(long container, long host, long size) {
        return Map.of("containerID", container, "hostID", host, "size", size);
    }

    @Test
    void subordinateIdsAreMappedThroughNewuidmapAndNewgidmap() throws IOException {
        Path bundle = rootlessBundle("subids-bundle", "sh", "-c",
                "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u; touch /tmp/theirs");
        mapIds(bundle, List.of(mapping(0, uid, 1), mapping(1, SUBORDINATE, SUBORDINATES)));
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) Json.parse(Files.readString(bundle.resolve("config.json")));
        ((Map<String, Object>) Busybox.process(config).get("user")).putAll(Map.of("uid", 1000L, "gid", 1000L));
        Files.writeString(bundle.resolve("config.json"), Json.writePretty(config));
        Files.setPosixFilePermissions(bundle.resolve("rootfs/tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));

        Hako.Result plan = asUser("plan", "--bundle", bundle.toString(), "subids");
        assertTrue(plan.stdout().contains("/newuidmap INIT 0 " + uid + " 1 1 " + SUBORDINATE + " " + SUBORDINATES), plan::toString);
        Hako.Result run = asUser("run", "--network", "none", "--bundle", bundle.toString(), "subids");
        assertEquals(0, run.code(), run::toString);
        List<String> lines = run.stdout().lines().map(l -> l.strip().replaceAll("\\s+", " ")).toList();
        assertEquals(List.of("0 " + uid + " 1", "1 " + SUBORDINATE + " " + SUBORDINATES,
                "0 " + gidOfUser() + " 1", "1 " + SUBORDINATE + " " + SUBORDINATES,
                "allow", "1000"), lines, run::toString);
        // Container uid 1000 is the 1000th subordinate uid on the host.
        assertEquals((int) (SUBORDINATE + 999), Files.getAttribute(bundle.resolve("rootfs/tmp/theirs"), "unix:uid"));
    }

    @Test
    void idsThatAreNotTheUsersAreRefusedByNewuidmapInOneLine() throws IOException {
        Path bundle = rootlessBundle("not-granted-bundle", "true");
        mapIds(bundle, List.of(mapping(0, uid, 1), mapping(1, SUBORDINATE + SUBORDINATES, 1000)));
        Hako.Result run = asUser("run", "--network", "none", "--bundle", bundle.toString(), "not-granted");
        assertEquals(1, run.code(), run::toString);
        assertTrue(run.stderr().contains("writing uid_map with /usr/bin/newuidmap: newuidmap:"), run::toString);
        assertTrue(run.stderr().contains("not allowed"), run::toString);
        assertEquals(1, run.stderr().strip().lines().count(), run::toString);
        assertFalse(run.stderr().contains("Exception"), run::toString);
        assertEquals("", asUser("list", "-q").stdout(), "nothing is left of the container");
    }

    /**
     * As rootless podman runs its runtime: root in a user namespace of the user's (its uid and
     * subordinate ids mapped by unshare --map-auto through newuidmap), a config without a user
     * namespace (the default, as root would write it). hako keeps its state in $XDG_RUNTIME_DIR,
     * makes no cgroup (the host's tree is not this root's), binds the devices, mounts sysfs for
     * the network namespace it made, and the container is that namespace's root.
     */
    @Test
    @SuppressWarnings("unchecked")
    void rootInAUserNamespaceRunsWithoutCgroupBindingDevices() throws IOException {
        Path bundle = Files.createDirectories(work.resolve("in-userns-bundle"));
        Busybox.rootfs(bundle.resolve("rootfs"));
        Map<String, Object> config = Busybox.spec(bundle.resolve("rootfs"), "sh", "-c",
                "id -u; head -n 1 /proc/self/uid_map; stat -c %t:%T /dev/null; grep -c ' / /sys .* - sysfs ' /proc/self/mountinfo; touch /tmp/made");
        Busybox.process(config).put("terminal", false);
        ((Map<String, Object>) config.get("root")).put("readonly", false);
        Busybox.linux(config).put("resources", Map.of("devices", List.of(Map.of("allow", false, "access", "rwm"))));
        Files.writeString(bundle.resolve("config.json"), Json.writePretty(config));
        chown(bundle);
        List<String> unshare = List.of("unshare", "--user", "--map-root-user", "--map-auto");
        Hako.Result run = asUser(unshare, "run", "--bundle", bundle.toString(), "in-userns");
        assertEquals(0, run.code(), run::toString);
        List<String> lines = run.stdout().lines().map(l -> l.strip().replaceAll("\\s+", " ")).toList();
        assertEquals("0", lines.get(0), run::toString);
        assertEquals("0 " + uid + " 1", lines.get(1), "the container is in the runtime's user namespace: " + run);
        assertEquals("1:3", lines.get(2), "the host's /dev/null, bound: " + run);
        assertEquals("1", lines.get(3), "a sysfs of its own network namespace: " + run);
        assertEquals((int) uid, Files.getAttribute(bundle.resolve("rootfs/tmp/made"), "unix:uid"));
        assertTrue(Files.isDirectory(runtimeDir.resolve("hako")), "its state in $XDG_RUNTIME_DIR");
        assertEquals("", asUser(unshare, "list", "-q").stdout());
    }

    @Test
    void rootInAUserNamespaceIsRefusedLimitsItCannotSetInOneLine() throws IOException {
        Path bundle = Files.createDirectories(work.resolve("in-userns-limits"));
        Map<String, Object> config = Busybox.spec(rootfs, "true");
        Busybox.process(config).put("terminal", false);
        Busybox.linux(config).put("resources", Map.of("pids", Map.of("limit", 10L)));
        Files.writeString(bundle.resolve("config.json"), Json.writePretty(config));
        chown(bundle);
        Hako.Result run = asUser(List.of("unshare", "--user", "--map-root-user", "--map-auto"), "run", "--bundle",
                bundle.toString(), "in-userns-limits");
        assertEquals(1, run.code(), run::toString);
        // Why depends on the host (no controller in its cgroup v2 tree, or no tree this root may write).
        assertTrue(run.stderr().contains("config.json: linux.resources") || run.stderr().contains("linux.resources: a rootless"), run::toString);
        assertEquals(1, run.stderr().strip().lines().count(), run::toString);
        assertFalse(run.stderr().contains("Exception"), run::toString);
    }

    // ---- hako launch, by the user: its own image store, the layers mounted in its namespace

    /** The user's image store, beside its containers': an image of three layers (a whiteout, an opaque directory) that runs as nobody. */
    private static Path userImages() throws IOException {
        Path store = work.resolve("user-store");
        if (Files.isDirectory(store)) return store.resolve("images");
        Files.createDirectories(store);
        chown(store);
        Path base = work.resolve("user-base.tar");
        tar(rootfs, base);
        Path middle = Files.createDirectories(work.resolve("user-middle/srv"));
        Files.writeString(middle.resolve("old"), "from below\n");
        Path upper = Files.createDirectories(work.resolve("user-upper/etc"));
        Files.writeString(upper.resolve("greeting"), "from the upper layer\n");
        Files.createDirectories(work.resolve("user-upper/srv"));
        Files.writeString(work.resolve("user-upper/srv/new"), "from above\n");
        Files.createFile(work.resolve("user-upper/srv/.wh..wh..opq"));
        Files.createFile(Files.createDirectories(work.resolve("user-upper/bin")).resolve(".wh.vi"));
        tar(work.resolve("user-middle"), work.resolve("user-middle.tar"));
        tar(work.resolve("user-upper"), work.resolve("user-upper.tar"));
        Map<String, Object> config = new java.util.LinkedHashMap<>();
        config.put("Entrypoint", List.of("/bin/sh", "-c"));
        config.put("Cmd", List.of("id -u"));
        config.put("User", "nobody");
        Path layout = LaunchIT.layout(work.resolve("user-layout"),
                List.of(base, work.resolve("user-middle.tar"), work.resolve("user-upper.tar")), config);
        Hako.Result load = asUser("--image-root", store.resolve("images").toString(), "image", "load", "--name", "mine:1", layout.toString());
        assertEquals(0, load.code(), load::toString);
        return store.resolve("images");
    }

    private static void tar(Path directory, Path tarball) {
        Hako.Result tar = Hako.exec(List.of("tar", "-C", directory.toString(), "-cf", tarball.toString(), "."), "");
        assertEquals(0, tar.code(), tar::toString);
    }

    private static Hako.Result launchAsUser(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--image-root", userImages().toString(), "launch"));
        all.addAll(List.of(args));
        return asUser(all.toArray(String[]::new));
    }

    @Test
    void launchByTheUserMountsTheLayersInItsNamespaceAndRunsAsNobodyThroughItsSubordinateIds() throws IOException {
        Hako.Result run = launchAsUser("--rm", "--network", "none", "mine:1",
                "id -u; cat /etc/greeting; ls /srv; ls /bin/vi 2>/dev/null || echo no vi; cat /proc/self/uid_map");
        assertEquals(0, run.code(), run::toString);
        List<String> lines = run.stdout().lines().map(l -> l.strip().replaceAll("\\s+", " ")).toList();
        assertEquals(List.of("65534", "from the upper layer", "new", "no vi", "0 " + uid + " 1", "1 " + String.join(" ", firstSubordinates())),
                lines, run::toString);
        try (var left = Files.list(work.resolve("user-store/containers"))) {
            assertFalse(left.anyMatch(p -> !p.getFileName().toString().startsWith(".")), "--rm left nothing");
        }
    }

    @Test
    void aUsersContainerKeepsItsChangesInItsUpperDirectoryAndRmRemovesIt() throws IOException {
        Hako.Result run = launchAsUser("--name", "changed", "-u", "0", "--network", "none", "mine:1",
                "echo changed > /etc/greeting; rm /srv/new; touch /made");
        assertEquals(0, run.code(), run::toString);
        Path upper = work.resolve("user-store/containers/changed/upper");
        assertEquals("changed\n", Files.readString(upper.resolve("etc/greeting")));
        assertEquals((int) uid, Files.getAttribute(upper.resolve("made"), "unix:uid"), "the container's root is the user");
        Hako.Result again = launchAsUser("--rm", "--network", "none", "mine:1", "cat /etc/greeting");
        assertEquals("from the upper layer", again.stdout().strip(), "the image is unchanged: " + again);
        Hako.Result rm = asUser("--image-root", userImages().toString(), "rm", "changed");
        assertEquals(0, rm.code(), rm::toString);
        assertFalse(Files.exists(upper.getParent()), "rm removed its directory, overlayfs's work directory with it");
    }

    @Test
    void aUsersContainerDetachedUnderConmonLogsAndIsRemoved() throws IOException, InterruptedException {
        Hako.Result started = launchAsUser("-d", "--name", "served", "--network", "none", "mine:1", "echo up; sleep 100");
        assertEquals(0, started.code(), started::toString);
        String images = userImages().toString();
        Hako.Result logs = null;
        for (int i = 0; i < 100; i++) {
            logs = asUser("--image-root", images, "logs", "served");
            if (logs.stdout().strip().equals("up")) break;
            Thread.sleep(50);
        }
        assertEquals("up", logs.stdout().strip(), logs::toString);
        Hako.Result rm = asUser("--image-root", images, "rm", "-f", "served");
        assertEquals(0, rm.code(), rm::toString);
        assertEquals("", asUser("list", "-q").stdout(), "no runtime state is left");
        assertFalse(Files.exists(work.resolve("user-store/containers/served")));
    }

    @Test
    void aUsersLaunchWithoutNetworkNoneOrWithAnIdItHasNotIsOneLine() throws IOException {
        Hako.Result bridge = launchAsUser("--rm", "mine:1");
        assertEquals(1, bridge.code(), bridge::toString);
        assertEquals("hako: launching mine:1: run by a user, hako launch has no network but its own loopback yet: give --network none "
                + "(-p, --allow-from and --egress need a network)", bridge.stderr().strip());
        Hako.Result stranger = launchAsUser("--rm", "--network", "none", "-u", "70000", "mine:1");
        assertEquals(1, stranger.code(), stranger::toString);
        assertEquals("hako: launching mine:1: the container would run as id 70000, and the ids of your container are 0 (you) to "
                + firstSubordinates().get(1) + " (/etc/subuid, /etc/subgid); -u 0 runs it as its root", stranger.stderr().strip());
    }

    /** The user's first range in /etc/subuid (useradd may have granted one before the test's): start and count. */
    private static List<String> firstSubordinates() throws IOException {
        String line = Files.readAllLines(Path.of("/etc/subuid")).stream().filter(l -> l.startsWith(user + ":")).findFirst().orElseThrow();
        return List.of(line.split(":")[1], line.split(":")[2]);
    }
}
