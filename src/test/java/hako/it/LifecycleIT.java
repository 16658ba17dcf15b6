package hako.it;

import hako.json.Json;
import hako.sys.Libc;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OCI lifecycle as podman and containerd drive it: create, start, state, kill, exec, delete. */
class LifecycleIT extends ContainerTest {
    static Hako.Result hako(String... args) {
        return Hako.run(root, "", args);
    }

    static Hako.Result ok(String... args) {
        Hako.Result result = hako(args);
        assertEquals(0, result.code(), () -> String.join(" ", args) + ": " + result);
        return result;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> state(String id) {
        return (Map<String, Object>) Json.parse(ok("state", id).stdout());
    }

    static Path bundle(String... args) {
        return Busybox.bundle(work, Busybox.spec(rootfs, args));
    }

    static String cmdline(long pid) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').strip();
    }

    @Test
    void createWaitsForStartThenRuns() throws Exception {
        Path bundle = bundle("sleep", "100");
        Path pidFile = work.resolve("create.pid");
        ok("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "life");
        Map<String, Object> created = state("life");
        assertEquals("created", created.get("status"));
        long pid = (Long) created.get("pid");
        assertEquals(Long.toString(pid), Files.readString(pidFile));
        assertEquals(bundle.toString(), created.get("bundle"));
        // Built, but not yet the container's process: init still waits, as the stage.
        assertFalse(cmdline(pid).startsWith("sleep"), cmdline(pid));

        ok("start", "life");
        assertEquals("running", state("life").get("status"));
        assertEquals("sleep 100", cmdline(pid));
        Hako.Result again = hako("start", "life");
        assertNotEquals(0, again.code());
        assertTrue(again.stderr().contains("cannot start an already running container"), again.stderr());

        Hako.Result refused = hako("delete", "life");
        assertNotEquals(0, refused.code());
        assertTrue(refused.stderr().contains("that is not stopped: running"), refused.stderr());

        ok("kill", "life", "KILL");
        waitForStatus("life", "stopped");
        assertEquals(0L, state("life").get("pid"));
        ok("delete", "life");
        assertNotEquals(0, hako("state", "life").code());
        Leaks.assertNone(work, root);
    }

    static void waitForStatus(String id, String status) throws InterruptedException {
        for (int i = 0; i < 100 && !status.equals(state(id).get("status")); i++) Thread.sleep(50);
        assertEquals(status, state(id).get("status"));
    }

    @Test
    void signalsByNameAndNumber() throws Exception {
        ok("run", "-d", "--bundle", bundle("sh", "-c", "trap 'exit 0' USR1; while :; do sleep 0.1; done").toString(), "sig");
        waitForStatus("sig", "running");
        ok("kill", "sig", "SIGUSR1");
        waitForStatus("sig", "stopped");
        ok("delete", "sig");
        ok("run", "-d", "--bundle", bundle("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done").toString(), "sig2");
        ok("kill", "sig2", "15");
        waitForStatus("sig2", "stopped");
        ok("delete", "sig2");
        Hako.Result invalid = hako("kill", "nosuch", "NOTASIGNAL");
        assertTrue(invalid.stderr().contains("invalid signal \"NOTASIGNAL\""), invalid.stderr());
        Hako.Result unknown = hako("kill", "nosuch", "KILL");
        assertEquals("hako: killing container \"nosuch\": container \"nosuch\" does not exist\n", unknown.stderr());
    }

    @Test
    void deleteForceStopsARunningContainerAndCreatedOnesNeedNoForce() throws Exception {
        ok("run", "-d", "--bundle", bundle("sleep", "100").toString(), "forced");
        long pid = (Long) state("forced").get("pid");
        ok("delete", "--force", "forced");
        assertFalse(Files.exists(Path.of("/proc/" + pid)) && cmdline(pid).equals("sleep 100"));
        ok("create", "--bundle", bundle("sleep", "100").toString(), "made");
        ok("delete", "made");
        ok("delete", "--force", "never-existed");
        Leaks.assertNone(work, root);
    }

    @Test
    void execRunsInTheContainer() throws Exception {
        ok("run", "-d", "--bundle", bundle("sleep", "100").toString(), "ex");
        Hako.Result result = ok("exec", "ex", "sh", "-c", "echo $$; hostname; cat /proc/1/cmdline | tr '\\0' ' '");
        assertEquals(List.of("2", "hako", "sleep 100"), result.stdout().lines().map(String::strip).toList());
        Hako.Result user = hako("exec", "-u", "1000:100", "-e", "X=y", "--cwd", "/tmp", "ex", "sh", "-c", "id -u; id -g; echo $X; pwd; exit 4");
        assertEquals(4, user.code(), user::toString);
        assertEquals("1000\n100\ny\n/tmp\n", user.stdout());
        Path pidFile = work.resolve("exec.pid");
        ok("exec", "-d", "--pid-file", pidFile.toString(), "ex", "sleep", "50");
        String execPid = Files.readString(pidFile).strip();
        assertEquals("sleep 50", cmdline(Long.parseLong(execPid)));
        Hako.Result ps = ok("ps", "--format", "json", "ex");
        assertTrue(ps.stdout().contains(execPid), ps.stdout());
        Hako.Result missing = hako("exec", "ex", "no-such-tool");
        assertTrue(missing.stderr().contains("executable file not found in $PATH"), missing.stderr());
        ok("delete", "--force", "ex");
        Leaks.assertNone(work, root);
    }

    @Test
    void execWithProcessJson() throws Exception {
        ok("run", "-d", "--bundle", bundle("sleep", "100").toString(), "pj");
        Path process = work.resolve("process.json");
        Files.writeString(process, """
                {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "echo from-json $A"],
                 "env": ["PATH=/bin", "A=1"], "cwd": "/"}
                """);
        assertEquals("from-json 1\n", ok("exec", "--process", process.toString(), "pj").stdout());
        Files.writeString(process, "{\"args\": [\"sh\"], \"cwd\": 5}");
        Hako.Result bad = hako("exec", "--process", process.toString(), "pj");
        assertTrue(bad.stderr().contains("cwd"), bad.stderr());
        ok("delete", "--force", "pj");
    }

    @Test
    void execFlagsAsRuncReadsThem() throws Exception {
        Map<String, Object> spec = Busybox.spec(rootfs, "sleep", "100");
        Busybox.process(spec).put("user", Map.of("uid", 0L, "gid", 7L, "additionalGids", List.of(8L)));
        ok("run", "-d", "--bundle", Busybox.bundle(work, spec).toString(), "flags");
        // -u with a uid only keeps the container's gid; -g adds to its groups
        assertEquals("uid=1000 gid=7 groups=7,8,9\n", ok("exec", "-u", "1000", "-g", "9", "flags", "sh", "-c",
                "echo uid=$(id -u) gid=$(id -g) groups=$(id -G | tr ' ' ,)").stdout());
        // --cgroup: an existing sub-cgroup of the container's
        String cgroup = (String) ((Map<?, ?>) Json.parse(Files.readString(root.resolve("flags/state.json")))).get("cgroup");
        Files.createDirectory(Path.of(cgroup, "sub"));
        assertEquals("0::/sub\n", ok("exec", "--cgroup", "sub", "flags", "grep", "^0::", "/proc/self/cgroup").stdout());
        Hako.Result missing = hako("exec", "--cgroup", "nothere", "flags", "true");
        assertTrue(missing.stderr().contains("--cgroup nothere: no such sub-cgroup"), missing.stderr());
        // unconfined: written where AppArmor is, what every process is where it is not (LsmIT)
        Hako.Result apparmor = hako("exec", "--apparmor", "unconfined", "flags", "true");
        assertEquals(0, apparmor.code(), apparmor::toString);
        assertEquals("", apparmor.stderr());
        ok("delete", "--force", "flags");
        Leaks.assertNone(work, root);
    }

    @Test
    void rootlessTakesRuncsValues() {
        assertEquals(0, hako("--rootless", "false", "list").code());
        assertEquals(0, hako("--rootless=auto", "list").code());
        assertEquals(0, hako("--rootless", "true", "list").code());
        assertEquals("hako: --rootless takes true, false or auto, not \"maybe\"\n", hako("--rootless", "maybe", "list").stderr());
    }

    @Test
    void pauseFreezesEveryProcessAndResumeThawsThem() throws Exception {
        ok("run", "-d", "--bundle", bundle("sh", "-c", "while :; do echo tick >> /dev/shm/ticks; sleep 0.05; done").toString(), "frozen");
        ok("pause", "frozen");
        assertEquals("paused", state("frozen").get("status"));
        Hako.Result again = hako("pause", "frozen");
        assertTrue(again.stderr().contains("container not running"), again.stderr());
        Hako.Result exec = hako("exec", "frozen", "true");
        assertEquals("hako: exec in container \"frozen\": cannot exec in a paused container (use --ignore-paused to override)\n",
                exec.stderr());
        // With --ignore-paused the process joins the frozen cgroup: it runs once the container is thawed.
        ok("exec", "-d", "--ignore-paused", "frozen", "sh", "-c", "echo thawed > /dev/shm/late");
        ok("resume", "frozen");
        assertEquals("thawed\n", ok("exec", "frozen", "sh", "-c", "sleep 0.2; cat /dev/shm/late").stdout());
        assertEquals("running", state("frozen").get("status"));
        String stats = ok("events", "--stats", "frozen").stdout();
        assertTrue(stats.startsWith("{\"type\":\"stats\",\"id\":\"frozen\",\"data\":{"), stats);
        // cpu.stat is a core file of cgroup v2: there even on a host whose controllers are v1's
        assertTrue(stats.contains("\"cpu\":{\"usage\":{\"total\":"), stats);
        ok("kill", "--all", "frozen", "KILL");
        waitForStatus("frozen", "stopped");
        ok("delete", "frozen");
        Leaks.assertNone(work, root);
    }

    @Test
    void aForegroundRunCanBePausedAndDeletedFromElsewhere() throws Exception {
        Path bundle = bundle("sh", "-c", "echo ready; while :; do sleep 0.1; done");
        Process run = Hako.start(root, "run", "--bundle", bundle.toString(), "fg");
        assertEquals("ready", new String(run.getInputStream().readNBytes(6)).strip());
        ok("pause", "fg");
        assertEquals("paused", state("fg").get("status"));
        ok("resume", "fg");
        ok("delete", "--force", "fg");
        assertTrue(run.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(137, run.exitValue());
        Leaks.assertNone(work, root);
    }

    @Test
    void updateRefusesWhatThisHostCannotEnforce() throws Exception {
        ok("run", "-d", "--bundle", bundle("sleep", "100").toString(), "upd");
        Hako.Result pids = hako("update", "--pids-limit", "10", "upd");
        assertNotEquals(0, pids.code());
        assertTrue(pids.stderr().contains("pids"), pids.stderr());
        Hako.Result bad = hako("update", "--memory", "lots", "upd");
        assertTrue(bad.stderr().contains("--memory takes a size"), bad.stderr());
        ok("delete", "--force", "upd");
    }

    @Test
    void listAndPs() throws Exception {
        ok("run", "-d", "--bundle", bundle("sleep", "100").toString(), "listed");
        String table = ok("list").stdout();
        assertTrue(table.startsWith("ID "), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("listed ") && l.contains(" running ")), table);
        String json = ok("list", "--format", "json").stdout();
        assertTrue(json.contains("\"id\":\"listed\""), json);
        String pid = state("listed").get("pid").toString();
        assertEquals("[" + pid + "]\n", ok("ps", "--format", "json", "listed").stdout());
        assertTrue(ok("ps", "listed").stdout().lines().anyMatch(l -> l.contains(" " + pid + " ") && l.endsWith("sleep 100")));
        ok("delete", "--force", "listed");
    }

    @Test
    void terminalGoesToTheConsoleSocket() throws Throwable {
        Map<String, Object> spec = Busybox.spec(rootfs, "sh", "-c", "tty; read x; echo got:$x");
        Busybox.process(spec).put("terminal", true);
        Path bundle = Busybox.bundle(work, spec);
        try (ConsoleSocket console = new ConsoleSocket(work.resolve("console.sock"))) {
            CompletableFuture<Integer> master = CompletableFuture.supplyAsync(() -> {
                try {
                    return console.receiveTerminal();
                } catch (Throwable t) {
                    throw new RuntimeException(t);
                }
            });
            ok("create", "--bundle", bundle.toString(), "--console-socket", console.path.toString(), "tty");
            int fd = master.get();
            ok("start", "tty");
            Libc.writeFully(fd, "hello\n".getBytes(), "typing");
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains("got:hello")) {
                byte[] data = Libc.read(fd, 1024, "reading the terminal");
                if (data == null || data.length == 0) break;
                seen.append(new String(data, StandardCharsets.UTF_8));
            }
            Libc.close(fd);
            assertTrue(seen.toString().contains("/dev/pts/0"), seen::toString);
            assertTrue(seen.toString().contains("got:hello"), seen::toString);
        }
        waitForStatus("tty", "stopped");
        ok("delete", "tty");
        Hako.Result noSocket = hako("create", "--bundle", bundle.toString(), "tty2");
        assertTrue(noSocket.stderr().contains("--console-socket"), noSocket.stderr());
    }

