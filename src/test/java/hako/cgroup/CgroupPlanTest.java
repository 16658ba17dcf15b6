package hako.cgroup;

import hako.json.Json;
import hako.spec.Spec;
import hako.spec.SpecReader;
import hako.sys.Errno;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What making a container's cgroup does to the tree, call by call, in a recording fake of the
 * kernel ({@link CgroupFilesFake}): the controllers passed down, the limits written in order, the
 * device filter attached, and on a failure exactly what was made removed again.
 */
class CgroupPlanTest {
    static final Path ROOT = Path.of("/sys/fs/cgroup");
    static final Path HAKO = ROOT.resolve("hako"), WEB = HAKO.resolve("web");
    static final Hierarchy HIERARCHY = new Hierarchy(ROOT, "/", Map.of());
    static final String LIMITS = "{\"memory\": {\"limit\": 268435456}, \"pids\": {\"limit\": 64}}";
    /** The calls that change the tree. */
    static final String[] CHANGES = {"mkdir", "rmdir", "write", "setxattr", "bpf-load", "bpf-attach", "bpf-detach"};

    final CgroupFilesFake fake = new CgroupFilesFake().root(ROOT, "cpu memory pids");

    static Spec.Linux linux(String cgroupsPath, String resourcesJson) {
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("cgroupsPath", cgroupsPath);
        linux.put("resources", Json.parse(resourcesJson));
        return SpecReader.linux(linux, "config.json");
    }

    static CgroupPlan plan(CgroupFilesFake fake) {
        return CgroupPlan.of("web", linux("/hako/web", LIMITS), HIERARCHY, fake);
    }

    @Test
    void makePassesTheControllersDownEachParentThenWritesTheLimitsThenAttachesTheFilter() {
        Cgroup cgroup = plan(fake).make();

        assertEquals(WEB, cgroup.path());
        assertEquals(List.of(
                // The root is not hako's: only what the limits need is passed down from it.
                "write /sys/fs/cgroup/cgroup.subtree_control +memory",
                "write /sys/fs/cgroup/cgroup.subtree_control +pids",
                "mkdir /sys/fs/cgroup/hako",
                "setxattr /sys/fs/cgroup/hako trusted.hako.created=1",
                "write /sys/fs/cgroup/hako/cgroup.subtree_control +memory",
                "write /sys/fs/cgroup/hako/cgroup.subtree_control +pids",
                "mkdir /sys/fs/cgroup/hako/web",
                "setxattr /sys/fs/cgroup/hako/web trusted.hako.created=1",
                "write /sys/fs/cgroup/hako/web/memory.max 268435456",
                "write /sys/fs/cgroup/hako/web/pids.max 64",
                "setxattr /sys/fs/cgroup/hako/web trusted.hako.devices=",
                "bpf-load",
                "bpf-attach /sys/fs/cgroup/hako/web 1"), fake.calls(CHANGES));
        assertEquals(List.of(1), fake.attachedPrograms(WEB));
        assertEquals(0, fake.openDescriptors(), "the cgroup's and the program's descriptors are closed");
    }

    @Test
    void aFailedWriteRemovesTheDirectoriesItMadeAndNoOther() {
        fake.cgroup(HAKO, true);   // an earlier container's parent, still there
        fake.failOn("write /sys/fs/cgroup/hako/web/pids.max", Errno.EINVAL);

        CgroupException e = assertThrows(CgroupException.class, () -> plan(fake).make());

        assertEquals("config.json: linux.resources.pids.limit: writing \"64\" to /sys/fs/cgroup/hako/web/pids.max: "
                + Errno.describe(Errno.EINVAL), e.getMessage());
        assertEquals(List.of("rmdir /sys/fs/cgroup/hako/web"), fake.calls("rmdir"));
        assertFalse(fake.hasDirectory(WEB));
        assertTrue(fake.hasDirectory(HAKO), "a parent hako did not make in this create stays");
    }

    @Test
    void aFilterTheKernelRefusesUndoesTheWholeChainLastFirstAndLeaksNoDescriptor() {
        fake.failOn("bpf-attach", Errno.EPERM);

        CgroupException e = assertThrows(CgroupException.class, () -> plan(fake).make());

        assertEquals("attaching the device filter to /sys/fs/cgroup/hako/web: " + Errno.describe(Errno.EPERM), e.getMessage());
        assertEquals(List.of("rmdir /sys/fs/cgroup/hako/web", "rmdir /sys/fs/cgroup/hako"), fake.calls("rmdir"));
        assertFalse(fake.hasDirectory(HAKO));
        assertEquals(0, fake.openDescriptors());
    }

    @Test
    void aParentRemovedMeanwhileByAnotherHakoIsMadeAgain() {
        fake.failOn("mkdir /sys/fs/cgroup/hako/web", Errno.ENOENT);

        plan(fake).make();

        assertEquals(List.of("mkdir /sys/fs/cgroup/hako", "mkdir /sys/fs/cgroup/hako/web",
                "mkdir /sys/fs/cgroup/hako", "mkdir /sys/fs/cgroup/hako/web"), fake.calls("mkdir"));
        assertTrue(fake.hasDirectory(WEB));
    }

