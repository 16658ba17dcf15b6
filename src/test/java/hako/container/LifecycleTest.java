package hako.container;

import hako.cgroup.Hierarchy;
import hako.json.Json;
import hako.net.NetworkRequest;
import hako.spec.DefaultSpec;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.state.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What create, start, run, kill and delete do to the machine, against {@link ContainerCallsFake}
 * (no root, nothing run): the order of their calls, and that a failure at any step leaves
 * nothing behind. The state directory is real, in a temporary directory.
 */
class LifecycleTest {
    static final List<String> HOOK_KINDS = List.of("prestart", "createRuntime", "createContainer", "startContainer",
            "poststart", "poststop");

    @TempDir
    Path work;

    ContainerCallsFake fake = new ContainerCallsFake();
    StateDir states;

    /** A bundle whose process is /bin/app, with a memory limit, one hook of each kind (/hooks/KIND) and a network. */
    @SuppressWarnings("unchecked")
    Path bundle(boolean network) throws IOException {
        Map<String, Object> tree = (Map<String, Object>) Json.parse(Json.write(DefaultSpec.tree()));
        Map<String, Object> process = (Map<String, Object>) tree.get("process");
        process.put("args", List.of("/bin/app"));
        process.put("terminal", false);
        Map<String, Object> hooks = new LinkedHashMap<>();
        for (String kind : HOOK_KINDS) hooks.put(kind, List.of(Map.of("path", "/hooks/" + kind, "args", List.of(kind))));
        tree.put("hooks", hooks);
        if (network) tree.put("annotations", Map.of(NetworkRequest.ANNOTATION_NETWORK, "bridge"));
        ((Map<String, Object>) tree.get("linux")).put("resources", Map.of("memory", Map.of("limit", 268435456L)));
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.writeString(bundle.resolve("config.json"), Json.write(tree));
        for (String kind : HOOK_KINDS) fake.program("/hooks/" + kind, 0, "");
        return bundle;
    }

    Builder builder(boolean create, boolean network) throws IOException {
        return builder(create, network, false);
    }

    Builder builder(boolean create, boolean network, boolean systemd) throws IOException {
        states = new StateDir(work.resolve("state"));
        Path cgroups = Files.createDirectories(work.resolve("cgroup"));
        Files.writeString(cgroups.resolve("cgroup.controllers"), "cpu memory pids\n");
        Files.writeString(cgroups.resolve("cgroup.subtree_control"), "");
        ContainerPlan plan = ContainerPlan.of(states, new ContainerPlan.Request("web", bundle(network), create, !create,
                Handover.NONE, NetworkRequest.Flags.NONE, systemd), new Hierarchy(cgroups, "/", Map.of()));
        return new Builder(states, plan, Handover.NONE, fake);
    }

    /** hako create: init waits on the fifo. */
    void created() throws IOException {
        try (Builder builder = builder(true, false)) {
            builder.build();
            builder.start();
        }
    }

    /** The hooks run, by kind, in order. */
    List<String> hooksRun() {
        return fake.calls("exec").stream().filter(c -> c.contains("/hooks/"))
                .map(c -> c.substring(c.indexOf("/hooks/") + 7, c.indexOf(' ', c.indexOf("/hooks/")))).toList();
    }

    /** The first words of the calls, those that change something, in order. */
    List<String> changes() {
        return fake.calls("mkfifo", "make-cgroup", "prepare-network", "launch-stage", "clone", "wire-network", "batch",
                "send-last", "exec", "kill", "waitpid", "destroy-cgroup", "release-network", "rm").stream()
                .map(c -> c.split(" ")[0]).toList();
    }

    /** The first call that ends with (or starts with) {@code text}. */
    static int indexOf(List<String> calls, String text) {
        for (int i = 0; i < calls.size(); i++) if (calls.get(i).endsWith(text) || calls.get(i).startsWith(text)) return i;
        return -1;
    }

    void assertNothingLeft() {
        assertFalse(states.exists("web"), "the state directory is gone");
        states.create("web").close(); // the id is free and its lock not held
        states.remove("web");
        assertEquals(List.of(), fake.unreaped(), "every process made was killed and reaped");
        assertEquals(List.of(), fake.openDescriptors());
    }

    // ---------------------------------------------------------------- create and start

