package hako.cgroup;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finding the cgroup v2 tree, hako's place in it, and the controllers held by v1. */
class HierarchyTest {
    static final String HYBRID = """
            23 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    static final String PURE = """
            24 1 0:22 / /sys rw - sysfs sysfs rw
            30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            99 30 0:26 / /var/lib/with\\040space rw - cgroup2 cgroup2 rw
            """;

    @Test
    void hybridHostsHaveTheTreeUnderUnifiedAndControllersInV1() {
        Hierarchy hierarchy = Hierarchy.parse(HYBRID, "4:memory:/process_api/x\n1:cpu:/\n0::/\n");
        assertEquals(Path.of("/sys/fs/cgroup/unified"), hierarchy.mount());
        assertEquals("/", hierarchy.ownCgroup());
        assertEquals("/sys/fs/cgroup/memory", hierarchy.v1().get("memory"));
        assertEquals("/sys/fs/cgroup/cpu", hierarchy.v1().get("cpu"));
        assertNull(hierarchy.v1().get("name=systemd"), "named hierarchies hold no controller");
        assertTrue(hierarchy.whyMissing("memory").contains("cgroup v1 hierarchy (/sys/fs/cgroup/memory)"));
        assertEquals("the kernel does not provide it", hierarchy.whyMissing("rdma"));
    }

    @Test
    void pureHostsHaveTheTreeAtSysFsCgroupAndTheFirstMountWins() {
        Hierarchy hierarchy = Hierarchy.parse(PURE, "0::/user.slice/user-0.slice/session-1.scope\n");
        assertEquals(Path.of("/sys/fs/cgroup"), hierarchy.mount());
        assertEquals("/user.slice/user-0.slice/session-1.scope", hierarchy.ownCgroup());
        assertTrue(hierarchy.v1().isEmpty());
        assertEquals(Path.of("/sys/fs/cgroup/hako/web"), hierarchy.directory("/hako/web"));
        assertEquals("/hako/web", hierarchy.cgroupPath(Path.of("/sys/fs/cgroup/hako/web")));
        assertEquals(List.of(Path.of("/sys/fs/cgroup"), Path.of("/sys/fs/cgroup/hako"), Path.of("/sys/fs/cgroup/hako/web")),
                hierarchy.chain("/hako/web"));
    }

    @Test
    void mountPointsAreUnescaped() {
        Hierarchy hierarchy = Hierarchy.parse("99 30 0:26 / /mnt/with\\040space rw - cgroup2 cgroup2 rw\n", "0::/\n");
        assertEquals(Path.of("/mnt/with space"), hierarchy.mount());
    }

    @Test
    void hostsWithoutCgroupV2HaveNoTree() {
        Hierarchy hierarchy = Hierarchy.parse("32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu,cpuacct\n", "3:cpu,cpuacct:/\n");
        assertNull(hierarchy.mount());
        assertEquals("/sys/fs/cgroup/cpu", hierarchy.v1().get("cpuacct"));
    }
}