    @Test
    void runWithATerminalInTheForeground() throws Exception {
        // /dev/console is the container's terminal too, as runc makes it
        Map<String, Object> spec = Busybox.spec(rootfs, "sh", "-c",
                "tty; stty size; [ \"$(stat -c %t:%T /dev/console)\" = \"$(stat -c %t:%T $(tty))\" ] && echo console; exit 5");
        Busybox.process(spec).put("terminal", true);
        Path bundle = Busybox.bundle(work, spec);
        // script(1) gives hako a terminal of its own, as a person's shell would.
        String command = Hako.LAUNCHER + " --root " + root + " run --bundle " + bundle + " fg-tty";
        Hako.Result result = Hako.exec(List.of("script", "-qec", command, "/dev/null"), "");
        assertEquals(5, result.code(), result::toString);
        assertTrue(result.stdout().contains("/dev/pts/0"), result.stdout());
        assertTrue(result.stdout().contains("console"), result.stdout());
        Leaks.assertNone(work, root);
    }

    @Test
    void preservedDescriptorsReachTheProcess() throws Exception {
        Path file = Files.writeString(work.resolve("handed-over"), "from the caller\n");
        Path bundle = bundle("sh", "-c", "read line <&3; echo got: $line");
        // The caller (as podman does) puts the descriptor at 3 and says how many there are.
        String command = "exec 3< " + file + "; exec " + Hako.LAUNCHER + " --root " + root
                + " run --preserve-fds 1 --bundle " + bundle + " preserved";
        Hako.Result result = Hako.exec(List.of("bash", "-c", command), "");
        assertEquals(0, result.code(), result::toString);
        assertEquals("got: from the caller\n", result.stdout());
        // Without the flag, nothing of the caller's leaks in.
        result = Hako.exec(List.of("bash", "-c", command.replace("--preserve-fds 1 ", "")), "");
        assertNotEquals("got: from the caller\n", result.stdout());
        Leaks.assertNone(work, root);
    }

