package hako.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OCI hooks: each at its point of the lifecycle, in its namespace, with the state on stdin. */
class HooksIT extends ContainerTest {
    static Path out;

    @BeforeAll
    static void makeOutputDirectory() throws IOException {
        out = Files.createDirectory(work.resolve("out"));
    }

    /** A hook that saves its stdin and the mount namespace it ran in, as NAME.json and NAME.ns under dir. */
    static Map<String, Object> recorder(String name, String dir) {
        return Map.of("path", "/bin/sh", "args", List.of("sh", "-c",
                "cat > " + dir + "/" + name + ".json; readlink /proc/self/ns/mnt > " + dir + "/" + name + ".ns"));
    }

    static Hako.Result hako(String... args) {
        return Hako.run(root, "", args);
    }

    @Test
    void everyHookRunsAtItsPointInItsNamespace() throws Exception {
        Map<String, Object> spec = Busybox.spec(rootfs, "sleep", "100");
        ((Map<String, Object>) spec.get("root")).put("readonly", false);
        Busybox.linux(spec).remove("readonlyPaths");
        spec.put("hooks", Map.of(
                "createRuntime", List.of(recorder("createRuntime", out.toString())),
                "createContainer", List.of(recorder("createContainer", out.toString())),
                // after pivot_root: this path is the container's own /tmp
                "startContainer", List.of(recorder("startContainer", "/tmp")),
                "poststart", List.of(recorder("poststart", out.toString())),
                "poststop", List.of(recorder("poststop", out.toString()))));
        Path bundle = Busybox.bundle(work, spec);
        String hostMountNs = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();

        assertEquals(0, hako("create", "--bundle", bundle.toString(), "hooked").code());
        assertTrue(Files.readString(out.resolve("createRuntime.json")).contains("\"status\":\"created\""));
        assertEquals(hostMountNs, Files.readString(out.resolve("createRuntime.ns")).strip());
        String containerMountNs = Files.readString(out.resolve("createContainer.ns")).strip();
        assertNotEquals(hostMountNs, containerMountNs, "createContainer runs in the container's mount namespace");
        assertFalse(Files.exists(out.resolve("poststart.json")), "poststart before start");

        assertEquals(0, hako("start", "hooked").code());
        assertTrue(Files.readString(rootfs.resolve("tmp/startContainer.json")).contains("\"id\":\"hooked\""));
        assertEquals(containerMountNs, Files.readString(rootfs.resolve("tmp/startContainer.ns")).strip());
        assertTrue(Files.readString(out.resolve("poststart.json")).contains("\"status\":\"running\""));

        assertEquals(0, hako("delete", "--force", "hooked").code());
        assertTrue(Files.readString(out.resolve("poststop.json")).contains("\"status\":\"stopped\""));
        Files.delete(rootfs.resolve("tmp/startContainer.json"));
        Files.delete(rootfs.resolve("tmp/startContainer.ns"));
        Leaks.assertNone(work, root);
    }

    @Test
    void aFailingCreateHookFailsCreateAndLeavesNothing() throws Exception {
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        spec.put("hooks", Map.of("createRuntime", List.of(Map.of("path", "/bin/sh", "args", List.of("sh", "-c", "exit 3")))));
        Hako.Result result = hako("create", "--bundle", Busybox.bundle(work, spec).toString(), "fails");
        assertNotEquals(0, result.code());
        assertEquals("hako: creating container \"fails\": createRuntime hook #0 (/bin/sh) exited with status 3\n", result.stderr());
        Leaks.assertNone(work, root);
    }

    @Test
    void aHookPastItsTimeoutIsKilled() throws Exception {
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        spec.put("hooks", Map.of("prestart", List.of(Map.of("path", "/bin/sleep", "args", List.of("sleep", "30"), "timeout", 1L))));
        long started = System.nanoTime();
        Hako.Result result = hako("run", "--bundle", Busybox.bundle(work, spec).toString(), "slow");
        assertTrue(System.nanoTime() - started < 20_000_000_000L);
        assertTrue(result.stderr().contains("prestart hook #0 (/bin/sleep) timed out after 1 s"), result.stderr());
        Leaks.assertNone(work, root);
    }

    @Test
    void aHooksArgsAreItsWholeArgvAndItRunsInTheBundleWithTheRuntimesEnvironment() throws Exception {
        // As Docker's /proc/PID/exe libnetwork-setkey …: argv[0] is not the program's path.
        // busybox picks its applet by argv[0], so this runs sh only if args[0] is passed as it is.
        Path result = out.resolve("argv0");
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        spec.put("hooks", Map.of("prestart", List.of(Map.of("path", rootfs.resolve("bin/busybox").toString(),
                "args", List.of("sh", "-c", "echo \"$0 $(pwd) $HAKO_HOOK_TEST\" > " + result)))));
        Path bundle = Busybox.bundle(work, spec);
        Hako.Result run = Hako.exec(List.of(Hako.LAUNCHER.toString(), "--root", root.toString(), "run", "--bundle",
                bundle.toString(), "argv0"), "", Map.of("HAKO_HOOK_TEST", "inherited"));
        assertEquals(0, run.code(), run::toString);
        assertEquals("sh " + bundle.toRealPath() + " inherited", Files.readString(result).strip());
        Leaks.assertNone(work, root);
    }

