package hako.cgroup;

import hako.spec.CpuList;
import hako.json.Json;
import hako.spec.Resources;
import hako.spec.SpecReader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoded linux.resources → the cgroup v2 files and values, and the errors for what only the
 * machine can refuse (ResourcesDecoderTest has the refusals of the input itself).
 */
class LimitsTest {
    /** A machine with CPUs 0-3, memory node 0, block devices 8:0 and 1:0, 2MB and 1GB huge pages. */
    static final Host HOST = new Host() {
        public BitSet cpus() {
            return CpuList.parse("0-3");
        }

        public BitSet mems() {
            return CpuList.parse("0");
        }

        public boolean blockDevice(long major, long minor) {
            return (major == 8 && minor == 0) || (major == 1 && minor == 0);
        }

        public Set<String> hugePageSizes() {
            return Set.of("2MB", "1GB");
        }
    };

    /** linux.resources of a config.json, decoded as the spec package decodes it. */
    static Resources decode(String resourcesJson) {
        return SpecReader.linux(Map.of("resources", Json.parse(resourcesJson)), "config.json").resources();
    }

    static Limits parse(String resourcesJson) {
        return Limits.parse(decode(resourcesJson), "config.json", "linux.resources", HOST, null);
    }

    /** Each write as "file=value". */
    static List<String> writes(String resourcesJson) {
        List<String> writes = new ArrayList<>();
        for (Limits.Write write : parse(resourcesJson).writes) {
            writes.add(write.file() + "=" + write.value() + (write.orElse() != null ? " else " + write.orElse().file() + "=" + write.orElse().value() : "")
                    + (write.optional() ? " (optional)" : ""));
        }
        return writes;
    }

    static String error(String resourcesJson) {
        return assertThrows(CgroupException.class, () -> parse(resourcesJson)).getMessage();
    }

    @Test
    void memoryLimitsAndSwapConvertedFromMemoryPlusSwap() {
        assertEquals(List.of("memory.low=104857600", "memory.max=268435456", "memory.swap.max=268435456"),
                writes("{\"memory\": {\"limit\": 268435456, \"reservation\": 104857600, \"swap\": 536870912}}"));
        assertEquals(List.of("memory.max=max", "memory.swap.max=max (optional)"), writes("{\"memory\": {\"limit\": -1}}"));
        assertEquals(List.of(), writes("{\"memory\": {\"limit\": 0, \"swap\": 0}}"), "0 is unset, as in runc");
        Limits limits = parse("{\"memory\": {\"limit\": 1048576}}");
        assertEquals(Map.of("memory", "linux.resources.memory.limit"), limits.controllers);
    }

    @Test
    void memoryErrorsNameThePathAndTheReason() {
        assertEquals("config.json: linux.resources.memory.swap: 100000 is below the memory limit 200000 "
                + "(the spec's swap counts memory plus swap, so it must be at least memory.limit)",
                error("{\"memory\": {\"limit\": 200000, \"swap\": 100000}}"));
        assertTrue(error("{\"memory\": {\"swap\": 100}}").contains("needs linux.resources.memory.limit"));
        assertEquals(List.of(), writes("{\"memory\": {\"disableOOMKiller\": false, \"useHierarchy\": true}}"));
    }

    @Test
    void cgroupV1FieldsThatRuncPassesOverOnV2WriteNothing() {
        // The decoder says they are ignored (ResourcesDecoderTest); here, that nothing is written for them.
        Resources v1 = new Resources(new Resources.Memory(1000000L, null, null, 1000L, 1000L, 60L, true, false, false),
                new Resources.Cpu(null, null, null, null, null, 950000L, 1000000L, null, null), null,
                new Resources.BlockIo(null, 500L, List.of(), List.of(), List.of(), List.of(), List.of()), List.of(), Map.of(),
                new Resources.Network(1048577L, List.of(new Resources.InterfacePriority("eth0", 5))), null, Map.of());
        List<String> files = new ArrayList<>();
        for (Limits.Write write : Limits.parse(v1, "config.json", "linux.resources", HOST, null).writes) files.add(write.file() + "=" + write.value());
        assertEquals(List.of("memory.max=1000000"), files);
    }