    @Test
    void noPivotMovesTheRootfsOntoSlashSoThatExecLandsThereToo() throws Exception {
        Path secret = Files.writeString(work.resolve("no-pivot-secret"), "host");
        String check = "hostname; test -e " + secret + " && echo VISIBLE; ls /bin/busybox";
        Hako.Result result = ok("run", "--no-pivot", "--bundle", bundle("sh", "-c", check).toString(), "chrooted");
        assertEquals("hako\n/bin/busybox\n", result.stdout());
        // exec joins the mount namespace, whose root is then the rootfs (a plain chroot would give the host's)
        ok("create", "--no-pivot", "--bundle", bundle("sleep", "100").toString(), "moved");
        assertEquals("/bin/busybox\n", ok("exec", "moved", "sh", "-c", check.substring(10)).stdout());
        ok("delete", "--force", "moved");
        Leaks.assertNone(work, root);
    }

    @Test
    void whatIsNotAppliedIsSaidInTheLogNotInTheContainersOutput() throws Exception {
        Map<String, Object> spec = Busybox.spec(rootfs, "echo", "only this");
        Busybox.linux(spec).put("mountLabel", "system_u:object_r:container_file_t:s0");
        Path bundle = Busybox.bundle(work, spec);
        Hako.Result plain = hako("run", "--bundle", bundle.toString(), "warned");
        assertEquals("hako: warning: linux.mountLabel is not applied: SELinux is not enabled on this host\n", plain.stderr());
        Path log = work.resolve("warned.log");
        Hako.Result logged = hako("--log", log.toString(), "--log-format", "json", "run", "--bundle", bundle.toString(), "warned");
        assertEquals("only this\n", logged.stdout());
        assertEquals("", logged.stderr(), "under podman, stderr is the container's");
        assertTrue(Files.readString(log).contains("\"level\":\"warning\",\"msg\":\"linux.mountLabel is not applied"), Files.readString(log));
        Leaks.assertNone(work, root);
    }