    @Test
    void createMakesTheFifoAndCgroupThenClonesInitAndLeavesItWaitingForStart() throws IOException {
        created();

        List<String> hook = List.of("launch-stage", "clone", "exec", "waitpid");   // each hook: a stage of its own, waited for
        List<String> expected = new ArrayList<>(List.of("mkfifo", "make-cgroup", "launch-stage", "clone", "batch"));
        for (int i = 0; i < 3; i++) expected.addAll(hook);
        expected.addAll(List.of("batch", "batch", "send-last"));
        assertEquals(expected, changes(), "the fifo and the cgroup before init; the create hooks between the mount batches");
        assertEquals(List.of("prestart", "createRuntime", "createContainer"), hooksRun());
        assertTrue(fake.calls("clone").getFirst().startsWith("clone 1001: "));
        assertTrue(fake.calls().contains("open-cgroup " + work.resolve("cgroup/hako/web")), "init is born in its cgroup");
        ContainerState state = states.load("web");
        assertEquals(1001, state.pid());
        assertEquals(Status.CREATED, ContainerStatus.of(fake, states, state));
        assertFalse(states.locked("web"), "create let go of the lock");
        assertTrue(fake.running(1001), "init waits on the fifo");
        assertEquals(List.of(), fake.openDescriptors(), "the fifo's O_PATH descriptor went to init and is closed here");
    }

    @Test
    void withSystemdTheStageComesFirstAsTheScopesProcessAndClonesInitIntoIt() throws IOException {
        try (Builder builder = builder(true, false, true)) {
            builder.build();
            builder.start();
        }

        List<String> changes = changes();
        assertEquals(List.of("mkfifo", "launch-stage", "make-cgroup", "clone", "batch"), changes.subList(0, 5),
                "one stage: launched before the scope, which gets it as its first process, then cloning init");
        Path scope = work.resolve("cgroup/system.slice/hako-web.scope");
        assertEquals(List.of("make-cgroup " + scope + " as hako-web.scope first 900"), fake.calls("make-cgroup"));
        assertTrue(fake.calls().contains("open-cgroup " + scope), "init is born in the scope's cgroup");
        ContainerState state = states.load("web");
        assertEquals("hako-web.scope", state.systemdUnit());
        assertEquals(scope.toString(), state.cgroup());

        Delete.delete(fake, states, "web", true);
        assertEquals(List.of("destroy-cgroup " + scope + " stop hako-web.scope"), fake.calls("destroy-cgroup"));
        assertFalse(fake.running(1001));
        assertFalse(states.exists("web"));
    }

    @Test
    void aScopeSystemdRefusesEndsTheStageAndLeavesNothing() throws IOException {
        fake.failOn("make-cgroup", 17);
        try (Builder builder = builder(true, false, true)) {
            assertThrows(RuntimeException.class, builder::build);
        }
        assertEquals(List.of(), fake.calls("destroy-cgroup"), "a unit that did not start is not stopped: it may be another's");
        assertTrue(fake.calls().contains("close-stage"));
        assertNothingLeft();
    }

    @Test
    void startRunsTheStartHooksOpensTheFifoSavesRunningThenRunsPoststart() throws IOException {
        created();
        fake.forgetCalls();

        Start.start(fake, states, "web");

        Path fifo = states.fifo("web");
        List<String> calls = fake.calls();
        int startHook = indexOf(calls, "/hooks/startContainer [startContainer]");
        int open = calls.indexOf("open " + fifo), read = calls.indexOf("read " + fifo), rm = calls.indexOf("rm " + fifo);
        int poststart = indexOf(calls, "/hooks/poststart [poststart]");
        assertTrue(startHook >= 0 && startHook < open && open < read && read < rm && rm < poststart, String.join("\n", calls));
        assertEquals(Status.RUNNING, states.load("web").phase());
        assertEquals(Status.RUNNING, ContainerStatus.of(fake, states, states.load("web")));
        assertTrue(fake.running(1001), "init exec'd its process");
        assertTrue(fake.calls("stdin").get(1).contains("\"status\":\"running\""), "poststart sees the container running");
    }

    @Test
    void startOfAContainerWhoseInitDiedSaysSoAndLeavesItsState() throws IOException {
        created();
        fake.exit(1001, 1);

        RuntimeException e = assertThrows(hako.state.StateException.class, () -> Start.start(fake, states, "web"));
        assertTrue(e.getMessage().contains("stopped"), e.getMessage());
        assertTrue(states.exists("web"), "delete removes it");
    }