    @Test
    void swapOnlyUpdatesUseTheMemoryLimitInForce() {
        Resources resources = new Resources(new Resources.Memory(null, null, 300L, null, null, null, null, null, false),
                null, null, null, List.of(), Map.of(), null, null, Map.of());
        Limits limits = Limits.parse(resources, "update", "", HOST, file -> file.equals("memory.max") ? "200\n" : null);
        assertEquals("memory.swap.max", limits.writes.getFirst().file());
        assertEquals("100", limits.writes.getFirst().value());
        assertEquals("memory.swap", limits.writes.getFirst().path(), "update paths start at the resources");
    }

    @Test
    void cpuSharesQuotaPeriodBurstIdle() {
        assertEquals(List.of("cpu.weight=100 (optional)", "cpu.max=50000 100000", "cpu.max.burst=10000"),
                writes("{\"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000, \"burst\": 10000}}"));
        assertEquals(List.of("cpu.max=20000 100000"), writes("{\"cpu\": {\"quota\": 20000}}"), "period defaults to 100 ms");
        assertEquals(List.of("cpu.max=max 50000"), writes("{\"cpu\": {\"quota\": -1, \"period\": 50000}}"));
        assertEquals(List.of("cpu.idle=1"), writes("{\"cpu\": {\"idle\": 1}}"));
        assertEquals(List.of(), writes("{\"cpu\": {\"shares\": 0, \"quota\": 0, \"period\": 0}}"));
        assertEquals(Map.of("cpu", "linux.resources.cpu.shares"), parse("{\"cpu\": {\"shares\": 512}}").controllers);
        assertEquals(Map.of(), parse("{\"cpu\": {\"shares\": 1024}}").controllers, "the default weight needs no controller");
    }

    @Test
    void quotaOnlyUpdatesKeepThePeriodInForce() {
        Resources resources = SpecReader.resources(Json.parse("{\"cpu\": {\"quota\": 5000}}"), "update.json");
        Limits limits = Limits.parse(resources, "update", "", HOST, file -> file.equals("cpu.max") ? "max 20000\n" : null);
        assertEquals("5000 20000", limits.writes.getFirst().value());
    }

    @Test
    void cpusetWithinTheMachine() {
        assertEquals(List.of("cpuset.cpus=0-1,3", "cpuset.mems=0"), writes("{\"cpu\": {\"cpus\": \"0-1,3\", \"mems\": \"0\"}}"));
        assertEquals("config.json: linux.resources.cpu.cpus: asks for CPUs 4-7, but the container's cgroup may use only 0-3",
                error("{\"cpu\": {\"cpus\": \"2-7\"}}"));
        assertEquals("config.json: linux.resources.cpu.mems: asks for memory nodes 1, but the container's cgroup may use only 0",
                error("{\"cpu\": {\"mems\": \"0-1\"}}"));
        assertEquals(List.of(), writes("{\"cpu\": {\"cpus\": \"\"}}"));
    }

    @Test
    void pids() {
        assertEquals(List.of("pids.max=64"), writes("{\"pids\": {\"limit\": 64}}"));
        assertEquals(List.of("pids.max=max"), writes("{\"pids\": {\"limit\": -1}}"));
        assertEquals(List.of(), writes("{\"pids\": {\"limit\": 0}}"));
    }

    @Test
    void blockIoWeightsAndThrottlesPerDevice() {
        assertEquals(List.of(
                "io.bfq.weight=500 else io.weight=4950",
                "io.bfq.weight=8:0 100 else io.weight=8:0 910",
                "io.max=8:0 rbps=1048576",
                "io.max=1:0 wbps=max",
                "io.max=8:0 riops=100",
                "io.max=8:0 wiops=200"),
                writes("{\"blockIO\": {\"weight\": 500, \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 100}],"
                        + " \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}],"
                        + " \"throttleWriteBpsDevice\": [{\"major\": 1, \"minor\": 0, \"rate\": 0}],"
                        + " \"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 100}],"
                        + " \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 200}]}}"));
    }

