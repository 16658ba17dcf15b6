package hako.it;

import hako.security.Lsm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * AppArmor and SELinux on this host, whichever it has. A profile enforced is proved in the VM
 * (tests/vm/checks.sh), whose kernel has AppArmor; here, what a host without the modules does:
 * a profile or label asked for is refused in one line and leaves nothing behind; "unconfined",
 * no profile at all, and a mount label (nothing to label for) run.
 */
class LsmIT extends ContainerTest {

    static Hako.Result run(Map<String, Object> spec, String id) {
        return Hako.run(root, "", "run", "--bundle", Busybox.bundle(work, spec).toString(), id);
    }

    @Test
    void aProfileWithoutAppArmorIsAClearErrorAndUnconfinedRuns() throws Exception {
        assumeFalse(Lsm.host().appArmor(), "this host has AppArmor: the VM's checks cover it");
        Map<String, Object> spec = Busybox.spec(rootfs, "true");
        Busybox.process(spec).put("apparmorProfile", "hako-test");
        Hako.Result refused = run(spec, "aa-refused");
        assertEquals(1, refused.code(), refused::toString);
        assertEquals("hako: running container \"aa-refused\": applying AppArmor profile \"hako-test\": AppArmor is not"
                + " enabled on this host (/sys/module/apparmor/parameters/enabled is not Y)\n", refused.stderr());

        Busybox.process(spec).put("apparmorProfile", "unconfined");
        Hako.Result unconfined = run(spec, "aa-unconfined");
        assertEquals(0, unconfined.code(), unconfined::toString);
        assertEquals("", unconfined.stderr(), "no warning: the process is unconfined, as asked");
        Leaks.assertNone(work, root);
    }

    @Test
    void execWithAProfileWithoutAppArmorFailsAsRuncsExecDoes() throws Exception {
        assumeFalse(Lsm.host().appArmor(), "this host has AppArmor: the VM's checks cover it");
        Map<String, Object> spec = Busybox.spec(rootfs, "sleep", "100");
        String id = "aa-exec";
        assertEquals(0, Hako.run(root, "", "run", "-d", "--bundle", Busybox.bundle(work, spec).toString(), id).code());
        try {
            Hako.Result refused = Hako.run(root, "", "exec", "--apparmor", "hako-test", id, "true");
            assertEquals(255, refused.code(), refused::toString);
            assertEquals("hako: exec in container \"aa-exec\": applying AppArmor profile \"hako-test\": AppArmor is not"
                    + " enabled on this host (/sys/module/apparmor/parameters/enabled is not Y)\n", refused.stderr());
            Hako.Result unconfined = Hako.run(root, "", "exec", "--apparmor", "unconfined", id, "true");
            assertEquals(0, unconfined.code(), unconfined::toString);
            assertEquals("", unconfined.stderr());
        } finally {
            assertEquals(0, Hako.run(root, "", "delete", "--force", id).code());
        }
        Leaks.assertNone(work, root);
    }

    @Test
    void withoutSelinuxALabelIsRefusedAndAMountLabelPassedOverWithAWarning() throws Exception {
        assumeFalse(Lsm.host().selinux(), "this host has SELinux");
        Map<String, Object> spec = Busybox.spec(rootfs, "sh", "-c", "grep -c context= /proc/mounts || true");
        Busybox.process(spec).put("selinuxLabel", "system_u:system_r:container_t:s0:c1,c2");
        Hako.Result refused = run(spec, "se-refused");
        assertEquals(1, refused.code(), refused::toString);
        assertEquals("hako: running container \"se-refused\": applying SELinux label \"system_u:system_r:container_t:s0:c1,c2\":"
                + " SELinux is not enabled on this host (no selinuxfs at /sys/fs/selinux)\n", refused.stderr());

        Busybox.process(spec).remove("selinuxLabel");
        Busybox.linux(spec).put("mountLabel", "system_u:object_r:container_file_t:s0:c1,c2");
        Hako.Result labelled = run(spec, "se-mounts");
        assertEquals(0, labelled.code(), labelled::toString);
        assertEquals("0\n", labelled.stdout(), "no mount carries a context");
        assertEquals("hako: warning: linux.mountLabel is not applied: SELinux is not enabled on this host\n", labelled.stderr());
        Leaks.assertNone(work, root);
    }

    @Test
    void featuresSayBothAreSupported() {
        Hako.Result features = Hako.run(root, "", "features");
        assertEquals(0, features.code(), features::toString);
        for (String module : List.of("apparmor", "selinux")) {
            String json = features.stdout().replaceAll("\\s+", "");
            assertEquals(true, json.contains("\"" + module + "\":{\"enabled\":true}"), features.stdout());
        }
    }
}
