package hako.it;

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

/**
 * {@code hako run} on the real kernel, as root: real containers from a busybox bundle. Every test
 * uses its own state root under a temporary directory; the last check is that nothing leaked.
 */
class RunIT extends ContainerTest {
    /** Runs a container whose process is {@code sh -c SCRIPT}. */
    static Hako.Result sh(String script) {
        return run(Busybox.spec(rootfs, "sh", "-c", script), "");
    }

    static Hako.Result run(Map<String, Object> spec, String stdin) {
        Path bundle = Busybox.bundle(work, spec);
        return Hako.run(root, stdin, "run", "--bundle", bundle.toString(), "c-" + bundle.getFileName());
    }

    @Test
    void hostnameIsTheContainers() throws IOException {
        Hako.Result result = sh("hostname");
        assertEquals(0, result.code(), result::toString);
        assertEquals("hako", result.stdout().strip());
        assertFalse(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip().equals("hako"));
    }

    @Test
    void processIsPidOneAndSeesOnlyItsOwnProcesses() {
        Hako.Result result = sh("echo $$; ps -o pid,args | tail -n +2");
        assertEquals(0, result.code(), result::toString);
        List<String> lines = result.stdout().lines().toList();
        assertEquals("1", lines.getFirst());
        // sh itself and ps: nothing of the host's hundreds of processes.
        List<String> processes = lines.subList(1, lines.size());
        assertTrue(processes.size() <= 3, "ps saw " + processes);
        assertTrue(processes.getFirst().strip().startsWith("1 "), processes::toString);
    }

    @Test
    void specMountsArePresent() {
        Hako.Result result = sh("cat /proc/self/mounts");
        assertEquals(0, result.code(), result::toString);
        String mounts = result.stdout();
        for (String expected : List.of("proc /proc proc", "tmpfs /dev tmpfs", "devpts /dev/pts devpts",
                "shm /dev/shm tmpfs", "mqueue /dev/mqueue mqueue", "sysfs /sys sysfs", "cgroup2 /sys/fs/cgroup cgroup2")) {
            assertTrue(mounts.contains(expected), "missing \"" + expected + "\" in\n" + mounts);
        }
        assertTrue(mounts.lines().anyMatch(l -> l.startsWith("sysfs /sys sysfs ro,")), mounts);
    }

    @Test
    void rootfsIsSlashAndTheHostIsInvisible() throws IOException {
        Path secret = Files.writeString(work.resolve("host-secret"), "host");
        Hako.Result result = sh("ls /; test -e " + secret + " && echo VISIBLE; cat /proc/1/mountinfo | head -1");
        assertEquals(0, result.code(), result::toString);
        List<String> expected = new ArrayList<>();
        try (var entries = Files.list(rootfs)) {
            entries.forEach(p -> expected.add(p.getFileName().toString()));
        }
        List<String> listed = result.stdout().lines().toList();
        assertTrue(listed.containsAll(expected), listed + " should list " + expected);
        assertFalse(result.stdout().contains("VISIBLE"), "a host file is visible in the container");
        // The container's root mount is its rootfs, and it is read-only (root.readonly in the default spec).
        assertTrue(result.stdout().lines().map(l -> l.split(" ")).anyMatch(f -> f.length > 5 && f[4].equals("/") && f[5].startsWith("ro")),
                result.stdout());
    }

    @Test
    void rootIsReadOnlyAndTmpfsWritable() {
        Hako.Result result = sh("touch /newfile 2>/dev/null && echo ROOT-WRITABLE; touch /dev/shm/x && echo SHM-OK");
        assertEquals(0, result.code(), result::toString);
        assertFalse(result.stdout().contains("ROOT-WRITABLE"));
        assertTrue(result.stdout().contains("SHM-OK"));
    }

    @Test
    void devicesAndDevLinks() {
        Hako.Result result = sh("ls -l /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty;"
                + " for l in fd stdin ptmx; do readlink /dev/$l; done; echo hi > /dev/null && echo WROTE");
        assertEquals(0, result.code(), result::toString);
        String out = result.stdout();
        assertTrue(out.lines().anyMatch(l -> l.startsWith("crw-rw-rw-") && l.contains("1,   3") && l.endsWith("/dev/null")), out);
        assertTrue(out.lines().anyMatch(l -> l.contains("5,   0") && l.endsWith("/dev/tty")), out);
        assertTrue(out.contains("/proc/self/fd\n/proc/self/fd/0\npts/ptmx\n"), out);
        assertTrue(out.contains("WROTE"), out);
    }

    @Test
    void maskedAndReadonlyPaths() {
        Hako.Result result = sh("wc -c < /proc/kcore; echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo SYS-WRITABLE; ls /sys/firmware | wc -l");
        assertEquals(0, result.code(), result::toString);
        List<String> lines = result.stdout().lines().toList();
        assertEquals("0", lines.getFirst().strip(), "/proc/kcore should be masked: " + lines);
        assertFalse(result.stdout().contains("SYS-WRITABLE"));
        assertEquals("0", lines.getLast().strip(), "/sys/firmware should be an empty tmpfs");
    }

