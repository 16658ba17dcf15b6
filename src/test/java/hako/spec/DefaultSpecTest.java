package hako.spec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DefaultSpecTest {

    private static final List<Capability> RUNC_CAPABILITIES =
            List.of(Capability.CAP_AUDIT_WRITE, Capability.CAP_KILL, Capability.CAP_NET_BIND_SERVICE);

    @Test
    void roundTripsThroughTheReaderWithoutError() {
        Spec spec = SpecReader.parse(DefaultSpec.json(), "config.json");
        assertEquals(DefaultSpec.tree(), spec.raw());
    }

    @Test
    void isRuncsExampleWithHakosDifferences() {
        Spec spec = SpecReader.parse(DefaultSpec.json(), "config.json");
        assertEquals(Spec.OCI_VERSION, spec.ociVersion());
        assertEquals("hako", spec.hostname());
        assertEquals(new Spec.Root("rootfs", true), spec.root());

        Spec.Process process = spec.process();
        assertFalse(process.terminal(), "no terminal until hako supports one");
        assertEquals(List.of("sh"), process.args());
        assertEquals(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"),
                process.env());
        assertEquals("/", process.cwd());
        assertEquals(new Spec.User(0, 0, null, List.of()), process.user());
        assertEquals(new Spec.Capabilities(RUNC_CAPABILITIES, RUNC_CAPABILITIES, List.of(), RUNC_CAPABILITIES, List.of()),
                process.capabilities());
        assertEquals(List.of(new Spec.Rlimit(RlimitType.RLIMIT_NOFILE, 1024, 1024)), process.rlimits());
        assertTrue(process.noNewPrivileges());

        List<String> destinations = new ArrayList<>();
        for (Spec.Mount mount : spec.mounts()) {
            destinations.add(mount.destination() + " " + mount.type() + " " + mount.source() + " " + mount.options());
        }
        assertEquals(List.of(
                "/proc proc proc []",
                "/dev tmpfs tmpfs [nosuid, strictatime, mode=755, size=65536k]",
                "/dev/pts devpts devpts [nosuid, noexec, newinstance, ptmxmode=0666, mode=0620, gid=5]",
                "/dev/shm tmpfs shm [nosuid, noexec, nodev, mode=1777, size=65536k]",
                "/dev/mqueue mqueue mqueue [nosuid, noexec, nodev]",
                "/sys sysfs sysfs [nosuid, noexec, nodev, ro]",
                "/sys/fs/cgroup cgroup cgroup [nosuid, noexec, nodev, relatime, ro]"), destinations);

        Spec.Linux linux = spec.linux();
        List<NamespaceType> namespaces = new ArrayList<>();
        for (Spec.Namespace namespace : linux.namespaces()) {
            namespaces.add(namespace.type());
            assertEquals(null, namespace.path());
        }
        assertEquals(List.of(NamespaceType.PID, NamespaceType.NETWORK, NamespaceType.IPC, NamespaceType.UTS,
                NamespaceType.MOUNT, NamespaceType.CGROUP), namespaces);
        assertEquals(List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                "/sys/devices/virtual/tpm"), linux.maskedPaths());
        assertEquals(List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                linux.readonlyPaths());
        assertEquals(new Resources(null, null, null, null, List.of(), Map.of(), null,
                List.of(new Resources.DeviceCgroupRule(false, 'a', -1, -1, "rwm")), Map.of()), linux.resources());
        assertEquals(List.of(), linux.uidMappings());
        assertEquals(List.of(), linux.devices());
    }

    @Test
    void isWrittenPrettyInRuncsKeyOrderWithAFinalNewline() {
        String json = DefaultSpec.json();
        assertTrue(json.startsWith("{\n  \"ociVersion\": \"" + Spec.OCI_VERSION + "\",\n  \"process\": {\n"
                + "    \"terminal\": false,\n    \"user\": {\n      \"uid\": 0,\n      \"gid\": 0\n    },\n"
                + "    \"args\": [\n      \"sh\"\n    ],\n"), json);
        assertTrue(json.endsWith("\n  }\n}\n"), json);
        assertFalse(json.contains("\t"));
        assertEquals(List.of("ociVersion", "process", "root", "hostname", "mounts", "linux"),
                new ArrayList<>(DefaultSpec.tree().keySet()));
        assertEquals(List.of("resources", "namespaces", "maskedPaths", "readonlyPaths", "seccomp"),
                new ArrayList<>(((Map<?, ?>) DefaultSpec.tree().get("linux")).keySet()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theTreeIsAFreshCopyEachTime() {
        Map<String, Object> first = DefaultSpec.tree();
        first.put("hostname", "changed");
        List<Object> args = (List<Object>) ((Map<String, Object>) first.get("process")).get("args");
        args.clear();
        Map<String, Object> second = DefaultSpec.tree();
        assertNotSame(first, second);
        assertEquals("hako", second.get("hostname"));
        assertEquals(List.of("sh"), ((Map<?, ?>) second.get("process")).get("args"));
    }

    @Test
    void hasAProfileThatRefusesWhatReachesPastTheContainer() {
        Seccomp seccomp = SpecReader.parse(DefaultSpec.json(), "config.json").linux().seccomp();
        assertEquals(Seccomp.Action.ALLOW, seccomp.defaultAction());
        List<String> refused = new ArrayList<>();
        for (Seccomp.Rule rule : seccomp.syscalls()) {
            if (rule.action() == Seccomp.Action.ERRNO && rule.args().isEmpty()) refused.addAll(rule.names());
        }
        for (String name : List.of("unshare", "setns", "mount", "kexec_load", "init_module", "bpf", "keyctl", "reboot", "clone3")) {
            assertTrue(refused.contains(name), name);
        }
        assertFalse(refused.contains("clone"), "clone only with a CLONE_NEW* flag");
    }
}
