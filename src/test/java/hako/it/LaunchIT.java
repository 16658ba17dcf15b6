package hako.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code hako launch}, docker's one-line run, from images in a private store: an OCI layout the
 * test writes (two layers, the upper with a whiteout, a config with Entrypoint, Cmd, Env,
 * WorkingDir, User and StopSignal) and a plain rootfs tarball. The containers' directories live
 * under the test's directory, so the leak check sees any overlayfs left mounted.
 */
class LaunchIT extends ContainerTest {
    private static final String IMAGE = "configured:1";
    private static final String PLAIN = "plain:1";

    @BeforeAll
    static void images() throws IOException {
        Path base = work.resolve("base.tar");
        must(List.of("tar", "-C", rootfs.toString(), "-cf", base.toString(), "."));
        Path upperDir = Files.createDirectories(work.resolve("upper-layer/etc"));
        Files.writeString(upperDir.resolve("greeting"), "from the upper layer\n");
        Files.createDirectories(work.resolve("upper-layer/srv"));
        Files.createFile(Files.createDirectories(work.resolve("upper-layer/bin")).resolve(".wh.vi"));
        Path upper = work.resolve("upper.tar");
        must(List.of("tar", "-C", work.resolve("upper-layer").toString(), "-cf", upper.toString(), "."));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Entrypoint", List.of("/bin/sh", "-c"));
        config.put("Cmd", List.of("echo \"$GREETING in $(pwd) as $(id -u)\""));
        config.put("Env", List.of("GREETING=hello", "PATH=/bin"));
        config.put("WorkingDir", "/srv");
        config.put("User", "nobody");
        config.put("StopSignal", "SIGINT");
        config.put("ExposedPorts", Map.of("8080/tcp", Map.of()));
        config.put("Labels", Map.of("made.by", "LaunchIT"));
        Path layout = layout(work.resolve("layout"), List.of(base, upper), config);
        assertLoaded(Hako.run(root, "", "image", "load", "--name", IMAGE, layout.toString()));
        assertLoaded(Hako.run(root, "", "image", "load", "--name", PLAIN, base.toString()));
    }

    private static void assertLoaded(Hako.Result result) {
        assertEquals(0, result.code(), result::toString);
    }

    @Test
    void theImagesConfigGivesCommandEnvironmentDirectoryAndUser() {
        Hako.Result result = launch("--rm", IMAGE);
        assertEquals(0, result.code(), result::toString);
        assertEquals("hello in /srv as 65534", result.stdout().strip());
    }

    @Test
    void flagsOverTheImage() {
        Hako.Result result = launch("--rm", "-e", "GREETING=hi", "-w", "/etc", "-u", "0", IMAGE, "echo \"$GREETING in $(pwd) as $(id -u)\"");
        assertEquals("hi in /etc as 0", result.stdout().strip(), result::toString);
        Hako.Result entrypoint = launch("--rm", "--entrypoint", "/bin/echo", IMAGE, "plain", "words");
        assertEquals("plain words", entrypoint.stdout().strip(), entrypoint::toString);
        Hako.Result hostname = launch("--rm", "--hostname", "box", "--name", "named", PLAIN, "sh", "-c", "hostname; echo $HOSTNAME");
        assertEquals("box\nbox", hostname.stdout().strip(), hostname::toString);
    }

    @Test
    void theUpperLayerWinsAndItsWhiteoutHides() {
        Hako.Result result = launch("--rm", IMAGE, "cat /etc/greeting; ls /bin/vi || echo no vi; ls /bin/sh");
        assertEquals("from the upper layer\nno vi\n/bin/sh", result.stdout().strip(), result::toString);
        Hako.Result base = launch("--rm", PLAIN, "ls", "/bin/vi");
        assertEquals("/bin/vi", base.stdout().strip(), "the plain image has vi: the whiteout is the upper layer's");
    }