    // ---------------------------------------------------------------- run: the hooks, the undo

    @Test
    void runRunsEveryKindOfHookInTheSpecsOrderAndPoststopWhenItEnds() throws IOException {
        try (Builder builder = builder(false, false)) {
            builder.build();
            builder.start();
            fake.exit(1001, 0);
            builder.waitForExit();
            builder.abort();
        }

        assertEquals(HOOK_KINDS, hooksRun());
        List<String> stdin = fake.calls("stdin");
        assertTrue(stdin.get(0).contains("\"status\":\"created\"") && stdin.get(0).contains("\"pid\":1001"), stdin.get(0));
        assertTrue(stdin.getLast().contains("\"status\":\"stopped\"") && stdin.getLast().contains("\"pid\":0"), stdin.getLast());
        assertNothingLeft();
    }

    @Test
    void theCreateRuntimeHookJoinsNothingAndTheCreateContainerHookJoinsInitsNamespaces() throws IOException {
        try (Builder builder = builder(true, false)) {
            builder.build();
        }
        List<String> clones = fake.calls("clone");
        assertFalse(clones.get(2).contains("setns"), "createRuntime: on the host: " + clones.get(2));
        assertTrue(clones.get(3).contains("setns(open(\"/proc/1001/ns/mnt\")"), "createContainer: in init's namespaces: " + clones.get(3));
    }

    /** How each step of the plan is made to fail: the call it makes first, or its hook exiting 1. */
    void failStep(Step step) {
        switch (step) {
            case Step.PrepareNetwork s -> fake.failOn("prepare-network", 12);
            case Step.MakeFifo s -> fake.failOn("mkfifo", 28);
            case Step.MakeCgroup s -> fake.failOn("make-cgroup", 16);
            case Step.CloneInit s -> fake.failOn("clone 1001", 1);
            case Step.WireNetwork s -> fake.failOn("wire-network", 17);
            case Step.InitBatch s -> fake.failOn("batch 1001: " + s.ops().getFirst().render(), 13);
            case Step.RunHooks s -> fake.program("/hooks/" + s.kind(), 1, "refused");
            case Step.AwaitStart s -> fake.failOn("send-last", 32);
            case Step.Exec s -> fake.failOn("exec 1001 /bin/app", 2);
            default -> throw new IllegalArgumentException(step.toString());
        }
    }

    /** The steps whose failure the fake can bring about (the state directory's own are real); poststart's is a warning. */
    static boolean failable(Step step) {
        return !(step instanceof Step.ClaimState || step instanceof Step.SaveState || step instanceof Step.Unlock
                || step instanceof Step.RunHooks hooks && hooks.warnOnFailure());
    }

    @Test
    void aFailureAtAnyStepOfRunOrCreateLeavesNothingBehind() throws IOException {
        List<String> tried = new ArrayList<>();
        for (boolean create : List.of(false, true)) {
            List<Step> steps = builder(create, true).plan().steps();
            for (int i = 0; i < steps.size(); i++) {
                if (!failable(steps.get(i))) continue;
                fake = new ContainerCallsFake();
                Builder builder = builder(create, true);
                Step failing = builder.plan().steps().get(i);
                failStep(failing);
                tried.add(failing.getClass().getSimpleName());
                try (builder) {
                    assertThrows(RuntimeException.class, () -> {
                        builder.build();
                        builder.start();
                    }, "failing at " + failing.title());
                }
                String where = (create ? "create" : "run") + ", failing at " + failing.title() + ": " + fake.calls();
                assertFalse(states.exists("web"), where);
                assertEquals(List.of(), fake.unreaped(), where);
                assertEquals(List.of(), fake.openDescriptors(), where);
                assertEquals(fake.calls("prepare-network").size(), fake.calls("release-network").size(), where);
                // a make that fails removes what it made itself (CgroupTest); one that succeeded is destroyed
                int made = fake.calls("make-cgroup").size() - (failing instanceof Step.MakeCgroup ? 1 : 0);
                assertEquals(made, fake.calls("destroy-cgroup").size(), where);
                List<String> calls = fake.calls();
                if (calls.contains("kill 1001 9")) {   // init was cloned: killed before its cgroup goes, the network last
                    assertTrue(calls.indexOf("kill 1001 9") < indexOf(calls, "destroy-cgroup")
                            && indexOf(calls, "destroy-cgroup") < indexOf(calls, "release-network"), "undone last first: " + where);
                }
                assertNothingLeft();
            }
        }
        assertTrue(tried.containsAll(List.of("PrepareNetwork", "MakeFifo", "MakeCgroup", "CloneInit", "WireNetwork", "InitBatch",
                "RunHooks", "AwaitStart", "Exec")), tried.toString());
    }