    @Test
    void joinsANamespaceGivenByPath() throws Exception {
        String name = "hako-it-" + ProcessHandle.current().pid();
        assertEquals(0, new ProcessBuilder("ip", "netns", "add", name).start().waitFor());
        try {
            Path netns = Path.of("/run/netns", name);
            Object inode = Files.getAttribute(netns, "unix:ino");
            Map<String, Object> spec = Busybox.spec(rootfs, "sh", "-c", "readlink /proc/self/ns/net");
            @SuppressWarnings("unchecked")
            List<Object> namespaces = (List<Object>) Busybox.linux(spec).get("namespaces");
            namespaces.removeIf(n -> ((Map<?, ?>) n).get("type").equals("network"));
            namespaces.add(Map.of("type", "network", "path", netns.toString()));
            Hako.Result result = run(spec, "");
            assertEquals(0, result.code(), result::toString);
            assertEquals("net:[" + inode + "]", result.stdout().strip());
        } finally {
            new ProcessBuilder("ip", "netns", "delete", name).start().waitFor();
        }
    }

    @Test
    void exitCodeIsTheProcesses() {
        assertEquals(7, sh("exit 7").code());
        assertEquals(0, sh("true").code());
    }

    @Test
    void userGroupsEnvironmentAndWorkingDirectory() {
        Map<String, Object> spec = Busybox.spec(rootfs, "sh", "-c", "id; echo $GREETING; pwd");
        Map<String, Object> process = Busybox.process(spec);
        process.put("user", Map.of("uid", 1000L, "gid", 1000L, "additionalGids", List.of(10L, 20L)));
        process.put("env", List.of("PATH=/bin", "GREETING=hello"));
        process.put("cwd", "/tmp");
        Hako.Result result = run(spec, "");
        assertEquals(0, result.code(), result::toString);
        assertEquals("uid=1000 gid=1000 groups=10,20\nhello\n/tmp\n", result.stdout());
    }

    @Test
    void capabilitiesAreTheSpecs() {
        // root keeps the default spec's three capabilities, and only them
        Hako.Result result = sh("grep -E '^Cap(Eff|Bnd|Amb)' /proc/self/status");
        assertEquals(0, result.code(), result::toString);
        assertEquals("CapEff:\t0000000020000420\nCapBnd:\t0000000020000420\nCapAmb:\t0000000000000000\n", result.stdout());
        // a non-root user keeps a capability across execve only through the ambient set
        Map<String, Object> spec = Busybox.spec(rootfs, "sh", "-c", "grep -E '^Cap(Eff|Amb)' /proc/self/status");
        List<String> bind = List.of("CAP_NET_BIND_SERVICE");
        Busybox.process(spec).put("user", Map.of("uid", 1000L, "gid", 1000L));
        Busybox.process(spec).put("capabilities", Map.of("bounding", bind, "effective", bind, "permitted", bind,
                "inheritable", bind, "ambient", bind));
        result = run(spec, "");
        assertEquals(0, result.code(), result::toString);
        assertEquals("CapEff:\t0000000000000400\nCapAmb:\t0000000000000400\n", result.stdout());
    }

    @Test
    void stdioPassesThrough() {
        Hako.Result result = run(Busybox.spec(rootfs, "sh", "-c", "read line; echo out:$line; echo err:$line >&2"), "ping\n");
        assertEquals(0, result.code(), result::toString);
        assertEquals("out:ping", result.stdout().strip());
        assertEquals("err:ping", result.stderr().strip());
    }

    @Test
    void signalsReachTheContainer() throws Exception {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "sh", "-c", "trap 'exit 42' TERM; echo ready; while :; do sleep 0.1; done"));
        Process hako = Hako.start(root, "run", "--bundle", bundle.toString(), "sig");
        assertEquals("ready", new String(hako.getInputStream().readNBytes(6)).strip());
        // TERM goes to hako itself, and hako passes it on to the container's process.
        new ProcessBuilder("kill", "-TERM", Long.toString(hako.pid())).start().waitFor();
        assertTrue(hako.waitFor(20, TimeUnit.SECONDS));
        assertEquals(42, hako.exitValue());
    }

    @Test
    void killedProcessExitsWith128PlusSignal() throws Exception {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "sh", "-c", "echo ready; exec sleep 100"));
        Path pidFile = work.resolve("kill.pid");
        Process hako = Hako.start(root, "run", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "killed");
        assertEquals("ready", new String(hako.getInputStream().readNBytes(6)).strip());
        String pid = Files.readString(pidFile).strip();
        new ProcessBuilder("kill", "-KILL", pid).start().waitFor();
        assertTrue(hako.waitFor(20, TimeUnit.SECONDS));
        assertEquals(137, hako.exitValue());
    }

    @Test
    void mountDestinationCannotEscapeTheRootfsThroughASymlink() throws IOException {
        Path ownRootfs = work.resolve("escape-rootfs");
        Busybox.rootfs(ownRootfs);
        Path outside = work.resolve("outside");
        Files.createDirectory(outside);
        // Inside the rootfs, /escape points at a host directory by its absolute host path.
        Files.createSymbolicLink(ownRootfs.resolve("escape"), outside);
        Map<String, Object> spec = Busybox.spec(ownRootfs, "sh", "-c", "touch /escape/made-inside; echo done");
        Busybox.linux(spec).remove("readonlyPaths");
        ((Map<String, Object>) spec.get("root")).put("readonly", false);
        Busybox.mounts(spec).add(Map.of("destination", "/escape", "type", "tmpfs", "source", "tmpfs"));
        Hako.Result result = run(spec, "");
        assertEquals(0, result.code(), result::toString);
        try (var entries = Files.list(outside)) {
            assertEquals(0, entries.count(), "the mount or the file landed on the host's " + outside);
        }
        // The symlink was followed inside the rootfs: the mount point was made there.
        assertTrue(Files.isDirectory(ownRootfs.resolve(outside.toString().substring(1))));
    }
}
