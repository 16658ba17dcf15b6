package hako.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm path (docs/warm.md): what a long-lived runtime serving many callers must not change.
 * Each test runs its calls inside a network namespace of its own (unshare -n), so that it has a
 * warm runtime of its own, started by its first call and ended (by pid) at its end.
 */
class WarmIT extends ContainerTest {
    private static final Pattern TRACE = Pattern.compile("hako: warm runtime (\\S+): (.*)");

    /**
     * A shell script run in a fresh network namespace, with the trace on and a short idle time
     * (and the warm path on, whatever the suite runs with). {@code warm} in it starts the
     * namespace's warm runtime and waits until it listens.
     */
    private static Hako.Result inNetns(String script) {
        String warm = "warm() { $HAKO --version >/dev/null 2>&1; i=0; until grep '@hako-warm/' /proc/net/unix | grep -qv starting"
                + " || [ $i -gt 200 ]; do sleep 0.1; i=$((i+1)); done; }; ";
        return Hako.exec(List.of("unshare", "-n", "sh", "-c", "ip link set lo up; " + warm + script), "",
                Map.of("HAKO_WARM", "1", "HAKO_WARM_TRACE", "1", "HAKO_WARM_IDLE", "4",
                        "HAKO", Hako.LAUNCHER.toAbsolutePath().toString(), "ROOT", root.toString()));
    }

    /** How each call went, from the trace lines. */
    private static List<String> paths(String stderr) {
        List<String> paths = new ArrayList<>();
        for (String line : stderr.split("\n")) {
            Matcher m = TRACE.matcher(line);
            if (m.matches()) paths.add(m.group(2));
        }
        return paths;
    }

    private static String name(String stderr) {
        for (String line : stderr.split("\n")) {
            Matcher m = TRACE.matcher(line);
            if (m.matches()) return m.group(1);
        }
        throw new AssertionError("no trace in: " + stderr);
    }

    /** Waits until the runtime {@code name} has ended by itself; asserts that it did. */
    private static void assertEndsWhenIdle(String name) throws Exception {
        WarmRuntimes.awaitEnded(WarmRuntimes.named(name));
    }