    @Test
    void aParentThatCannotTakeTheControllerIsNamedAndNothingIsMade() {
        fake.cgroup(HAKO, false).file(HAKO.resolve("cgroup.type"), "domain invalid\n");
        fake.failOn("write /sys/fs/cgroup/hako/cgroup.subtree_control +memory", Errno.EOPNOTSUPP);

        CgroupException e = assertThrows(CgroupException.class, () -> plan(fake).make());

        assertEquals("cannot pass the memory controller down from /sys/fs/cgroup/hako: its cgroup.type is \"domain invalid\" "
                + "(a cgroup above it holds processes)", e.getMessage());
        assertEquals(List.of("mkdir /sys/fs/cgroup/hako"), fake.calls("mkdir"), "hako/ was there: mkdir said so");
        assertEquals(List.of(), fake.calls("rmdir"), "nothing made, nothing removed: hako/ is not hako's");
    }

    @Test
    void hakoAloneInItsOwnCgroupMovesItselfIntoALeafBeforePassingControllersDown() {
        Path own = ROOT.resolve("user.slice/session");
        String self = Long.toString(ProcessHandle.current().pid());
        fake.cgroup(ROOT.resolve("user.slice"), false).cgroup(own, false).processes(own, self);
        Hierarchy inSession = new Hierarchy(ROOT, "/user.slice/session", Map.of());

        CgroupPlan.of("web", linux("web", LIMITS), inSession, fake).make();

        List<String> changes = fake.calls(CHANGES);
        int moved = changes.indexOf("write /sys/fs/cgroup/user.slice/session/hako-runtime/cgroup.procs " + self);
        assertTrue(moved > 0 && changes.get(moved - 2).equals("mkdir /sys/fs/cgroup/user.slice/session/hako-runtime"), changes::toString);
        assertEquals(moved + 1, changes.indexOf("write /sys/fs/cgroup/user.slice/session/cgroup.subtree_control +memory"), changes::toString);
        assertTrue(fake.hasDirectory(own.resolve("web")));
    }

    @Test
    void anotherProcessInTheParentIsNeverMovedAndTheMakeIsRefused() {
        Path own = ROOT.resolve("user.slice/session");
        fake.cgroup(ROOT.resolve("user.slice"), false).cgroup(own, false).processes(own, "1 " + ProcessHandle.current().pid());
        Hierarchy inSession = new Hierarchy(ROOT, "/user.slice/session", Map.of());

        CgroupException e = assertThrows(CgroupException.class, () -> CgroupPlan.of("web", linux("web", LIMITS), inSession, fake).make());

        assertTrue(e.getMessage().startsWith("cannot pass the memory controller down from /sys/fs/cgroup/user.slice/session: processes live in it"),
                e.getMessage());
        assertEquals(List.of(), fake.calls("mkdir", "rmdir").stream().filter(c -> c.contains("session/")).toList(),
                "no leaf made, no cgroup below it");
    }

    @Test
    void aStaleCgroupOfOursWithoutProcessesIsRemovedBeforeTheNewOneIsMade() {
        fake.cgroup(HAKO, true).cgroup(WEB, true).cgroup(WEB.resolve("nested"), false);

        plan(fake).make();

        List<String> tree = fake.calls("mkdir", "rmdir");
        assertEquals(List.of("rmdir /sys/fs/cgroup/hako/web/nested", "rmdir /sys/fs/cgroup/hako/web",
                "mkdir /sys/fs/cgroup/hako", "mkdir /sys/fs/cgroup/hako/web"), tree);
        assertTrue(fake.hasDirectory(WEB));
        assertFalse(fake.hasDirectory(WEB.resolve("nested")));
    }

    @Test
    void aCgroupThereThatIsNotOursOrHasProcessesIsRefusedBeforeAnythingChanges() {
        fake.cgroup(HAKO, true).cgroup(WEB, false);
        CgroupException notOurs = assertThrows(CgroupException.class, () -> plan(fake));
        assertEquals("the cgroup /sys/fs/cgroup/hako/web already exists; hako makes a new cgroup for each container "
                + "(see linux.cgroupsPath)", notOurs.getMessage());

        CgroupFilesFake busy = new CgroupFilesFake().root(ROOT, "cpu memory pids").cgroup(HAKO, true).cgroup(WEB, true)
                .processes(WEB, "42");
        CgroupException withProcesses = assertThrows(CgroupException.class, () -> plan(busy));
        assertTrue(withProcesses.getMessage().startsWith("the cgroup /sys/fs/cgroup/hako/web already exists and has processes in it;"),
                withProcesses.getMessage());

        assertEquals(List.of(), fake.calls(CHANGES));
        assertEquals(List.of(), busy.calls(CHANGES));
    }
}
