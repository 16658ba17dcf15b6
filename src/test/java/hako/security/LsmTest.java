package hako.security;

import hako.stage.Op;
import hako.plan.Plan;
import hako.plan.Planner;
import hako.spec.DefaultSpec;
import hako.json.Json;
import hako.spec.Spec;
import hako.spec.SpecReader;
import hako.stage.Protocol;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AppArmor and SELinux in the plan, for hosts that have them and hosts that do not. */
class LsmTest {
    static final Lsm APPARMOR = new Lsm(true, false);
    static final Lsm SELINUX = new Lsm(false, true);
    static final String LABEL = "system_u:system_r:container_t:s0:c12,c345";
    static final String MOUNT_LABEL = "system_u:object_r:container_file_t:s0:c12,c345";

    @SuppressWarnings("unchecked")
    static Map<String, Object> tree(String key, String value) {
        Map<String, Object> tree = (Map<String, Object>) Json.parse(Json.write(DefaultSpec.tree()));
        if (key.equals("mountLabel")) ((Map<String, Object>) tree.get("linux")).put(key, value);
        else ((Map<String, Object>) tree.get("process")).put(key, value);
        return tree;
    }

    static Plan plan(Map<String, Object> tree, Lsm lsm) {
        Spec spec = SpecReader.fromTree(tree, "config.json");
        return Planner.plan(spec, new Planner.Request(Path.of("/bundles/web"), false, false, null, hako.sys.Caller.ROOT, java.util.Set.of(), lsm));
    }

    static Op.SetLabel profile(String name) {
        return new Op.SetLabel("AppArmor profile \"" + name + "\"", List.of("attr/apparmor/exec", "attr/exec"), "exec " + name);
    }

    @Test
    void theProfileIsWrittenBeforeTheSwitchOfUserAndNoNewPrivsAndTakesHoldAtExec() {
        Map<String, Object> tree = tree("apparmorProfile", "hako-test");
        @SuppressWarnings("unchecked")
        Map<String, Object> process = (Map<String, Object>) tree.get("process");
        process.put("noNewPrivileges", true);
        List<Op> ops = plan(tree, APPARMOR).process();
        int label = ops.indexOf(profile("hako-test"));
        assertTrue(label >= 0, ops::toString);
        int user = ops.indexOf(new Op.SetResuid(0));
        assertTrue(label < user, "before setresuid: " + ops);
        assertTrue(label < ops.indexOf(new Op.Prctl(38, "PR_SET_NO_NEW_PRIVS", 1)), "before no_new_privs: " + ops);
        assertEquals("write \"exec hako-test\" to /proc/thread-self/attr/apparmor/exec (else attr/exec) of a private procfs"
                + "  (AppArmor profile \"hako-test\")", ops.get(label).render());
        assertEquals("applying AppArmor profile \"hako-test\"", ops.get(label).doing());
        assertTrue(rendered(plan(tree, APPARMOR)).contains("attr/apparmor/exec"), "hako plan shows it");
    }

    @Test
    void unconfinedIsWrittenWhereAppArmorIsAndIsWhatEveryProcessHasWhereItIsNot() {
        assertTrue(plan(tree("apparmorProfile", "unconfined"), APPARMOR).process().contains(profile("unconfined")));
        assertTrue(plan(tree("apparmorProfile", "unconfined"), Lsm.NONE).process().stream()
                .noneMatch(op -> op instanceof Op.SetLabel));
    }

    @Test
    void aProfileWithoutAppArmorIsRefused() {
        LsmException e = assertThrows(LsmException.class, () -> plan(tree("apparmorProfile", "hako-test"), SELINUX));
        assertEquals("applying AppArmor profile \"hako-test\": AppArmor is not enabled on this host"
                + " (/sys/module/apparmor/parameters/enabled is not Y)", e.getMessage());
    }

