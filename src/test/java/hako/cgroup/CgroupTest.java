package hako.cgroup;

import hako.sys.Errno;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static hako.cgroup.CgroupPlanTest.HAKO;
import static hako.cgroup.CgroupPlanTest.HIERARCHY;
import static hako.cgroup.CgroupPlanTest.ROOT;
import static hako.cgroup.CgroupPlanTest.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a made cgroup's handle does to the tree: destroy, update, freeze — in the recording fake. */
class CgroupTest {
    static final Path A = ROOT.resolve("a"), B = A.resolve("b"), C = B.resolve("c"), CONTAINER = C.resolve("web");

    final CgroupFilesFake fake = new CgroupFilesFake().root(ROOT, "cpu memory pids");

    @Test
    void destroyKillsWhatRunsRemovesTheCgroupDeepestFirstThenTheEmptyParentsHakoMade() {
        fake.cgroup(A, false).cgroup(B, true).cgroup(C, true).cgroup(CONTAINER, true)
                .cgroup(CONTAINER.resolve("inner"), false)   // the container's own
                .processes(CONTAINER, "42");

        new Cgroup(CONTAINER, fake).destroy();

        assertEquals(List.of(
                "write /sys/fs/cgroup/a/b/c/web/cgroup.kill 1",
                "rmdir /sys/fs/cgroup/a/b/c/web/inner",
                "rmdir /sys/fs/cgroup/a/b/c/web",
                "rmdir /sys/fs/cgroup/a/b/c",
                "rmdir /sys/fs/cgroup/a/b"), fake.calls("write", "rmdir"));
        assertTrue(fake.hasDirectory(A), "a/ is empty now, but hako did not make it");
        assertEquals(0, fake.openDescriptors(), "the watch on cgroup.events is closed");
    }

    @Test
    void destroyStopsAtTheFirstParentThatIsNotEmpty() {
        fake.cgroup(A, true).cgroup(B, true).cgroup(B.resolve("other"), true).cgroup(C, true).cgroup(CONTAINER, true);

        new Cgroup(CONTAINER, fake).destroy();

        assertEquals(List.of("rmdir /sys/fs/cgroup/a/b/c/web", "rmdir /sys/fs/cgroup/a/b/c", "rmdir /sys/fs/cgroup/a/b"),
                fake.calls("rmdir"), "b/ holds another container's cgroup: neither it nor a/ above it is tried");
        assertTrue(fake.hasDirectory(B));
        assertEquals(List.of(), fake.calls("write"), "nothing ran in it: nothing killed");
    }

    @Test
    void destroyOfACgroupAlreadyGoneStillRemovesTheEmptyParentsHakoMade() {
        fake.cgroup(A, false).cgroup(B, true).cgroup(C, true);

        new Cgroup(CONTAINER, fake).destroy();

        assertEquals(List.of("rmdir /sys/fs/cgroup/a/b/c", "rmdir /sys/fs/cgroup/a/b"), fake.calls("rmdir"));
    }

    @Test
    void updateWritesOnlyTheFieldsGiven() {
        Cgroup cgroup = CgroupPlanTest.plan(fake).make();
        fake.forgetCalls();

        cgroup.update(LimitsTest.decode("{\"pids\": {\"limit\": 10}}"), "update", HIERARCHY);

        assertEquals(List.of("write /sys/fs/cgroup/hako/web/pids.max 10"), fake.calls(CgroupPlanTest.CHANGES));
        assertEquals("268435456\n", fake.content(WEB.resolve("memory.max")), "the memory limit is as it was");
    }

    @Test
    void updateOfTheDeviceRulesReplacesTheFilterInOneStepNeverStacksASecond() {
        Cgroup cgroup = CgroupPlanTest.plan(fake).make();
        fake.forgetCalls();

        cgroup.update(LimitsTest.decode("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}"), "update", HIERARCHY);

        assertEquals(List.of("bpf-load", "bpf-attach /sys/fs/cgroup/hako/web 2 replacing 1"), fake.calls(CgroupPlanTest.CHANGES));
        assertEquals(List.of(2), fake.attachedPrograms(WEB));
        assertEquals(0, fake.openDescriptors());
    }

    @Test
    void updateOnAKernelWithoutReplaceAttachesTheNewFilterThenDetachesTheOld() {
        Cgroup cgroup = CgroupPlanTest.plan(fake).make();
        fake.failOn("bpf-attach /sys/fs/cgroup/hako/web 2 replacing 1", Errno.EINVAL);   // before Linux 5.6
        fake.forgetCalls();

        cgroup.update(LimitsTest.decode("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}"), "update", HIERARCHY);

        assertEquals(List.of("bpf-load", "bpf-attach /sys/fs/cgroup/hako/web 2 replacing 1",
                "bpf-attach /sys/fs/cgroup/hako/web 2", "bpf-detach /sys/fs/cgroup/hako/web 1"), fake.calls(CgroupPlanTest.CHANGES));
        assertEquals(List.of(2), fake.attachedPrograms(WEB));
        assertEquals(0, fake.openDescriptors());
    }

    @Test
    void freezeWatchesTheEventsFileBeforeWritingSoNoChangeIsMissed() {
        fake.cgroup(HAKO, true).cgroup(WEB, true);
        Cgroup cgroup = new Cgroup(WEB, fake);

        cgroup.freeze();

        assertEquals(List.of("watch /sys/fs/cgroup/hako/web/cgroup.events", "write /sys/fs/cgroup/hako/web/cgroup.freeze 1",
                "close watch /sys/fs/cgroup/hako/web/cgroup.events"), fake.calls("watch", "write", "close"));
        assertTrue(cgroup.frozen());
        cgroup.thaw();
        assertFalse(cgroup.frozen());
    }
}