    @Test
    void changesStayInTheContainerNotInTheImage() {
        Hako.Result write = launch("--name", "writer", PLAIN, "sh", "-c", "echo mine > /bin/new; rm /bin/vi");
        assertEquals(0, write.code(), write::toString);
        Hako.Result other = launch("--rm", PLAIN, "sh", "-c", "ls /bin/new || echo no new; ls /bin/vi");
        assertEquals("no new\n/bin/vi", other.stdout().strip(), other::toString);
        assertTrue(hako("ps", "-a").stdout().contains("writer"), "an exited container stays until rm");
        assertTrue(hako("ps", "-a").stdout().lines().anyMatch(l -> l.startsWith("writer") && l.endsWith("exited (0)")));
        Hako.Result rmi = hako("rmi", PLAIN);
        assertEquals("hako: removing image plain:1: image plain:1 is used by container \"writer\" (hako rm writer)", rmi.stderr().strip());
        assertEquals(0, hako("rm", "writer").code());
        assertFalse(Files.exists(containers().resolve("writer")));
    }

    @Test
    void theExitCodeIsLaunchsAndRmRemovesTheContainer() {
        Hako.Result result = launch("--rm", "--name", "gone", PLAIN, "sh", "-c", "exit 3");
        assertEquals(3, result.code(), result::toString);
        assertFalse(Files.exists(containers().resolve("gone")), "--rm removes the directory");
        Hako.Result kept = launch("--name", "kept", PLAIN, "sh", "-c", "exit 4");
        assertEquals(4, kept.code());
        assertTrue(hako("ps", "-a").stdout().lines().anyMatch(l -> l.startsWith("kept") && l.endsWith("exited (4)")));
        assertFalse(hako("ps").stdout().contains("kept"), "ps without -a lists running containers only");
        assertEquals(0, hako("rm", "kept").code());
    }

    @Test
    void volumesTmpfsAndAReadOnlyRoot() throws IOException {
        Path volume = Files.createDirectories(work.resolve("volume"));
        Files.writeString(volume.resolve("in"), "from the host\n");
        Hako.Result result = launch("--rm", "--read-only", "-v", volume + ":/data", "-v", volume + ":/ro:ro", "--tmpfs", "/scratch",
                PLAIN, "sh", "-c", "cat /data/in; echo out > /data/out; echo x > /ro/x || echo ro refused; "
                        + "touch /etc/x || echo root refused; echo t > /tmp/t && echo tmp ok; echo s > /scratch/s && echo scratch ok");
        assertEquals("from the host\nro refused\nroot refused\ntmp ok\nscratch ok", result.stdout().strip(), result::toString);
        assertEquals("out\n", Files.readString(volume.resolve("out")));
    }

    @Test
    void capabilitiesAreDockersToAddAndDrop() {
        Hako.Result defaults = launch("--rm", PLAIN, "grep", "CapBnd", "/proc/self/status");
        // podman's eleven: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP
        assertEquals("CapBnd:\t00000000800405fb", defaults.stdout().strip(), defaults::toString);
        Hako.Result changed = launch("--rm", "--cap-drop", "ALL", "--cap-add", "net_admin", PLAIN, "grep", "CapBnd", "/proc/self/status");
        assertEquals("CapBnd:\t0000000000001000", changed.stdout().strip(), changed::toString);
    }

    @Test
    void withoutDashIStandardInputIsEmpty() {
        assertEquals("", Hako.run(root, "typed\n", "launch", "--network", "none", "--rm", PLAIN, "cat").stdout());
        assertEquals("typed", Hako.run(root, "typed\n", "launch", "--network", "none", "--rm", "-i", PLAIN, "cat").stdout().strip());
    }