    @Test
    void aCreateThatLosesTheRaceForItsIdLeavesTheWinnerAlone() throws IOException {
        Builder first = builder(true, false);
        Builder second = new Builder(states, first.plan(), Handover.NONE, fake); // planned before the id was taken
        try (first) {
            first.build();
            first.start();
        }
        fake.forgetCalls();

        try (second) {
            assertEquals("container \"web\" already exists", assertThrows(RuntimeException.class, second::build).getMessage());
        }
        assertEquals(Status.CREATED, ContainerStatus.of(fake, states, states.load("web")));
        assertEquals(List.of(), changes(), "nothing of the winner's undone");
        assertTrue(fake.running(1001));
    }

    // ---------------------------------------------------------------- kill and delete

    // ---------------------------------------------------------------- exec

    /** A process for exec: {@code args}, no terminal, as runc exec --process gives one. */
    static hako.spec.Spec.Process execProcess(String... args) {
        return hako.spec.SpecReader.parseProcess(Json.write(Map.of("args", List.of(args), "cwd", "/", "terminal", false,
                "user", Map.of("uid", 0, "gid", 0))), "process.json");
    }

    @Test
    void execJoinsInitsNamespacesIsBornInItsCgroupAndReturnsTheExitCode() throws IOException {
        created();
        Start.start(fake, states, "web");
        fake.program("/bin/tool", 3, "");
        fake.forgetCalls();

        int code = Exec.exec(fake, states, "web", execProcess("/bin/tool"), Handover.NONE, new Exec.Options(false, false, null));

        assertEquals(3, code);
        List<String> calls = fake.calls();
        int clone = indexOf(calls, "clone"), adopt = calls.indexOf("adopt " + work.resolve("cgroup/hako/web") + " 1007");
        int batch = indexOf(calls, "batch 1007"), exec = indexOf(calls, "exec 1007 /bin/tool");
        // the default spec has a cgroup namespace, which nsdelegate keeps a process from being born
        // into a cgroup through: it is moved in after the clone, before it runs anything
        assertTrue(clone >= 0 && clone < adopt && adopt < batch && batch < exec, String.join("\n", calls));
        for (String ns : List.of("ipc", "uts", "net", "pid", "cgroup", "mnt")) {
            assertTrue(calls.get(clone).contains("setns(open(\"/proc/1001/ns/" + ns + "\")"), "it joins init's " + ns + ": " + calls.get(clone));
        }
        assertTrue(calls.get(clone).indexOf("ns/mnt") > calls.get(clone).indexOf("ns/pid"), "the mount namespace last");
        assertEquals(List.of(), fake.calls("hooks", "mkfifo", "make-cgroup"), "exec runs no hook and makes nothing");
        assertEquals(List.of(1001), fake.unreaped(), "its process is reaped; init runs on");
        assertEquals(List.of(), fake.openDescriptors(), "the namespaces' and the cgroup's descriptors are closed");
        assertTrue(fake.running(1001), "the container runs on");
    }

    @Test
    void execIntoAStoppedContainerIsRefusedAndAFailedCloneLeavesNothing() throws IOException {
        created();
        Start.start(fake, states, "web");
        fake.failOn("clone", hako.sys.Errno.EPERM);
        fake.forgetCalls();
        assertThrows(RuntimeException.class,
                () -> Exec.exec(fake, states, "web", execProcess("/bin/tool"), Handover.NONE, new Exec.Options(false, false, null)));
        assertEquals(List.of(1001), fake.unreaped(), "no process but init");
        assertEquals(List.of(), fake.openDescriptors(), "a failed clone closes what it opened");

        fake.exit(1001, 0);
        fake.forgetCalls();
        RuntimeException stopped = assertThrows(RuntimeException.class,
                () -> Exec.exec(fake, states, "web", execProcess("/bin/tool"), Handover.NONE, new Exec.Options(false, false, null)));
        assertTrue(stopped.getMessage().contains("stopped"), stopped.getMessage());
        assertEquals(List.of(), fake.calls("launch-stage", "clone"), "nothing is launched for a stopped container");
    }

