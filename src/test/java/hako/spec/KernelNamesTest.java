package hako.spec;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spec-name to kernel-number tables, checked against values from the kernel's uapi headers. */
class KernelNamesTest {

    @Test
    void capabilityNumbersMatchTheKernelHeader() {
        assertEquals(0, Capability.CAP_CHOWN.number());
        assertEquals(5, Capability.CAP_KILL.number());
        assertEquals(10, Capability.CAP_NET_BIND_SERVICE.number());
        assertEquals(12, Capability.CAP_NET_ADMIN.number());
        assertEquals(21, Capability.CAP_SYS_ADMIN.number());
        assertEquals(29, Capability.CAP_AUDIT_WRITE.number());
        assertEquals(31, Capability.CAP_SETFCAP.number());
        assertEquals(37, Capability.CAP_AUDIT_READ.number());
        assertEquals(39, Capability.CAP_BPF.number());
        assertEquals(40, Capability.CAP_CHECKPOINT_RESTORE.number());
        assertSame(Capability.CAP_CHECKPOINT_RESTORE, Capability.last());
    }

    @Test
    void capabilityNumbersAreDenseAndLookupsAgree() {
        Capability[] all = Capability.values();
        for (int i = 0; i < all.length; i++) {
            assertEquals(i, all[i].number(), all[i].name());
            assertSame(all[i], Capability.byNumber(i));
            assertSame(all[i], Capability.byName(all[i].name()));
            assertTrue(all[i].name().startsWith("CAP_"));
        }
        assertNull(Capability.byNumber(all.length));
        assertNull(Capability.byNumber(-1));
        assertNull(Capability.byName("CAP_FLY"));
        assertNull(Capability.byName("cap_kill"));
    }

    @Test
    void capabilityMaskSetsOneBitPerCapability() {
        assertEquals(0L, Capability.mask(List.of()));
        assertEquals((1L << 5) | (1L << 10) | (1L << 29),
                Capability.mask(List.of(Capability.CAP_KILL, Capability.CAP_NET_BIND_SERVICE, Capability.CAP_AUDIT_WRITE)));
        assertEquals((1L << 41) - 1, Capability.mask(EnumSet.allOf(Capability.class)));
        assertEquals(1L << 5, Capability.mask(List.of(Capability.CAP_KILL, Capability.CAP_KILL)));
    }

    @Test
    void rlimitResourcesMatchTheKernelHeader() {
        RlimitType[] all = RlimitType.values();
        for (int i = 0; i < all.length; i++) {
            assertEquals(i, all[i].resource(), all[i].name());
            assertSame(all[i], RlimitType.byName(all[i].name()));
        }
        assertEquals(7, RlimitType.RLIMIT_NOFILE.resource());
        assertEquals(6, RlimitType.RLIMIT_NPROC.resource());
        assertEquals(15, RlimitType.RLIMIT_RTTIME.resource());
        assertEquals(16, all.length);
        assertNull(RlimitType.byName("RLIMIT_NLIMITS"));
    }

    @Test
    void namespaceTypesCarryTheirCloneFlagsAndProcNames() {
        assertEquals(0x00020000, NamespaceType.MOUNT.cloneFlag());
        assertEquals(0x02000000, NamespaceType.CGROUP.cloneFlag());
        assertEquals(0x04000000, NamespaceType.UTS.cloneFlag());
        assertEquals(0x08000000, NamespaceType.IPC.cloneFlag());
        assertEquals(0x10000000, NamespaceType.USER.cloneFlag());
        assertEquals(0x20000000, NamespaceType.PID.cloneFlag());
        assertEquals(0x40000000, NamespaceType.NETWORK.cloneFlag());
        assertEquals(0x00000080, NamespaceType.TIME.cloneFlag());
        assertEquals("net", NamespaceType.NETWORK.procName());
        assertEquals("mnt", NamespaceType.MOUNT.procName());
        assertSame(NamespaceType.NETWORK, NamespaceType.bySpecName("network"));
        assertNull(NamespaceType.bySpecName("net"));
        assertEquals("pid, network, mount, ipc, uts, user, cgroup, time", NamespaceType.specNames());

        Set<Integer> flags = new HashSet<>();
        for (NamespaceType type : NamespaceType.values()) {
            assertTrue(flags.add(type.cloneFlag()), "clone flags are distinct");
            assertEquals(1, Integer.bitCount(type.cloneFlag()));
        }
    }

    @Test
    void deviceTypesCarryTheirFileTypeBits() {
        assertSame(DeviceType.CHAR, DeviceType.byCode("c"));
        assertSame(DeviceType.BLOCK, DeviceType.byCode("b"));
        assertSame(DeviceType.UNBUFFERED_CHAR, DeviceType.byCode("u"));
        assertSame(DeviceType.FIFO, DeviceType.byCode("p"));
        assertNull(DeviceType.byCode("cc"));
        assertNull(DeviceType.byCode(""));
        assertNull(DeviceType.byCode(null));
        assertEquals(0020000, DeviceType.CHAR.fileTypeBits());
        assertEquals(0020000, DeviceType.UNBUFFERED_CHAR.fileTypeBits());
        assertEquals(0060000, DeviceType.BLOCK.fileTypeBits());
        assertEquals(0010000, DeviceType.FIFO.fileTypeBits());
        assertFalse(DeviceType.FIFO.hasDeviceNumbers());
        assertTrue(DeviceType.BLOCK.hasDeviceNumbers());
    }
}
