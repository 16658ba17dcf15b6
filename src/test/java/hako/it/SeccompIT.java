package hako.it;

import hako.json.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** linux.seccomp, seen from inside: what each call gets under the filter, in init and in exec'd processes. */
class SeccompIT extends ContainerTest {

    private static Hako.Result run(Map<String, Object> spec, String script) {
        Busybox.process(spec).put("args", new ArrayList<>(List.of("sh", "-c", script)));
        return Hako.run(root, "", "run", "--bundle", Busybox.bundle(work, spec).toString(), "sc-" + System.nanoTime());
    }

    /** The default spec with a writable root and this profile. */
    private static Map<String, Object> spec(String seccomp) {
        Map<String, Object> spec = Busybox.spec(rootfs);
        ((Map<String, Object>) spec.get("root")).put("readonly", false);
        Busybox.linux(spec).put("seccomp", Json.parse(seccomp));
        return spec;
    }

    @Test
    void anErrnoRuleFailsItsCallWithEpermOrItsOwnErrno() {
        Hako.Result eperm = run(spec("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}"""),
                "mkdir /tmp/a; echo $?; grep Seccomp: /proc/self/status");
        assertEquals(0, eperm.code(), eperm::toString);
        assertEquals("1\nSeccomp:\t2\n", eperm.stdout());
        assertTrue(eperm.stderr().contains("mkdir: can't create directory '/tmp/a': Operation not permitted"), eperm::toString);

        Hako.Result custom = run(spec("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 33}]}"""),
                "mkdir /tmp/b");
        assertTrue(custom.stderr().contains("Numerical argument out of domain"), custom::toString); // EDOM
    }

    /**
     * runc runs startContainer hooks from init, after the filter is loaded when no_new_privs is
     * off, before it when on: a hook's call is refused in the first case and not in the second.
     */
    @Test
    void aStartContainerHookRunsUnderTheFilterWhereRuncsInitHasLoadedIt() throws Exception {
        for (boolean noNewPrivileges : new boolean[] {false, true}) {
            Map<String, Object> spec = spec("""
                    {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}""");
            Busybox.process(spec).put("noNewPrivileges", noNewPrivileges);
            String dir = "/tmp/hook-" + noNewPrivileges;
            spec.put("hooks", Map.of("startContainer", List.of(Map.of("path", "/bin/sh",
                    "args", List.of("sh", "-c", "mkdir " + dir + " 2>/dev/null; echo $? > " + dir + ".code")))));
            Hako.Result result = run(spec, "cat " + dir + ".code");
            assertEquals(noNewPrivileges ? "0\n" : "1\n", result.stdout(),
                    "noNewPrivileges " + noNewPrivileges + ": " + result);
        }
    }

    @Test
    void killEndsTheProcessWithSigsys() {
        Hako.Result killed = run(spec("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL"}]}"""),
                "exec mkdir /tmp/c");
        assertEquals(128 + 31, killed.code(), killed::toString); // SIGSYS
    }

    @Test
    void anArgumentConditionOnlyHitsMatchingCalls() {
        // linux32 calls personality(PER_LINUX32 = 8), linux64 personality(PER_LINUX = 0).
        Hako.Result result = run(spec("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
                  "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}"""),
                "linux32 true; echo linux32 $?; linux64 true; echo linux64 $?");
        assertEquals("linux32 1\nlinux64 0\n", result.stdout(), result::toString);
    }

    @Test
    void theDefaultProfileRefusesNewUserNamespaces() {
        Map<String, Object> spec = Busybox.spec(rootfs);
        Hako.Result result = run(spec, "unshare -U -r true; echo $?; grep Seccomp: /proc/self/status");
        assertEquals("1\nSeccomp:\t2\n", result.stdout(), result::toString);
        assertTrue(result.stderr().contains("Operation not permitted"), result::toString);
    }

    @Test
    void withoutNoNewPrivilegesTheFilterIsLoadedBeforeTheUserSwitch() {
        // Loaded while init still has CAP_SYS_ADMIN: no_new_privs is not needed, and the
        // setresuid that follows runs under the filter (refused here, so the start fails).
        Map<String, Object> spec = spec("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["setresuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 33}]}""");
        Busybox.process(spec).put("noNewPrivileges", false);
        Busybox.process(spec).put("user", Map.of("uid", 1000L, "gid", 1000L));
        Hako.Result result = run(spec, "true");
        assertEquals(1, result.code(), result::toString);
        assertTrue(result.stderr().contains("switching to user 1000: numerical argument out of domain"), result::toString);
        Busybox.process(spec).put("noNewPrivileges", true);
        Hako.Result late = run(spec, "grep NoNewPrivs: /proc/self/status");
        assertEquals("NoNewPrivs:\t1\n", late.stdout(), "with no_new_privs the switch comes before the filter: " + late);
    }

    @Test
    void execdProcessesHaveTheContainersFilter() {
        Map<String, Object> spec = spec("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 33}]}""");
        Busybox.process(spec).put("args", List.of("sleep", "100"));
        String id = "sc-exec";
        assertEquals(0, Hako.run(root, "", "run", "-d", "--bundle", Busybox.bundle(work, spec).toString(), id).code());
        try {
            Hako.Result exec = Hako.run(root, "", "exec", id, "sh", "-c", "grep Seccomp: /proc/self/status; mkdir /tmp/d");
            assertEquals("Seccomp:\t2\n", exec.stdout(), exec::toString);
            assertTrue(exec.stderr().contains("Numerical argument out of domain"), exec::toString);
        } finally {
            assertEquals(0, Hako.run(root, "", "delete", "--force", id).code());
        }
    }

    @Test
    void notifyHandsTheListenerAndTheStateToTheAgentWhichAnswers() throws Throwable {
        java.nio.file.Path socket = work.resolve("agent.sock");
        try (NotifyAgent agent = new NotifyAgent(socket, 13 /* EACCES */)) {
            Map<String, Object> spec = spec("""
                    {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "%s", "listenerMetadata": "test-metadata",
                     "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}""".formatted(socket));
            Busybox.process(spec).put("args", new ArrayList<>(List.of("sh", "-c", "mkdir /tmp/e; echo $?")));
            String id = "sc-notify";
            Hako.Result result = Hako.run(root, "", "run", "--bundle", Busybox.bundle(work, spec).toString(), id);
            assertEquals("1\n", result.stdout(), result::toString);
            assertTrue(result.stderr().contains("Permission denied"), "the agent's answer, EACCES: " + result);
            NotifyAgent.Seen seen = agent.seen.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(83 /* mkdir, x86_64 */), seen.calls());
            @SuppressWarnings("unchecked")
            Map<String, Object> state = (Map<String, Object>) Json.parse(seen.state());
            assertEquals(List.of("seccompFd"), state.get("fds"));
            assertEquals("test-metadata", state.get("metadata"));
            @SuppressWarnings("unchecked")
            Map<String, Object> container = (Map<String, Object>) state.get("state");
            assertEquals(id, container.get("id"));
            assertEquals("creating", container.get("status"));
            assertEquals(container.get("pid"), state.get("pid"), "init's own filter");
        }
    }
}