    @Test
    void whatAHookPrintsStaysOutOfTheContainersOutputAndIsInItsError() throws Exception {
        Map<String, Object> spec = Busybox.spec(rootfs, "echo", "from the container");
        spec.put("hooks", Map.of("prestart", List.of(Map.of("path", "/bin/sh", "args", List.of("sh", "-c", "echo noise; echo more >&2")))));
        Hako.Result quiet = hako("run", "--bundle", Busybox.bundle(work, spec).toString(), "quiet");
        assertEquals(0, quiet.code(), quiet::toString);
        assertEquals("from the container\n", quiet.stdout());
        assertEquals("", quiet.stderr());

        spec.put("hooks", Map.of("prestart", List.of(Map.of("path", "/bin/sh", "args", List.of("sh", "-c", "echo why it failed; exit 4")))));
        Hako.Result failed = hako("run", "--bundle", Busybox.bundle(work, spec).toString(), "loud");
        assertEquals("hako: running container \"loud\": prestart hook #0 (/bin/sh) exited with status 4: why it failed\n",
                failed.stderr());
        Leaks.assertNone(work, root);
    }

    @Test
    void aFailingPoststartOrPoststopHookIsAWarningAndTheRestStillRun() throws Exception {
        Map<String, Object> failing = Map.of("path", "/bin/false", "args", List.of("false"));
        Map<String, Object> spec = Busybox.spec(rootfs, "sleep", "100");
        spec.put("hooks", Map.of(
                "poststart", List.of(failing, recorder("poststart-after", out.toString())),
                "poststop", List.of(failing, recorder("poststop-after", out.toString()))));
        Path bundle = Busybox.bundle(work, spec);
        assertEquals(0, hako("create", "--bundle", bundle.toString(), "warned").code());
        Hako.Result start = hako("start", "warned");
        assertEquals(0, start.code(), start::toString);
        assertEquals("hako: warning: poststart hook #0 (/bin/false) exited with status 1\n", start.stderr());
        assertTrue(Files.exists(out.resolve("poststart-after.json")));
        assertEquals("running", Hako.status(root, "warned"));

        Hako.Result delete = hako("delete", "--force", "warned");
        assertEquals(0, delete.code(), delete::toString);
        assertEquals("hako: warning: poststop hook #0 (/bin/false) exited with status 1\n", delete.stderr());
        assertTrue(Files.exists(out.resolve("poststop-after.json")));
        Leaks.assertNone(work, root);
    }

    @Test
    void containerHooksStartWhereRuncStartsThem() throws Exception {
        // createContainer: in the rootfs (before pivot_root), no environment; startContainer: as the process
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        ((Map<String, Object>) spec.get("root")).put("readonly", false);
        Busybox.process(spec).put("cwd", "/tmp");
        Busybox.process(spec).put("env", List.of("PATH=/bin", "GREETING=hi"));
        Path created = out.resolve("created-where");
        spec.put("hooks", Map.of(
                "createContainer", List.of(Map.of("path", "/bin/sh", "args", List.of("sh", "-c", "echo \"$(pwd) [$GREETING]\" > " + created))),
                "startContainer", List.of(Map.of("path", "/bin/sh", "args", List.of("sh", "-c", "echo \"$(pwd) [$GREETING]\" > /tmp/started-where")))));
        Hako.Result run = hako("run", "--bundle", Busybox.bundle(work, spec).toString(), "where");
        assertEquals(0, run.code(), run::toString);
        assertEquals(rootfs + " []", Files.readString(created).strip());
        assertEquals("/tmp [hi]", Files.readString(rootfs.resolve("tmp/started-where")).strip());
        Files.delete(rootfs.resolve("tmp/started-where"));
        Leaks.assertNone(work, root);
    }

    @Test
    void aMalformedHookIsRefusedBeforeAnythingExists() throws Exception {
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        spec.put("hooks", Map.of("poststop", List.of(Map.of("path", "relative/hook"))));
        Hako.Result result = hako("create", "--bundle", Busybox.bundle(work, spec).toString(), "malformed");
        assertTrue(result.stderr().contains("hooks.poststop[0].path"), result.stderr());
        Leaks.assertNone(work, root);
    }
}