    @Test
    void theFirstCallStartsARuntimeTheNextAreServedAndItEndsWhenIdle() throws Exception {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "sh", "-c", "echo in $(cat /proc/self/cgroup | wc -l)"));
        Hako.Result result = inNetns("cd " + bundle + "; for i in 1 2 3 4 5; do $HAKO --root $ROOT run w$i || exit 9;"
                + " [ $i = 1 ] && warm; done; true");
        assertEquals(0, result.code(), result.toString());
        List<String> paths = paths(result.stderr());
        assertEquals(5, paths.size(), result.toString());
        assertTrue(paths.getFirst().startsWith("none"), paths.toString());
        assertEquals(List.of("served", "served", "served", "served"), paths.subList(1, 5), result.toString());
        assertEquals(5, result.stdout().lines().filter(l -> l.startsWith("in ")).count(), result.stdout());
        assertEndsWhenIdle(name(result.stderr()));
    }

    @Test
    void aCallerInAnotherNetworkNamespaceHasItsOwnRuntimeAndNetwork() throws Exception {
        // Two namespaces, one after the other: each call's container must see its caller's
        // namespace's links (a veth pair named after it), never the other's.
        Path bundle = Busybox.bundle(work, withHostNetwork(Busybox.spec(rootfs, "ip", "-o", "link")));
        String script = "ip link add $TAG type veth peer name $TAG-peer; cd " + bundle + "; warm; $HAKO --root $ROOT run n-$TAG";
        Hako.Result a = inNetns("TAG=aaa; " + script);
        Hako.Result b = inNetns("TAG=bbb; " + script);
        assertEquals(0, a.code(), a.toString());
        assertEquals(0, b.code(), b.toString());
        assertEquals("served", paths(a.stderr()).getLast(), a.toString());
        assertEquals("served", paths(b.stderr()).getLast(), b.toString());
        assertTrue(a.stdout().contains("aaa") && !a.stdout().contains("bbb"), a.stdout());
        assertTrue(b.stdout().contains("bbb") && !b.stdout().contains("aaa"), b.stdout());
        assertNotEquals(name(a.stderr()), name(b.stderr()));
        assertEndsWhenIdle(name(a.stderr()));
        assertEndsWhenIdle(name(b.stderr()));
    }

    /** The spec without a network namespace: the container shares its caller's. */
    private static Map<String, Object> withHostNetwork(Map<String, Object> spec) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> namespaces = (List<Map<String, Object>>) Busybox.linux(spec).get("namespaces");
        namespaces.removeIf(ns -> "network".equals(ns.get("type")));
        return spec;
    }

    @Test
    void theCallersDirectoryUmaskAndCgroupAreTheOnesUsed() throws Exception {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "sleep", "30"));
        Path cgroupRoot = Path.of("/sys/fs/cgroup/unified");
        if (!Files.isDirectory(cgroupRoot)) cgroupRoot = Path.of("/sys/fs/cgroup");
        Path caller = Files.createDirectory(cgroupRoot.resolve("hako-warm-it-" + ProcessHandle.current().pid()));
        try {
            // A relative bundle and pid file (the caller's directory), umask 077 (the pid file's
            // mode), the caller moved into a cgroup of its own: the container's default cgroup
            // (hako/ID) is under it, as under runc, whose own cgroup it would be.
            String script = "cd " + bundle.getParent() + "; warm; echo $$ > " + caller + "/cgroup.procs; umask 077;"
                    + " $HAKO --root $ROOT create --bundle " + bundle.getFileName() + " --pid-file rel.pid ctx </dev/null >/dev/null;"
                    + " echo $$ > " + cgroupRoot + "/cgroup.procs; ls -l rel.pid; cat /proc/$(cat rel.pid)/cgroup;"
                    + " $HAKO --root $ROOT delete -f ctx; rm rel.pid";
            Hako.Result result = inNetns(script);
            assertEquals(0, result.code(), result.toString());
            assertEquals(List.of("served", "served"), paths(result.stderr()), result.toString());
            assertTrue(result.stdout().startsWith("-rw------- "), result.stdout());
            String placed = "0::/" + cgroupRoot.relativize(caller) + "/hako/ctx";
            assertTrue(result.stdout().lines().anyMatch(placed::equals), "not in " + placed + ": " + result.stdout());
            assertEndsWhenIdle(name(result.stderr()));
        } finally {
            Files.deleteIfExists(caller.resolve("hako"));
            Files.deleteIfExists(caller);
        }
    }

    @Test
    void anotherUserOrACallerWithFewerRightsIsRefusedAndRunsOneShot() throws Exception {
        // Both name the root's runtime of this namespace themselves (HAKO_WARM_NAME): their own
        // command would compute another name; the runtime must refuse them all the same.
        Hako.Result result = inNetns("warm; NAME=$($HAKO --version 2>&1 >/dev/null | sed -n 's/^hako: warm runtime \\([^:]*\\):.*/\\1/p');"
                + " export HAKO_WARM_NAME=$NAME;"
                + " setpriv --reuid 65534 --regid 65534 --clear-groups $HAKO --version;"
                + " setpriv --bounding-set -sys_admin $HAKO --version;"
                + " setpriv --nnp $HAKO --version;"
                + " $HAKO --version");
        assertEquals(0, result.code(), result.toString());
        assertEquals(List.of("refused; one-shot", "refused; one-shot", "refused; one-shot", "served"), paths(result.stderr()),
                result.toString());
        assertEquals(4, result.stdout().lines().filter(l -> l.startsWith("hako version")).count(), result.toString());
        assertEndsWhenIdle(name(result.stderr()));
    }

    @Test
    void aRuntimeKilledMidCallLosesNoContainerAndTheNextCallWorks() throws Exception {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "sleep", "30"));
        Hako.Result started = inNetns("cd " + bundle + "; warm;"
                + " $HAKO --root $ROOT create k1 >/dev/null 2>&1 </dev/null;"
                + " $HAKO --root $ROOT run k2 & RUN=$!; sleep 2;"
                + " NAME=$($HAKO --version 2>&1 >/dev/null | sed -n 's/^hako: warm runtime \\([^:]*\\):.*/\\1/p');"
                + " for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q \" warm-serve $NAME \" && kill -9 ${p#/proc/}; done;"
                + " $HAKO --root $ROOT state k1; $HAKO --root $ROOT start k1; $HAKO --root $ROOT kill k1 KILL;"
                + " $HAKO --root $ROOT delete -f k2; wait $RUN; echo run-exit=$?; sleep 1; $HAKO --root $ROOT delete -f k1");
        assertTrue(started.stdout().contains("run-exit=125"), started.toString());
        assertTrue(started.stderr().contains("the warm runtime ended during the call"), started.toString());
        assertTrue(started.stdout().contains("\"status\": \"created\""), started.toString());
        assertEquals(0, started.code(), started.toString());
        assertEquals(List.of(), Hako.run(root, "", "list", "-q").stdout().lines().filter(l -> l.startsWith("k")).toList());
        assertEndsWhenIdle(name(started.stderr()));
    }

    @Test
    void parallelCallsAreSafe() throws Exception {
        Path bundle = Busybox.bundle(work, Busybox.spec(rootfs, "sh", "-c", "echo ok $$"));
        // One namespace, 12 calls at once: 6 runs of distinct containers and 6 creates of one id.
        Hako.Result result = inNetns("cd " + bundle + "; warm;"
                + " for i in 1 2 3 4 5 6; do ($HAKO --root $ROOT run p$i > out-p$i 2>&1; echo $? > rc-p$i) &"
                + " ($HAKO --root $ROOT create same </dev/null > /dev/null 2>err-s$i; echo $? > rc-s$i) & done; wait;"
                + " cat out-p*; cat rc-p* | sort | uniq -c; cat rc-s* | sort | uniq -c;"
                + " $HAKO --root $ROOT delete -f same; rm -f out-* rc-* err-*");
        assertEquals(0, result.code(), result.toString());
        assertEquals(6, result.stdout().lines().filter(l -> l.equals("ok 1")).count(), result.toString());
        assertTrue(result.stdout().contains("      6 0"), result.toString()); // the runs
        assertTrue(result.stdout().contains("      1 0") && result.stdout().contains("      5 1"), result.toString());
        assertEndsWhenIdle(name(result.stderr()));
    }
}
