package hako.cgroup;

import hako.sys.UnitProperty;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which cgroup v2 writes become systemd properties, with which values, and which stay hako's. */
class SystemdPropertiesTest {
    static SystemdProperties.Split split(Limits.Write... writes) {
        return SystemdProperties.of(List.of(writes));
    }

    static Limits.Write write(String file, String value) {
        return new Limits.Write(file, value, "p");
    }

    @Test
    void memoryAndTasksAreUint64WithMaxAsInfinity() {
        var split = split(write("memory.max", "1048576"), write("memory.low", "max"), write("memory.high", "2097152"),
                write("memory.min", "0"), write("memory.swap.max", "max"), write("pids.max", "max"));
        assertEquals(List.of(UnitProperty.uint64("MemoryMax", 1048576), UnitProperty.uint64("MemoryLow", -1),
                UnitProperty.uint64("MemoryHigh", 2097152), UnitProperty.uint64("MemoryMin", 0),
                UnitProperty.uint64("MemorySwapMax", -1), UnitProperty.uint64("TasksMax", -1)), split.properties());
        assertEquals(List.of(), split.direct());
    }

    @Test
    void cpuMaxIsAPeriodAndAQuotaPerSecondRoundedUpToTenMillisecondsAsRuncDoes() {
        assertEquals(List.of(UnitProperty.uint64("CPUQuotaPeriodUSec", 100000), UnitProperty.uint64("CPUQuotaPerSecUSec", 500000)),
                split(write("cpu.max", "50000 100000")).properties());
        assertEquals(List.of(UnitProperty.uint64("CPUQuotaPeriodUSec", 100000), UnitProperty.uint64("CPUQuotaPerSecUSec", -1)),
                split(write("cpu.max", "max 100000")).properties());
        var rounded = split(write("cpu.max", "12345 100000"));
        assertEquals(UnitProperty.uint64("CPUQuotaPerSecUSec", 130000), rounded.properties().get(1));
        assertEquals(List.of(write("cpu.max", "12345 100000")), rounded.direct(), "the exact quota is written too");
        assertEquals(250000, SystemdProperties.quotaPerSecond(12500, 50000));
    }

    @Test
    void cpusetsAreBitMasksLowestCpuInTheLowestBitOfTheFirstByte() {
        assertArrayEquals(new byte[] {0b1011}, SystemdProperties.mask("0-1,3"));
        assertArrayEquals(new byte[] {0, 0b1}, SystemdProperties.mask("8"));
        assertArrayEquals(new byte[0], SystemdProperties.mask(""));
        var split = split(write("cpuset.cpus", "2"), write("cpuset.mems", "0"));
        assertEquals(List.of(UnitProperty.bytes("AllowedCPUs", new byte[] {0b100}), UnitProperty.bytes("AllowedMemoryNodes", new byte[] {1})),
                split.properties());
    }

    @Test
    void theCgroupsIoWeightIsIOWeightOnIoWeightsScaleAndADevicesStaysAWrite() {
        Limits.Write specWeight = new Limits.Write("io.bfq.weight", "500", "p", false, write("io.weight", "5045"));
        Limits.Write device = new Limits.Write("io.bfq.weight", "8:0 500", "p", false, write("io.weight", "8:0 5045"));
        var split = split(specWeight, device, write("io.weight", "default 300"), write("io.weight", "8:16 200"));
        assertEquals(List.of(UnitProperty.uint64("IOWeight", 5045), UnitProperty.uint64("IOWeight", 300)), split.properties());
        assertEquals(List.of(device, write("io.weight", "8:16 200")), split.direct());
    }

    @Test
    void whatSystemdHasNoPropertyForIsWrittenByHako() {
        List<Limits.Write> rest = List.of(write("hugetlb.2MB.max", "1048576"), write("io.max", "8:0 rbps=100"),
                write("cpu.max.burst", "10"), write("cpu.idle", "1"), write("rdma.max", "mlx4_0 hca_handle=2"),
                write("memory.oom.group", "1"), write("memory.max", "not a number"));
        var split = SystemdProperties.of(rest);
        assertEquals(List.of(), split.properties());
        assertEquals(rest, split.direct(), "a value systemd's type cannot hold goes to the kernel, which judges it");
    }
}