    @Test
    void blockIoErrors() {
        assertEquals("config.json: linux.resources.blockIO.throttleReadBpsDevice[0]: this machine has no block device 259:7 (see /sys/dev/block)",
                error("{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 259, \"minor\": 7, \"rate\": 1}]}}"));
        assertEquals("config.json: linux.resources.blockIO.weightDevice[1]: this machine has no block device 8:16 (see /sys/dev/block)",
                error("{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0}, {\"major\": 8, \"minor\": 16}]}}"),
                "a device is checked even when it sets no weight");
    }

    @Test
    void hugetlbAndRdma() {
        assertEquals(List.of("hugetlb.2MB.max=4194304", "hugetlb.2MB.rsvd.max=4194304 (optional)"),
                writes("{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}]}"));
        assertEquals("config.json: linux.resources.hugepageLimits[0].pageSize: this machine has no \"64KB\" huge pages (it has 1GB, 2MB)",
                error("{\"hugepageLimits\": [{\"pageSize\": \"64KB\", \"limit\": 1}]}"));
        assertEquals(List.of("rdma.max=mlx5_1 hca_handle=3 hca_object=max"),
                writes("{\"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3}}}"));
        assertEquals(Map.of("rdma", "linux.resources.rdma[\"mlx5_1\"]"), parse("{\"rdma\": {\"mlx5_1\": {}}}").controllers);
    }

    @Test
    void unifiedIsWrittenVerbatimLastOneLineAtATime() {
        Limits limits = parse("{\"unified\": {\"memory.high\": \"1000000\", \"io.max\": \"8:0 rbps=1\\n8:16 wbps=2\"},"
                + " \"pids\": {\"limit\": 5}}");
        List<String> files = new ArrayList<>();
        for (Limits.Write write : limits.writes) files.add(write.file() + "=" + write.value());
        assertEquals(List.of("pids.max=5", "memory.high=1000000", "io.max=8:0 rbps=1", "io.max=8:16 wbps=2"), files);
        assertEquals("linux.resources.unified[\"memory.high\"]", limits.controllers.get("memory"));
        assertEquals(Map.of(), parse("{\"unified\": {\"nonsense.file\": \"1\"}}").controllers, "no controller of that name");
    }

    @Test
    void deviceRules() {
        Limits limits = parse("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
                + " {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200, \"access\": \"rw\"}]}");
        assertEquals(List.of(new DeviceRule('a', -1, -1, DeviceRule.ALL, false),
                new DeviceRule('c', 10, 200, DeviceRule.READ | DeviceRule.WRITE, true)), limits.deviceRules);
        assertEquals("linux.resources.devices", limits.devicesPath);
        assertNull(parse("{}").deviceRules, "no devices key: the defaults alone");
        assertEquals(List.of(), parse("{\"devices\": []}").deviceRules, "an empty list: no rules of the spec's, but a filter all the same");
        assertEquals(List.of(new DeviceRule('b', 8, DeviceRule.ANY, DeviceRule.MKNOD | DeviceRule.READ, true)),
                parse("{\"devices\": [{\"allow\": true, \"type\": \"b\", \"major\": 8, \"minor\": -1, \"access\": \"mr\"}]}").deviceRules);
    }

    @Test
    void errorsFromAnUpdateNameItsFileAndPathsFromTheTop() {
        Resources resources = SpecReader.resources(Json.parse("{\"cpu\": {\"cpus\": \"9\"}}"), "resources.json");
        assertEquals("resources.json: cpu.cpus: asks for CPUs 9, but the container's cgroup may use only 0-3",
                assertThrows(CgroupException.class, () -> Limits.parse(resources, "resources.json", "", HOST, file -> null)).getMessage());
    }
}