    @Test
    void theSelinuxLabelGoesToAttrExecAndWithoutSelinuxIsRefusedAsRuncRefusesIt() {
        Map<String, Object> tree = tree("selinuxLabel", LABEL);
        Spec spec = SpecReader.fromTree(tree, "config.json");
        List<Op> ops = Planner.plan(spec, new Planner.Request(Path.of("/b"), false, false, "_ses.web", hako.sys.Caller.ROOT, java.util.Set.of(), SELINUX)).process();
        Op.SetLabel expected = new Op.SetLabel("SELinux label \"" + LABEL + "\"", List.of("attr/exec"), LABEL);
        assertTrue(ops.indexOf(expected) >= 0 && ops.indexOf(expected) < ops.indexOf(new Op.SetResuid(0)), ops::toString);
        Op.SetLabel keys = new Op.SetLabel("SELinux label \"" + LABEL + "\" of its session keyring", List.of("attr/keycreate"), LABEL);
        assertEquals(ops.indexOf(new Op.JoinKeyring("_ses.web")) - 1, ops.indexOf(keys), "the keyring is made with it: " + ops);
        LsmException e = assertThrows(LsmException.class, () -> plan(tree("selinuxLabel", LABEL), APPARMOR));
        assertEquals("applying SELinux label \"" + LABEL + "\": SELinux is not enabled on this host (no selinuxfs at /sys/fs/selinux)",
                e.getMessage());
    }

    @Test
    void theMountLabelIsTheContextOfTheMountsThatTakeOne() {
        Plan plan = plan(tree("mountLabel", MOUNT_LABEL), SELINUX);
        String context = "context=\"" + MOUNT_LABEL + "\"";
        Op.Mount dev = mount(plan, "/dev");
        assertEquals("mode=755,size=65536k," + context, dev.data());
        assertEquals("newinstance,ptmxmode=0666,mode=0620,gid=5," + context, mount(plan, "/dev/pts").data());
        assertEquals(null, mount(plan, "/proc").data(), "proc takes no label");
        assertFalse(String.valueOf(mount(plan, "/sys").data()).contains("context"), "nor sysfs");
        assertFalse(String.valueOf(mount(plan, "/dev/mqueue").data()).contains("context"), "nor mqueue (runc labels it by xattr)");
        assertTrue(plan.warnings().isEmpty(), plan.warnings()::toString);
        assertTrue(rendered(plan).contains(context), "hako plan shows it");
    }

    @Test
    void withoutSelinuxTheMountLabelIsPassedOverAndSaid() {
        Plan plan = plan(tree("mountLabel", MOUNT_LABEL), APPARMOR);
        assertEquals("mode=755,size=65536k", mount(plan, "/dev").data());
        assertEquals(List.of("linux.mountLabel is not applied: SELinux is not enabled on this host"), plan.warnings());
    }

    @Test
    void anExecdProcessGetsTheContainersProfileUnlessItNamesItsOwn() {
        Spec.Process own = SpecReader.fromTree(tree("apparmorProfile", "own"), "config.json").process();
        Spec.Process none = SpecReader.fromTree(tree("selinuxLabel", LABEL), "config.json").process().withLabels(null, null);
        Map<String, Object> container = Map.of("apparmorProfile", "container", "selinuxLabel", LABEL);
        assertEquals("own", Lsm.inherit(own, container).apparmorProfile());
        assertEquals("container", Lsm.inherit(none, container).apparmorProfile());
        assertEquals(LABEL, Lsm.inherit(none, container).selinuxLabel());
        Planner.Shared shared = new Planner.Shared(null, null, null);
        Plan exec = Planner.planExec(Lsm.inherit(none, Map.of("apparmorProfile", "container")), shared, 42, List.of("mnt"), true, hako.sys.Caller.ROOT, APPARMOR);
        assertTrue(exec.process().contains(profile("container")), exec.process()::toString);
    }

    @Test
    void onTheWireTheCandidatesAreAStringVectorAndTheValueAString() {
        ByteBuffer in = ByteBuffer.wrap(Protocol.encode(List.of(profile("p")))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, in.getInt());
        assertEquals(Protocol.SET_LABEL, in.getShort());
        assertEquals(0, in.getShort());
        assertEquals(2, in.getInt());
        byte[] paths = "attr/apparmor/exec\0attr/exec\0".getBytes();
        assertEquals(paths.length, in.getInt());
        byte[] got = new byte[paths.length];
        in.get(got);
        assertArrayEquals(paths, got);
        assertEquals(7, in.getInt());
        byte[] value = new byte[7];
        in.get(value);
        assertArrayEquals("exec p\0".getBytes(), value);
        assertEquals(0, in.remaining());
    }

    private static Op.Mount mount(Plan plan, String target) {
        return plan.rootfs().stream().filter(op -> op instanceof Op.Mount m && target.equals(m.target()) && m.fstype() != null)
                .map(op -> (Op.Mount) op).findFirst().orElseThrow(() -> new AssertionError("no mount on " + target));
    }

    /** The plan's ops as hako plan prints them. */
    private static String rendered(Plan plan) {
        return plan.ops().stream().map(Op::render).collect(java.util.stream.Collectors.joining("\n"));
    }
}
