package hako.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the runtime, each attempted for real and shown to fail (docs/security.md lists
 * them with the defence each one meets).
 */
class AttacksIT extends ContainerTest {

    /** {@code hako --root ROOT ARGS…} run by sh with {@code redirections} applied first (e.g. "<&-"). */
    private static Hako.Result shell(String redirections, String... args) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "exec \"$@\" " + redirections, "sh",
                Hako.LAUNCHER.toString(), "--root", root.toString()));
        command.addAll(List.of(args));
        return Hako.exec(command, "");
    }

    private static Map<String, Object> writable(Map<String, Object> spec) {
        @SuppressWarnings("unchecked")
        Map<String, Object> rootSpec = (Map<String, Object>) spec.get("root");
        rootSpec.put("readonly", false);
        return spec;
    }

    // ------------------------------------------------------------ descriptors

    @Test
    void aClosedStdinIsDevNullInTheContainerNotAFileOfTheJvm() throws IOException {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "readlink", "/proc/self/fd/0"));
        Hako.Result result = shell("<&-", "run", "--bundle", bundle.toString(), "stdin-closed");
        assertEquals(0, result.code(), result::toString);
        assertEquals("/dev/null", result.stdout().strip(), "not the JDK's lib/modules");
        Leaks.assertNone(work, root);
    }

    @Test
    void preserveFdsPastWhatWasPassedIsRefusedNotFilledWithTheJvmsFiles() throws IOException {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "sh", "-c", "readlink /proc/self/fd/3; readlink /proc/self/fd/4"));
        Hako.Result refused = shell("3</etc/hostname", "run", "--preserve-fds", "2", "--bundle", bundle.toString(), "fds");
        BadInputIT.fails(refused, "--preserve-fds 2", "descriptor 4");
        Hako.Result passed = shell("3</etc/hostname 4</etc/passwd", "run", "--preserve-fds", "2", "--bundle", bundle.toString(), "fds");
        assertEquals(0, passed.code(), passed::toString);
        assertEquals(List.of("/etc/hostname", "/etc/passwd"), passed.stdout().lines().toList());
        Leaks.assertNone(work, root);
    }

    // ------------------------------------------------------------ masked paths (CVE-2025-31133)

    /** A createContainer hook stands for whatever swaps the container's /dev/null (a mount, a racing container). */
    private static Path withDevNullReplacedBy(String command) {
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        spec.put("hooks", Map.of("createContainer", List.of(Map.of("path", "/bin/sh",
                "args", List.of("sh", "-c", "rm -f dev/null && " + command)))));
        return Busybox.bundle(work, spec);
    }

    @Test
    void aDevNullSwappedForALinkToCorePatternIsNotBoundOverAMaskedPath() throws IOException {
        String before = Files.readString(Path.of("/proc/sys/kernel/core_pattern"));
        BadInputIT.fails(BadInputIT.run(withDevNullReplacedBy("ln -s /proc/sys/kernel/core_pattern dev/null"), "mask-link"),
                "masking /proc/", "is not the null device");
        assertEquals(before, Files.readString(Path.of("/proc/sys/kernel/core_pattern")));
    }

    @Test
    void aDevNullThatIsAnotherDeviceIsRefused() throws IOException {
        BadInputIT.fails(BadInputIT.run(withDevNullReplacedBy("mknod -m 666 dev/null c 1 5"), "mask-zero"),
                "is not the null device");
    }

    @Test
    void aMaskedPathThatIsAMagicLinkFailsTheCreateAndAMissingOneIsSkipped() throws IOException {
        Path link = rootfs.resolve("etc/masked-magic");
        Files.createSymbolicLink(link, Path.of("/proc/self/fd/1"));
        try {
            Map<String, Object> spec = Busybox.spec(rootfs, "true");
            Busybox.linux(spec).put("maskedPaths", List.of("/etc/no-such-file", "/etc/masked-magic"));
            BadInputIT.fails(BadInputIT.run(Busybox.bundle(work, spec), "mask-magic"), "masking /etc/masked-magic", "symbolic links");
            spec = Busybox.spec(rootfs, "sh", "-c", "wc -c < /etc/passwd");
            Busybox.linux(spec).put("maskedPaths", List.of("/etc/no-such-file", "/etc/passwd"));
            Hako.Result masked = BadInputIT.run(Busybox.bundle(work, spec), "mask-ok");
            assertEquals(0, masked.code(), masked::toString);
            assertEquals("0", masked.stdout().strip(), "masked with the null device; the missing path skipped");
        } finally {
            Files.delete(link);
        }
        Leaks.assertNone(work, root);
    }

    // ------------------------------------------------------------ /proc writes (CVE-2025-52881)

    @Test
    void aSysctlWithAFileMountedOverItIsNotWrittenThroughTheMount() throws IOException {
        Path decoy = Files.writeString(work.resolve("decoy-sysctl"), "untouched\n");
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        Busybox.mounts(spec).add(Map.of("destination", "/proc/sys/net/ipv4/ip_forward", "type", "bind",
                "source", decoy.toString(), "options", List.of("bind")));
        Busybox.linux(spec).put("sysctl", Map.of("net.ipv4.ip_forward", "1"));
        BadInputIT.fails(BadInputIT.run(Busybox.bundle(work, spec), "proc-over"), "writing /proc/sys/net/ipv4/ip_forward",
                "not procfs's own");
        assertEquals("untouched\n", Files.readString(decoy));
    }

    @Test
    void anOomScoreAdjustmentIsWrittenToProcfsItself() throws IOException {
        Map<String, Object> spec = Busybox.spec(rootfs, "cat", "/proc/self/oom_score_adj");
        Busybox.process(spec).put("oomScoreAdj", 123L);
        Hako.Result result = BadInputIT.run(Busybox.bundle(work, spec), "oom");
        assertEquals(0, result.code(), result::toString);
        assertEquals("123", result.stdout().strip());
        Leaks.assertNone(work, root);
    }

    // ------------------------------------------------------------ init not dumpable

    @Test
    void aProcessExecdIntoACreatedContainerCannotReachInitsDescriptors() throws IOException {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "sleep", "30"));
        Hako.Result created = Hako.run(root, "", "create", "--bundle", bundle.toString(), "undumpable");
        assertEquals(0, created.code(), created::toString);
        try {
            Hako.Result exec = Hako.run(root, "", "exec", "undumpable", "sh", "-c",
                    "for f in /proc/1/fd/*; do readlink $f && echo READ; echo 0 > $f && echo WROTE; done; true");
            assertEquals(0, exec.code(), exec::toString);
            assertFalse(exec.stdout().contains("READ") || exec.stdout().contains("WROTE"), exec::toString);
            assertTrue(exec.stderr().contains("Permission denied"), exec::toString);
            assertEquals("created", Hako.status(root, "undumpable"), "the fifo was not reached: still waiting for start");
        } finally {
            Hako.run(root, "", "delete", "--force", "undumpable");
        }
        Leaks.assertNone(work, root);
    }

    // ------------------------------------------------------------ state and pid files

    @Test
    void stateIsRootsAloneAndThePidFileReplacesASymlinkRatherThanWritingThroughIt() throws IOException {
        Path victim = Files.writeString(work.resolve("victim"), "precious\n");
        Path pidFile = work.resolve("pid-link");
        Files.createSymbolicLink(pidFile, victim);
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "sleep", "30"));
        Hako.Result created = Hako.run(root, "", "create", "--pid-file", pidFile.toString(), "--bundle", bundle.toString(), "secret");
        assertEquals(0, created.code(), created::toString);
        try {
            assertEquals("precious\n", Files.readString(victim));
            assertTrue(Files.isRegularFile(pidFile, LinkOption.NOFOLLOW_LINKS), "the link replaced by the pid file");
            assertTrue(Files.readString(pidFile).matches("[0-9]+"));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("secret"))));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("secret/state.json"))));
        } finally {
            Hako.run(root, "", "delete", "--force", "secret");
        }
        Leaks.assertNone(work, root);
    }

    // ------------------------------------------------------------ startContainer hooks

    @Test
    void aStartContainerHookRunsAsTheContainersProcessNotAsTheRuntime() throws IOException {
        String probe = "grep CapEff /proc/self/status; cat /proc/self/cgroup; id -u";
        Map<String, Object> spec = writable(Busybox.spec(rootfs, "sh", "-c", probe));
        Busybox.process(spec).put("user", Map.of("uid", 1000L, "gid", 1000L));
        Busybox.process(spec).put("noNewPrivileges", true);
        Path out = rootfs.resolve("tmp/hook-probe");
        Files.deleteIfExists(out);
        String hook = "{ " + probe + "; grep NoNewPrivs /proc/self/status; "
                + "mount -o remount,rw /proc/sys && echo REMOUNTED; } > /tmp/hook-probe 2>&1; true";
        spec.put("hooks", Map.of("startContainer", List.of(Map.of("path", "/bin/sh", "args", List.of("sh", "-c", hook)))));
        Files.setPosixFilePermissions(rootfs.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            Hako.Result result = BadInputIT.run(Busybox.bundle(work, spec), "hook-identity");
            assertEquals(0, result.code(), result::toString);
            String hookSaw = Files.readString(out);
            assertTrue(hookSaw.startsWith(result.stdout()), "the hook: " + hookSaw + "\nthe process: " + result.stdout());
            assertTrue(hookSaw.contains("\n1000\n"), "the process's user: " + hookSaw);
            assertTrue(hookSaw.contains("NoNewPrivs:\t1"), hookSaw);
            assertFalse(hookSaw.contains("REMOUNTED"), "the hook must not reach the host's sysctls: " + hookSaw);
        } finally {
            Files.deleteIfExists(out);
        }
        Leaks.assertNone(work, root);
    }

    @Test
    void aStartContainerHookOfARootProcessHasTheProcesssCapabilitiesOnly() throws IOException {
        Map<String, Object> spec = writable(Busybox.spec(rootfs, "sh", "-c", "grep CapEff /proc/self/status"));
        Path out = rootfs.resolve("tmp/hook-caps");
        Files.deleteIfExists(out);
        String hook = "{ grep CapEff /proc/self/status; v=$(cat /proc/sys/kernel/printk_ratelimit); "
                + "mount -o remount,rw /proc/sys && echo $v > /proc/sys/kernel/printk_ratelimit && echo WROTE; } > /tmp/hook-caps 2>&1; true";
        spec.put("hooks", Map.of("startContainer", List.of(Map.of("path", "/bin/sh", "args", List.of("sh", "-c", hook)))));
        try {
            Path bundle = Busybox.bundle(work, spec);
            Hako.Result created = Hako.run(root, "", "create", "--bundle", bundle.toString(), "hook-caps");
            assertEquals(0, created.code(), created::toString);
            Hako.Result started = Hako.run(root, "", "start", "hook-caps");
            assertEquals(0, started.code(), started::toString);
            String hookSaw = Files.readString(out);
            assertNotEquals("", hookSaw);
            assertFalse(hookSaw.contains("CapEff:\t000001ffffffffff") || hookSaw.contains("WROTE"), hookSaw);
            assertTrue(hookSaw.contains("CapEff:\t0000000020000420"), "the default spec's capabilities: " + hookSaw);
        } finally {
            Hako.run(root, "", "delete", "--force", "hook-caps");
            Files.deleteIfExists(out);
        }
        Leaks.assertNone(work, root);
    }
}