    @Test
    void keepLeavesTheStoppedContainerForDelete() throws Exception {
        ok("run", "--keep", "--bundle", bundle("true").toString(), "kept");
        assertEquals("stopped", state("kept").get("status"));
        ok("delete", "kept");
        Leaks.assertNone(work, root);
    }

    @Test
    void aPidfdOfTheProcessGoesToThePidfdSocket() throws Throwable {
        try (ConsoleSocket socket = new ConsoleSocket(work.resolve("pidfd.sock"))) {
            ok("create", "--bundle", bundle("sleep", "100").toString(), "--pidfd-socket", socket.path.toString(), "pidfd");
            int pidfd = socket.receiveTerminal();
            try {
                assertEquals("anon_inode:[pidfd]", Files.readSymbolicLink(Path.of("/proc/self/fd/" + pidfd)).toString());
                String fdinfo = Files.readString(Path.of("/proc/self/fdinfo/" + pidfd));
                assertTrue(fdinfo.contains("Pid:\t" + state("pidfd").get("pid") + "\n"), fdinfo);
            } finally {
                Libc.close(pidfd);
            }
        }
        ok("delete", "--force", "pidfd");
        Leaks.assertNone(work, root);
    }

    @Test
    void aDeadConsoleSocketFailsCreateAndLeavesNothing() throws Exception {
        Map<String, Object> spec = Busybox.spec(rootfs, "sh");
        Busybox.process(spec).put("terminal", true);
        Hako.Result result = hako("create", "--bundle", Busybox.bundle(work, spec).toString(),
                "--console-socket", work.resolve("nobody-listens.sock").toString(), "deaf");
        assertNotEquals(0, result.code());
        assertTrue(result.stderr().contains("connecting to the console socket"), result.stderr());
        assertTrue(result.stderr().contains("no such file or directory"), result.stderr());
        Leaks.assertNone(work, root);
    }

    @Test
    void manyContainersAtOnce() throws Exception {
        Path bundle = bundle("sleep", "100");
        List<CompletableFuture<Hako.Result>> creates = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = "many-" + i;
            creates.add(CompletableFuture.supplyAsync(() -> hako("create", "--bundle", bundle.toString(), id)));
        }
        for (CompletableFuture<Hako.Result> create : creates) assertEquals(0, create.get().code(), () -> create.join().toString());
        // The same id from two sides at once: exactly one wins.
        List<CompletableFuture<Hako.Result>> racing = List.of(
                CompletableFuture.supplyAsync(() -> hako("create", "--bundle", bundle.toString(), "race")),
                CompletableFuture.supplyAsync(() -> hako("create", "--bundle", bundle.toString(), "race")));
        assertEquals(1, racing.stream().filter(f -> f.join().code() == 0).count());
        for (int i = 0; i < 8; i++) ok("delete", "many-" + i);
        ok("delete", "race");
        Leaks.assertNone(work, root);
    }
}
