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
 * made for the test (and removed after it), its state under $XDG_RUNTIME_DIR/hako, no cgroup
 * (it has none of its own on this host), setgroups denied, its one uid mapped to root.
 */
class RootlessIT extends ContainerTest {
    static String user;
    static long uid;
    static Path runtimeDir;

    @BeforeAll
    static void aUserOfItsOwn() throws IOException {
        user = "hakort" + (System.nanoTime() % 100000);
        Hako.Result add = Hako.exec(List.of("useradd", "-M", "-d", "/nonexistent", "-s", "/bin/sh", user), "");
        assertEquals(0, add.code(), add::toString);
        uid = Long.parseLong(Hako.exec(List.of("id", "-u", user), "").stdout().strip());
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        runtimeDir = Files.createDirectories(work.resolve("xdg-run"));
        chown(runtimeDir);
    }

    @AfterAll
    static void removeTheUser() {
        Hako.Result del = Hako.exec(List.of("userdel", user), "");
        assertEquals(0, del.code(), del::toString);
    }

    static void chown(Path path) {
        Hako.Result chown = Hako.exec(List.of("chown", "-R", user + ":", path.toString()), "");
        assertEquals(0, chown.code(), chown::toString);
    }

    /** hako ARGS… as the test's user, in its own runtime directory. */
    static Hako.Result asUser(String... args) {
        List<String> command = new ArrayList<>(List.of("runuser", "-u", user, "--", "env", "XDG_RUNTIME_DIR=" + runtimeDir,
                Hako.LAUNCHER.toAbsolutePath().toString()));
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
}