    @Test
    void initIsPidOneWithTheCommandUnderIt() {
        Hako.Result result = launch("--rm", "--init", PLAIN, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$");
        assertEquals(0, result.code(), result::toString);
        List<String> lines = result.stdout().lines().toList();
        assertTrue(lines.getFirst().startsWith("/run/hako-init -- sh"), result::toString);
        assertFalse(lines.get(1).equals("1"), "the command is not pid 1 under --init");
    }

    @Test
    void detachedUnderConmonWithLogsStopAndExitStatus() throws InterruptedException {
        // the image's StopSignal is SIGINT: the trap says which signal came
        Hako.Result started = launch("-d", "--name", "served", IMAGE,
                "echo up; echo warn >&2; trap 'echo got INT; exit 5' INT; trap 'echo got TERM; exit 6' TERM; while :; do sleep 0.1; done");
        assertEquals(0, started.code(), started::toString);
        assertEquals("served", started.stdout().strip());
        assertTrue(hako("ps").stdout().lines().anyMatch(l -> l.startsWith("served") && l.endsWith("running")));
        assertEquals("running", Hako.status(root, "served"), "runc's commands see it too");
        Hako.Result exec = hako("exec", "served", "cat", "/etc/greeting");
        assertEquals("from the upper layer", exec.stdout().strip(), exec::toString);
        awaitLog("served", "up");
        Hako.Result logs = hako("logs", "served");
        assertEquals("up", logs.stdout().strip(), logs::toString);
        assertEquals("warn", logs.stderr().strip(), "stderr's lines go to stderr");
        Hako.Result stop = hako("stop", "-t", "5", "served");
        assertEquals(0, stop.code(), stop::toString);
        awaitLog("served", "got INT");
        assertEquals("up\ngot INT", hako("logs", "served").stdout().strip());
        assertTrue(hako("logs", "--timestamps", "--tail", "1", "served").stdout().matches("20\\d\\d-\\d\\d-\\d\\dT\\S+ got INT\\n"));
        awaitStatus("served", "exited (5)");
        assertFalse(Hako.run(root, "", "state", "served").code() == 0, "conmon's cleanup deleted the runtime state");
        assertEquals(0, hako("rm", "served").code());
    }

    @Test
    void conmonHoldsNoneOfTheCallersDescriptorsNorTheRuntimes() throws IOException {
        // A monitor that held them would keep a caller's pipe (a shell's $(…), a CI log) or the
        // runtime's locks open for the container's life. Descriptor 7 is the caller's, not
        // close-on-exec, as a shell leaves it.
        Path marker = Files.createFile(work.resolve("callers-descriptor"));
        Hako.Result started = Hako.exec(List.of("bash", "-c", "exec 7>\"$0\"; exec \"$@\"", marker.toString(),
                Hako.LAUNCHER.toString(), "--root", root.toString(), "launch", "--network", "none", "-d", "--name", "fds",
                PLAIN, "sleep", "100"), "");
        try {
            assertEquals(0, started.code(), started::toString);
            List<String> held = descriptors(Files.readString(containers().resolve("fds/conmon.pid")).strip());
            List<String> notConmons = List.of(marker.toString(), root + "/", System.getProperty("java.home"),
                    Path.of("target").toAbsolutePath() + "/");
            assertFalse(held.isEmpty(), "conmon has descriptors");
            assertTrue(held.stream().noneMatch(link -> notConmons.stream().anyMatch(link::startsWith)), "conmon holds " + held);
        } finally {
            hako("rm", "-f", "fds");
        }
    }

    /** What process {@code pid}'s descriptors are open on. */
    private static List<String> descriptors(String pid) throws IOException {
        List<String> links = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc", pid, "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    links.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // closed while listed
                }
            }
        }
        return links;
    }

    @Test
    void detachedWithRmIsGoneWhenItEnds() throws InterruptedException {
        assertEquals(0, launch("-d", "--rm", "--name", "brief", PLAIN, "true").code());
        for (int i = 0; i < 100 && Files.exists(containers().resolve("brief")); i++) Thread.sleep(50);
        assertFalse(Files.exists(containers().resolve("brief")), "conmon's cleanup removed it");
    }

    @Test
    void rmRefusesARunningContainerUnlessForced() {
        assertEquals(0, launch("-d", "--name", "busy", PLAIN, "sleep", "100").code());
        Hako.Result refused = hako("rm", "busy");
        assertEquals(1, refused.code());
        assertEquals("hako: removing container \"busy\": container \"busy\" is running: stop it first, or rm -f", refused.stderr().strip());
        assertEquals(0, hako("rm", "-f", "busy").code());
        assertFalse(Files.exists(containers().resolve("busy")));
    }

    /**
     * restart: a new process under a new conmon, with the flags it was launched with; the old
     * monitor's cleanup, which runs after the restart has begun, must not touch the new run — not
     * even for a --rm container, which a restart keeps (as docker's does).
     */
    @Test
    void restartRunsItAgainAndTheOldMonitorsCleanupLeavesTheNewRunAlone() throws InterruptedException, IOException {
        assertEquals(0, launch("-d", "--rm", "--name", "again", PLAIN, "sh", "-c", "echo run; trap 'exit 0' TERM; while :; do sleep 0.1; done").code());
        awaitLog("again", "run");
        String before = inspect("{{.State.Pid}}", "again");
        // conmon runs its exit command in its own process (execve): the old cleanup has ended when that pid has
        Path oldMonitor = Path.of("/proc", Files.readString(containers().resolve("again/conmon.pid")).strip());
        Hako.Result restarted = hako("restart", "-t", "5", "again");
        assertEquals(0, restarted.code(), restarted::toString);
        for (int i = 0; i < 200 && Files.exists(oldMonitor); i++) Thread.sleep(50);
        assertFalse(Files.exists(oldMonitor), "the old monitor and its cleanup have ended");
        assertEquals("running true", inspect("{{.State.Status}} {{.State.Running}}", "again"), "the old cleanup left it alone");
        assertFalse(before.equals(inspect("{{.State.Pid}}", "again")), "a new process");
        assertEquals("running", Hako.status(root, "again"));
        for (int i = 0; i < 100 && hako("logs", "again").stdout().lines().count() < 2; i++) Thread.sleep(50);
        assertEquals("run\nrun", hako("logs", "again").stdout().strip(), "one log across runs, as docker's");
        assertEquals(0, hako("stop", "again").code());
        for (int i = 0; i < 100 && Files.exists(containers().resolve("again")); i++) Thread.sleep(50);
        assertFalse(Files.exists(containers().resolve("again")), "--rm still removes it when it ends on its own");
    }

    @Test
    void restartOfAnExitedContainerStartsItAndForgetsTheOldExitCode() throws InterruptedException {
        assertEquals(0, launch("-d", "--name", "ended", PLAIN, "sh", "-c", "test -e /ran && exec sleep 100; touch /ran; exit 3").code());
        awaitStatus("ended", "exited (3)");
        assertEquals("exited 3", inspect("{{.State.Status}} {{.State.ExitCode}}", "ended"));
        assertEquals(0, hako("restart", "ended").code());
        assertEquals("running <nil>", inspect("{{.State.Status}} {{json .State.ExitCode}}", "ended").replace("null", "<nil>"),
                "its upper directory kept /ran, so this run sleeps");
        assertEquals(0, hako("rm", "-f", "ended").code());
    }

    /** attach: stdin in, output out, the container's exit code as attach's own; ctrl-p ctrl-q leaves it running. */
    @Test
    void attachJoinsTheStreamsAndDetachKeysLeaveItRunning() throws InterruptedException {
        assertEquals(0, launch("-d", "-i", "--name", "talk", PLAIN, "sh", "-c", "read line; echo got $line; echo err >&2; exit 4").code());
        Hako.Result attached = Hako.run(root, "hello\n", "attach", "talk");
        assertEquals(4, attached.code(), attached::toString);
        assertEquals("got hello", attached.stdout().strip());
        assertEquals("err", attached.stderr().strip());
        assertEquals(0, hako("rm", "talk").code());

        assertEquals(0, launch("-d", "-i", "--name", "stays", PLAIN, "sh", "-c", "while read line; do echo got $line; done").code());
        Hako.Result detached = Hako.run(root, "one\n\u0010\u0011two\n", "attach", "stays");
        assertEquals(0, detached.code(), detached::toString);
        assertEquals("running", Hako.status(root, "stays"), "detaching leaves it running");
        awaitLog("stays", "got one");
        assertEquals("got one", hako("logs", "stays").stdout().strip(), "what came after the detach keys never reached it");
        Hako.Result refused = hako("attach", "nothere");
        assertEquals("hako: attaching to container \"nothere\": no container \"nothere\" made from an image", refused.stderr().strip());
        assertEquals(0, hako("rm", "-f", "stays").code());
    }

    @Test
    void inspectShowsTheContainerAndFormatsItsFields() {
        assertEquals(0, launch("-d", "--name", "seen", "-e", "COLOR=blue", "-v", work + ":/data:ro", IMAGE, "sleep 100").code());
        Hako.Result json = hako("inspect", "seen");
        assertEquals(0, json.code(), json::toString);
        assertTrue(json.stdout().startsWith("["), "an array, as docker inspect prints");
        assertEquals("seen configured:1 running SIGINT", inspect("{{.Name}} {{.Image}} {{.State.Status}} {{.Config.StopSignal}}", "seen"));
        assertEquals("[sleep 100]", inspect("{{.Command}}", "seen").replace("/bin/sh -c ", ""));
        assertTrue(inspect("{{json .Config.Env}}", "seen").contains("\"COLOR=blue\""));
        assertEquals("[8080/tcp] {\"made.by\":\"LaunchIT\"}", inspect("{{.Config.ExposedPorts}} {{json .Config.Labels}}", "seen"),
                "the image's ExposedPorts and Labels");
        String mounts = inspect("{{json .Mounts}}", "seen");
        assertTrue(mounts.contains("\"destination\":\"/data\"") && mounts.contains("\"readOnly\":true"), mounts);
        Hako.Result image = hako("inspect", "-f", "{{.Name}}:{{.Tag}}", IMAGE);
        assertEquals("configured:1", image.stdout().strip(), "a name no container has is an image");
        Hako.Result unknown = hako("inspect", "-f", "{{.Nope}}", "seen");
        assertEquals(0, hako("rm", "-f", "seen").code());
        assertEquals("hako: inspecting seen: --format: no field Nope in .Nope", unknown.stderr().strip());
    }

    /**
     * On one bridge network, containers reach each other by name: each one's /etc/hosts is
     * rewritten in place when another joins, so one started earlier sees those started later. A
     * published port is reachable from a machine outside.
     */
    @Test
    void onANetworkContainersReachEachOtherByNameAndPublishedPortsFromOutside() throws IOException {
        String images = root.resolveSibling(root.getFileName() + "-images").toString();
        String serve = "mkdir -p /www; echo served by $(hostname) > /www/index.html; exec httpd -f -p 80 -h /www";
        try (TestHost host = new TestHost(work)) {
            try {
                assertEquals(0, host.hako("--image-root", images, "launch", "-d", "--name", "first", "-p", "8080:80", PLAIN,
                        "sh", "-c", serve).code());
                assertEquals(0, host.hako("--image-root", images, "launch", "-d", "--name", "later", PLAIN, "sh", "-c", serve).code());
                Hako.Result byName = host.hako("exec", "first", "sh", "-c", fetchByName("later"));
                assertEquals("served by later", byName.stdout().strip(), byName::toString);
                Hako.Result back = host.hako("exec", "later", "sh", "-c", fetchByName("first"));
                assertEquals("served by first", back.stdout().strip(), back::toString);
                assertEquals("served by first", host.get(host.client, TestHost.HOST_ADDRESS, 8080));
            } finally {
                host.hako("--image-root", images, "rm", "-f", "first", "later");
            }
            Hako.Result removed = host.hako("network", "rm", "hako");
            assertEquals(0, removed.code(), "the default network is free once its containers are gone: " + removed);
            host.assertClean();
        }
    }

    /**
     * An HTTP GET of {@code name}, looked up in /etc/hosts: busybox-static's own resolver cannot
     * read /etc/hosts (static glibc has no NSS), so the lookup is what a libc's would be.
     */
    private static String fetchByName(String name) {
        return "ip=$(awk '$2 == \"" + name + "\" || $3 == \"" + name + "\" { print $1 }' /etc/hosts); wget -q -O - http://$ip/";
    }

    @Test
    void badInputIsOneLineAndLeavesNothing() {
        assertOneLine(launch("--rm", "missing:1", "true"), "hako: launching missing:1: no image missing:1 in the store (hako image load, hako pull)");
        assertOneLine(launch("--rm", "-v", "/no/such/dir:/x", PLAIN, "true"), "hako: launching plain:1: -v /no/such/dir:/x: /no/such/dir does not exist");
        assertOneLine(launch("--rm", "-v", "named:/x", PLAIN, "true"),
                "hako: launching plain:1: -v named:/x: named volumes are not supported; give an absolute host path");
        assertOneLine(launch("--rm", "--memory", "lots", PLAIN, "true"), "hako: launching plain:1: --memory lots: not a size (a number with b, k, m or g)");
        assertOneLine(launch("--rm", "-u", "ghost", PLAIN, "true"), "hako: launching plain:1: user \"ghost\": no such user in the image's /etc/passwd");
        assertOneLine(launch("--rm", "--cap-add", "CAP_FLY", PLAIN, "true"), "hako: launching plain:1: \"CAP_FLY\" is not a capability");
        assertOneLine(launch("--rm", "--name", "lost", PLAIN, "/no/such/command"),
                "hako: running container \"lost\": exec: \"/no/such/command\": no such file or directory");
        assertOneLine(launch("-d", "--name", "lost", PLAIN, "/no/such/command"),
                "hako: running container \"lost\": exec: \"/no/such/command\": no such file or directory");
        assertEquals(0, launch("-d", "--name", "taken", PLAIN, "sleep", "100").code());
        assertOneLine(launch("--name", "taken", PLAIN, "true"),
                "hako: launching plain:1: the name \"taken\" is already in use by a container (hako rm taken)");
        assertEquals(0, hako("rm", "-f", "taken").code());
        assertEquals("", hako("ps", "-a").stdout().lines().skip(1).reduce("", String::concat), "nothing left in the store");
    }

    private static void assertOneLine(Hako.Result result, String expected) {
        assertTrue(result.code() != 0, result::toString);
        assertEquals(1, result.stderr().strip().lines().count(), result::toString);
        if (expected != null) assertEquals(expected, result.stderr().strip());
    }

    private static Hako.Result launch(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "launch";
        all[1] = "--network";
        all[2] = "none";
        System.arraycopy(args, 0, all, 3, args.length);
        return Hako.run(root, "", all);
    }

    private static Hako.Result hako(String... args) {
        return Hako.run(root, "", args);
    }

    private static String inspect(String format, String name) {
        Hako.Result result = hako("inspect", "-f", format, name);
        assertEquals(0, result.code(), result::toString);
        return result.stdout().strip();
    }

    private static Path containers() {
        return root.resolveSibling(root.getFileName() + "-containers");
    }

    private static void awaitLog(String name, String line) throws InterruptedException {
        for (int i = 0; i < 100 && !hako("logs", name).stdout().lines().toList().contains(line); i++) Thread.sleep(50);
    }

    private static void awaitStatus(String name, String status) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (hako("ps", "-a").stdout().lines().anyMatch(l -> l.startsWith(name + " ") && l.endsWith(status))) return;
            Thread.sleep(50);
        }
        throw new AssertionError(name + " never became " + status + ": " + hako("ps", "-a").stdout());
    }

    private static void must(List<String> command) {
        Hako.Result result = Hako.exec(command, "");
        if (result.code() != 0) throw new AssertionError(command + ": " + result);
    }

    /** An OCI image layout of uncompressed layers and a config, written as skopeo and umoci write one. */
    static Path layout(Path dir, List<Path> layers, Map<String, Object> config) throws IOException {
        List<Map<String, Object>> layerDescriptors = new java.util.ArrayList<>();
        List<Object> diffIds = new java.util.ArrayList<>();
        for (Path layer : layers) {
            byte[] bytes = Files.readAllBytes(layer);
            String digest = OciLayouts.blob(dir, bytes);
            layerDescriptors.add(OciLayouts.descriptor(OciLayouts.LAYER, digest, bytes.length));
            diffIds.add(digest);
        }
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("architecture", System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64");
        image.put("os", "linux");
        image.put("config", config);
        image.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        OciLayouts.index(dir, List.of(OciLayouts.manifest(dir, image, layerDescriptors)));
        return dir;
    }
}
