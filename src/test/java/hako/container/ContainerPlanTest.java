package hako.container;

import hako.cgroup.Hierarchy;
import hako.net.NetworkRequest;
import hako.spec.DefaultSpec;
import hako.json.Json;
import hako.state.StateDir;
import hako.state.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One plan: what {@code hako plan} prints is what {@code run} carries out, step for step, for a
 * bundle with a network, hooks and limits — planned against a fake cgroup tree, nothing run.
 */
class ContainerPlanTest {
    @TempDir
    Path work;

    private static final Handover HANDOVER = Handover.NONE;

    @SuppressWarnings("unchecked")
    private Path bundle() throws IOException {
        Map<String, Object> tree = (Map<String, Object>) Json.parse(Json.write(DefaultSpec.tree()));
        Map<String, Object> hook = Map.of("path", "/usr/bin/true", "args", List.of("true", "hook"));
        tree.put("hooks", Map.of("prestart", List.of(hook), "createContainer", List.of(hook),
                "startContainer", List.of(hook), "poststart", List.of(hook)));
        tree.put("annotations", Map.of(NetworkRequest.ANNOTATION_NETWORK, "bridge", NetworkRequest.ANNOTATION_PUBLISH, "8080:80"));
        Map<String, Object> linux = (Map<String, Object>) tree.get("linux");
        linux.put("resources", Map.of("memory", Map.of("limit", 268435456L), "pids", Map.of("limit", 64L)));
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.writeString(bundle.resolve("config.json"), Json.write(tree));
        return bundle;
    }

    private Hierarchy cgroupTree() throws IOException {
        Path root = Files.createDirectories(work.resolve("cgroup"));
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");
        return new Hierarchy(root, "/", Map.of());
    }

    private ContainerPlan plan(boolean create) throws IOException {
        StateDir states = new StateDir(work.resolve("state"));
        return ContainerPlan.of(states, new ContainerPlan.Request("web", bundle(), create, !create, HANDOVER,
                NetworkRequest.Flags.NONE), cgroupTree());
    }

    @Test
    void runCarriesOutExactlyThePlanThatIsPrinted() throws IOException {
        ContainerPlan plan = plan(false);
        List<Step> performed = new ArrayList<>();
        Builder builder = new Builder(new StateDir(work.resolve("state")), plan, HANDOVER, recorder(performed, new ArrayList<>(), null));
        builder.build();
        builder.start();
        assertEquals(plan.steps(), performed);

        // The printed plan is these steps, each under its heading, in this order.
        String printed = plan.render();
        int at = 0;
        for (Step step : performed) {
            int heading = printed.indexOf("# " + step.who() + ": " + step.title() + "\n", at);
            assertTrue(heading >= at, () -> "not printed in order: " + step.title() + "\n" + printed);
            at = heading + 1;
        }
        @SuppressWarnings("unchecked")
        List<Object> json = (List<Object>) ((Map<String, Object>) Json.parse(Json.write(plan.toJson()))).get("steps");
        assertEquals(performed.size(), json.size());
    }

    /** Records each step performed and undone, failing at the first step of the class given. */
    private static Builder.Performer recorder(List<Step> performed, List<Step> undone, Class<? extends Step> failAt) {
        return new Builder.Performer() {
            public void perform(Step step) {
                performed.add(step);
                if (step.getClass() == failAt) throw new IllegalStateException("failed at " + step.title());
            }

            public void undo(Step step) {
                undone.add(step);
            }
        };
    }

    @Test
    void aFailedStepUndoesEveryStepBegunLastFirstItselfIncluded() throws IOException {
        ContainerPlan plan = plan(false);
        List<Step> performed = new ArrayList<>();
        List<Step> undone = new ArrayList<>();
        Builder builder = new Builder(new StateDir(work.resolve("state")), plan, HANDOVER,
                recorder(performed, undone, Step.WireNetwork.class));
        IllegalStateException failure = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, builder::build);
        assertEquals("failed at wire the container's network", failure.getMessage());
        assertEquals(List.of("ClaimState", "PrepareNetwork", "MakeCgroup", "CloneInit", "SaveState", "WireNetwork"),
                performed.stream().map(step -> step.getClass().getSimpleName()).toList());
        assertEquals(performed.reversed(), undone);
        builder.abort(); // a second time: nothing left to undo
        assertEquals(performed.size(), undone.size());
    }

    @Test
    void aContainerThatRanIsUndoneWholeWhenRunEnds() throws IOException {
        ContainerPlan plan = plan(false);
        List<Step> performed = new ArrayList<>();
        List<Step> undone = new ArrayList<>();
        Builder builder = new Builder(new StateDir(work.resolve("state")), plan, HANDOVER, recorder(performed, undone, null));
        builder.build();
        builder.start();
        builder.abort();
        assertEquals(plan.steps().reversed(), undone);
    }

    @Test
    void theNetworkHooksAndLimitsAreStepsInTheOrderTheyHappen() throws IOException {
        List<String> kinds = plan(false).steps().stream().map(step -> step.getClass().getSimpleName()
                + (step instanceof Step.RunHooks hooks ? ":" + hooks.kind() : "")
                + (step instanceof Step.SaveState save ? ":" + save.status() : "")).toList();
        assertEquals(List.of("ClaimState", "PrepareNetwork", "MakeCgroup", "CloneInit", "SaveState:creating", "WireNetwork",
                "InitBatch", "RunHooks:prestart", "RunHooks:createContainer", "InitBatch", "InitBatch",
                "RunHooks:startContainer", "Exec", "SaveState:running", "Unlock", "RunHooks:poststart"), kinds);
    }

    @Test
    void theCgroupStepShowsEachLimitWritten() throws IOException {
        String printed = plan(false).render();
        assertTrue(printed.contains("memory.max"), printed);
        assertTrue(printed.contains("pids.max"), printed);
    }

    @Test
    void theNetworksEtcFilesAreMountedFromThePlanMadeOnce() throws IOException {
        ContainerPlan plan = plan(false);
        assertTrue(plan.spec().mounts().stream().anyMatch(m -> m.destination().equals("/etc/resolv.conf")));
        String printed = plan.render();
        assertTrue(printed.contains("/etc/hosts"), printed);
        assertTrue(printed.contains("host ports [8080:80/tcp]"), printed);
    }

    @Test
    void createWaitsForStartAndRunsNoStartHooks() throws IOException {
        ContainerPlan plan = plan(true);
        assertTrue(plan.build().stream().anyMatch(step -> step instanceof Step.MakeFifo));
        assertEquals(List.of(Step.AwaitStart.class, Step.SaveState.class), plan.start().stream().map(Object::getClass).toList());
        assertEquals(new Step.SaveState(Status.CREATED), plan.start().getLast());
        assertFalse(plan.steps().stream().anyMatch(step -> step instanceof Step.Unlock));
    }
}