    // ---------------------------------------------------------------- pause and resume

    @Test
    void pauseFreezesTheCgroupResumeThawsItAndEachIsRefusedWhereRuncRefusesIt() throws IOException {
        created();
        Start.start(fake, states, "web");
        Path cgroup = work.resolve("cgroup/hako/web");
        fake.forgetCalls();

        Pause.freeze(fake, states, "web", true);
        assertEquals(List.of("freeze-cgroup " + cgroup), fake.calls("freeze-cgroup", "thaw-cgroup"));
        assertEquals(Status.PAUSED, ContainerStatus.of(fake, states, states.load("web")));
        assertEquals("container not running",
                assertThrows(RuntimeException.class, () -> Pause.freeze(fake, states, "web", true)).getMessage(), "runc's words");

        Pause.freeze(fake, states, "web", false);
        assertEquals(List.of("freeze-cgroup " + cgroup, "thaw-cgroup " + cgroup), fake.calls("freeze-cgroup", "thaw-cgroup"));
        assertEquals(Status.RUNNING, ContainerStatus.of(fake, states, states.load("web")));
        assertEquals("container not paused",
                assertThrows(RuntimeException.class, () -> Pause.freeze(fake, states, "web", false)).getMessage());

        fake.exit(1001, 0);
        assertThrows(RuntimeException.class, () -> Pause.freeze(fake, states, "web", true));
        assertEquals(2, fake.calls("freeze-cgroup", "thaw-cgroup").size(), "a stopped container's cgroup is not touched");
        assertFalse(states.locked("web"), "the container's lock was let go each time");
    }

    @Test
    void killOfAContainerWhoseProcessIsGoneIsNotRunningAndSignalsNothing() throws IOException {
        created();
        fake.exit(1001, 0);
        fake.forgetCalls();

        ContainerException e = assertThrows(ContainerException.class, () -> Kill.kill(fake, states, "web", 15, false));
        assertEquals("container not running", e.getMessage());
        Kill.kill(fake, states, "web", 9, true); // containerd's kill --all of a stopped container: no error
        assertEquals(List.of(), fake.calls("signal", "kill", "signal-cgroup"));
    }

    @Test
    void killSignalsInitThroughAPidfd() throws IOException {
        created();
        fake.forgetCalls();

        Kill.kill(fake, states, "web", 15, false);

        assertEquals(List.of("pidfd 1001", "signal 1001 15", "close pidfd 1001"), fake.calls("pidfd", "signal", "close"));
        assertFalse(fake.running(1001));
    }

    @Test
    void deleteOfAContainerWhoseProcessIsGoneRemovesWhatWasMadeThenRunsPoststop() throws IOException {
        created();
        fake.exit(1001, 0);
        fake.forgetCalls();

        Delete.delete(fake, states, "web", false);

        assertEquals(List.of("destroy-cgroup " + work.resolve("cgroup/hako/web")),
                fake.calls("destroy-cgroup", "kill", "signal", "signal-cgroup", "release-network", "unmount-under"), "nothing to kill");
        assertEquals(List.of("poststop"), hooksRun());
        assertTrue(fake.calls("stdin").getFirst().contains("\"status\":\"stopped\""));
        assertFalse(states.exists("web"));
    }

    @Test
    void deleteWithoutForceOfARunningContainerRefusesAndChangesNothing() throws IOException {
        created();
        Start.start(fake, states, "web");
        fake.forgetCalls();

        ContainerException e = assertThrows(ContainerException.class, () -> Delete.delete(fake, states, "web", false));
        assertEquals("cannot delete container web that is not stopped: running", e.getMessage());
        assertEquals(List.of(), changes());
        assertTrue(fake.running(1001));

        Delete.delete(fake, states, "web", true);
        assertEquals(List.of("signal 1001 9"), fake.calls("signal"));
        assertFalse(states.exists("web"));
    }
}
