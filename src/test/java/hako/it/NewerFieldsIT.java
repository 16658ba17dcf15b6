package hako.it;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime spec's newer fields (1.2, 1.3), which runc 1.2+ and crun apply: each is seen from
 * inside the container, in init and in a process exec'd there.
 */
class NewerFieldsIT extends ContainerTest {

    static String run(Map<String, Object> spec, String script) {
        Busybox.process(spec).put("args", new ArrayList<>(List.of("sh", "-c", script)));
        Hako.Result result = Hako.run(root, "", "run", "--bundle", Busybox.bundle(work, spec).toString(), "new-" + System.nanoTime());
        assertEquals(0, result.code(), result::toString);
        return result.stdout();
    }

    /** Field 19 of /proc/self/stat is the nice value, field 41 the scheduling policy. */
    @Test
    void schedulerAndIoPriorityAreTheProcesses() {
        Map<String, Object> spec = Busybox.spec(rootfs);
        Busybox.process(spec).put("scheduler", Map.of("policy", "SCHED_BATCH", "nice", 7L));
        Busybox.process(spec).put("ioPriority", Map.of("class", "IOPRIO_CLASS_IDLE", "priority", 0L));
        assertEquals("7 3\nidle\n", run(spec, "cut -d' ' -f19,41 /proc/self/stat; ionice"));
    }

    @Test
    void personalityLinux32ShowsA32BitMachine() {
        Map<String, Object> spec = Busybox.spec(rootfs);
        Busybox.linux(spec).put("personality", Map.of("domain", "LINUX32"));
        assertTrue(run(spec, "uname -m").strip().matches("i[3-6]86"));
    }

    @Test
    void timeOffsetsMoveTheContainersClocks() {
        Map<String, Object> spec = Busybox.spec(rootfs);
        @SuppressWarnings("unchecked")
        List<Object> namespaces = (List<Object>) Busybox.linux(spec).get("namespaces");
        namespaces.add(Map.of("type", "time"));
        Busybox.linux(spec).put("timeOffsets", Map.of("boottime", Map.of("secs", 86_400_000L), "monotonic", Map.of("secs", 7L)));
        double uptime = Double.parseDouble(run(spec, "cut -d' ' -f1 /proc/uptime").strip());
        assertTrue(uptime > 86_400_000, "uptime in the container: " + uptime);
    }

    @Test
    void memoryPolicyBindsTheProcessToItsNodes() {
        Map<String, Object> spec = Busybox.spec(rootfs);
        Busybox.linux(spec).put("memoryPolicy", Map.of("mode", "MPOL_BIND", "nodes", "0"));
        assertTrue(run(spec, "grep -c 'bind:0' /proc/self/numa_maps").strip().matches("[1-9][0-9]*"));
    }

    @Test
    void theContainerHasASessionKeyringOfItsOwnWhichExecJoinsAgain() throws Exception {
        Map<String, Object> spec = Busybox.spec(rootfs, "sleep", "100");
        ((List<?>) Busybox.linux(spec).get("maskedPaths")).remove("/proc/keys"); // masked by default, as runc does
        String id = "keyring";
        assertEquals(0, Hako.run(root, "", "run", "-d", "--bundle", Busybox.bundle(work, spec).toString(), id).code());
        try {
            Hako.Result exec = Hako.run(root, "", "exec", id, "sh", "-c", "grep -c ' keyring .*_ses." + id + ": ' /proc/keys");
            assertEquals("1\n", exec.stdout(), exec::toString);
        } finally {
            assertEquals(0, Hako.run(root, "", "delete", "--force", id).code());
        }

        // --no-new-keyring: the process keeps the caller's session keyring, no _ses.ID is made
        Busybox.process(spec).put("args", List.of("sh", "-c", "grep -c '_ses.nokeys: ' /proc/keys || true"));
        Hako.Result kept = Hako.run(root, "", "run", "--no-new-keyring", "--bundle", Busybox.bundle(work, spec).toString(), "nokeys");
        assertEquals("0\n", kept.stdout(), kept::toString);
        Leaks.assertNone(work, root);
    }

    @Test
    void execCpuAffinityIsTheExecdProcesses() throws Exception {
        Map<String, Object> spec = Busybox.spec(rootfs, "sleep", "100");
        assertEquals(0, Hako.run(root, "", "run", "-d", "--bundle", Busybox.bundle(work, spec).toString(), "pinned").code());
        try {
            pinned();
        } finally {
            assertEquals(0, Hako.run(root, "", "delete", "--force", "pinned").code());
        }
        Leaks.assertNone(work, root);
    }

    private static void pinned() throws Exception {
        java.nio.file.Path process = work.resolve("pinned-process.json");
        java.nio.file.Files.writeString(process, """
                {"args": ["sh", "-c", "grep Cpus_allowed_list /proc/self/status | cut -f2"], "cwd": "/",
                 "env": ["PATH=/bin"], "execCPUAffinity": {"initial": "0-1", "final": "1"}}""");
        Hako.Result exec = Hako.run(root, "", "exec", "--process", process.toString(), "pinned");
        assertEquals("1\n", exec.stdout(), exec::toString);
        // without it, every CPU: not the caller's pinning (taskset pins the hako command here)
        Hako.Result free = Hako.exec(List.of("taskset", "-c", "0", Hako.LAUNCHER.toString(), "--root", root.toString(),
                "exec", "pinned", "sh", "-c", "grep Cpus_allowed_list /proc/self/status | cut -f2"), "");
        assertEquals(new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/sys/devices/system/cpu/online"))).strip() + "\n",
                free.stdout(), free::toString);
    }
}
