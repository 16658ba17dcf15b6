package hako.hooks;

import hako.spec.Hook;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What running hooks does to the machine — the stage, stdin, the wait, the kill — in the recording fake. */
class HookRunnerTest {
    static final String STATE = "{\"ociVersion\": \"1.2.0\", \"id\": \"web\", \"status\": \"created\"}";
    static final Path BUNDLE = Path.of("/bundles/web");

    final HookCallsFake fake = new HookCallsFake();
    final HookRunner runner = new HookRunner(fake);

    static Hook hook(String path, Integer timeout) {
        return new Hook(path, List.of(path.substring(path.lastIndexOf('/') + 1), "--flag"), List.of("A=1"), timeout);
    }

    @Test
    void eachHookIsStartedByAStageOfItsOwnWithTheStateOnItsStdinAndWaitedFor() {
        fake.program("/hooks/one", 0, "").program("/hooks/two", 0, "");

        runner.run(List.of(hook("/hooks/one", null), hook("/hooks/two", null)), "prestart", STATE, HookRunner.Place.host(BUNDLE));

        assertEquals(List.of(
                "launch-stage", "clone 1001: clone3(CLONE_PARENT)  → init", "exec 1001 /hooks/one [one, --flag]",
                "stdin 1001 " + STATE, "close-stage", "waitpid 1001",
                "launch-stage", "clone 1002: clone3(CLONE_PARENT)  → init", "exec 1002 /hooks/two [two, --flag]",
                "stdin 1002 " + STATE, "close-stage", "waitpid 1002"),
                fake.calls("launch-stage", "clone", "exec", "stdin", "close-stage", "waitpid"));
        assertEquals(List.of(), fake.openDescriptors(), "the state's and the output's memfds are closed");
        assertEquals(List.of(), fake.unreaped());
    }

    @Test
    void theStateIsWrittenWholeThenRewoundBeforeTheHookStarts() {
        fake.program("/hooks/one", 0, "");

        runner.run(List.of(hook("/hooks/one", null)), "prestart", STATE, HookRunner.Place.host(BUNDLE));

        List<String> calls = fake.calls("memfd", "write", "seek", "exec");
        assertEquals(List.of("memfd hako-hook-state", "write hako-hook-state " + STATE, "seek hako-hook-state 0",
                "memfd hako-hook-output", "exec 1001 /hooks/one [one, --flag]"), calls);
    }

    @Test
    void aHookThatFailsStopsTheRestWithAnErrorNamingItAndTheEndOfWhatItPrinted() {
        fake.program("/hooks/one", 0, "").program("/hooks/bad", 3, "cannot reach the registry\n").program("/hooks/never", 0, "");

        HookException e = assertThrows(HookException.class, () -> runner.run(
                List.of(hook("/hooks/one", null), hook("/hooks/bad", null), hook("/hooks/never", null)),
                "createRuntime", STATE, HookRunner.Place.host(BUNDLE)));

        assertEquals("createRuntime hook #1 (/hooks/bad) exited with status 3: cannot reach the registry", e.getMessage());
        assertTrue(fake.calls("exec").stream().noneMatch(c -> c.contains("/hooks/never")), "the hooks after it do not run");
        assertEquals(List.of(), fake.openDescriptors());
        assertEquals(List.of(), fake.unreaped());
    }

    @Test
    void aHookPastItsTimeoutIsKilledReapedAndNamed() {
        fake.hangingProgram("/hooks/slow");

        HookException e = assertThrows(HookException.class, () -> runner.run(List.of(hook("/hooks/slow", 2)), "prestart",
                STATE, HookRunner.Place.host(BUNDLE)));

        assertEquals("prestart hook #0 (/hooks/slow) timed out after 2 s", e.getMessage());
        assertEquals(List.of("pidfd 1001", "poll pidfd 1001 2000", "close pidfd 1001", "kill 1001 9", "waitpid 1001"),
                fake.calls("pidfd", "poll", "close", "kill", "waitpid").stream()
                        .filter(c -> !c.startsWith("close hako-hook")).toList());
        assertEquals(List.of(), fake.unreaped());
        assertEquals(List.of(), fake.openDescriptors());
    }

    @Test
    void aHookThatEndsWithinItsTimeoutIsNotKilled() {
        fake.program("/hooks/quick", 0, "");

        runner.run(List.of(hook("/hooks/quick", 5)), "prestart", STATE, HookRunner.Place.host(BUNDLE));

        assertEquals(List.of(), fake.calls("kill"));
        assertEquals(List.of("waitpid 1001"), fake.calls("waitpid"));
    }

    @Test
    void poststopHooksThatFailAreWarningsAndTheNextStillRuns() {
        fake.program("/hooks/bad", 1, "").program("/hooks/next", 0, "");

        runner.runWarningOnFailure(List.of(hook("/hooks/bad", null), hook("/hooks/next", null)), "poststop", STATE,
                HookRunner.Place.host(BUNDLE));

        assertEquals(List.of("exec 1001 /hooks/bad [bad, --flag]", "exec 1002 /hooks/next [next, --flag]"), fake.calls("exec"));
    }

    @Test
    void aHookThatCannotStartIsReapedAndSaidSo() {
        fake.failOn("exec 1001", 2 /* ENOENT */);

        HookException e = assertThrows(HookException.class, () -> runner.run(List.of(hook("/hooks/gone", null)), "prestart",
                STATE, HookRunner.Place.host(BUNDLE)));

        assertTrue(e.getMessage().startsWith("prestart hook #0 (/hooks/gone) could not be started: starting gone: "), e.getMessage());
        assertEquals(List.of("waitpid 1001"), fake.calls("waitpid"), "its init exits once the stage closes: reaped");
        assertEquals(List.of(), fake.unreaped());
    }

    @Test
    void createContainerHooksJoinInitsNamespacesByDescriptorTheMountNamespaceLast() {
        fake.program("/hooks/in", 0, "");

        runner.run(List.of(hook("/hooks/in", null)), "createContainer", STATE,
                HookRunner.Place.beforePivot(42, List.of("pid", "net", "mnt"), Path.of("/bundles/web/rootfs")));

        assertEquals(List.of("open /proc/42/ns/pid", "open /proc/42/ns/net", "open /proc/42/ns/mnt"), fake.calls("open"));
        String clone = fake.calls("clone").getFirst();
        assertTrue(clone.indexOf("/proc/42/ns/pid") < clone.indexOf("/proc/42/ns/mnt") && clone.endsWith("clone3(CLONE_PARENT)  → init"), clone);
        assertEquals(List.of(), fake.openDescriptors(), "the namespaces' descriptors are closed after the hook");
    }
}
