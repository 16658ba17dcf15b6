package hako.cgroup;

import hako.spec.CpuList;
import hako.json.Json;
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

/** linux.resources → the cgroup v2 files and values, and the errors for what cannot be. */
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

    @SuppressWarnings("unchecked")
    static Limits parse(String resourcesJson) {
        return Limits.parse((Map<String, Object>) Json.parse(resourcesJson), "config.json", "linux.resources", HOST, null);
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
        assertEquals("config.json: linux.resources.memory.limit: must be -1 (no limit) or a number of bytes, got -5",
                error("{\"memory\": {\"limit\": -5}}"));
        assertEquals("config.json: linux.resources.memory.limit: 99999999999999999999 does not fit in a signed 64-bit number",
                error("{\"memory\": {\"limit\": 99999999999999999999}}"));
        assertEquals("config.json: linux.resources.memory.limit: expected a number, got the string \"1G\"",
                error("{\"memory\": {\"limit\": \"1G\"}}"));
        assertTrue(error("{\"memory\": {\"swap\": 100}}").contains("needs linux.resources.memory.limit"));
        assertEquals(List.of(), writes("{\"memory\": {\"disableOOMKiller\": false, \"useHierarchy\": true}}"));
    }

    @Test
    void cgroupV1FieldsThatRuncPassesOverOnV2AreWarningsNotErrors() {
        List<String> warnings = new java.util.ArrayList<>();
        hako.Warnings.sendTo(warnings::add);
        try {
            // The OCI validation suite's memory test sends kernel and kernelTCP, as cgroup v1 had them.
            assertEquals(List.of("memory.max=1000000"), writes("{\"memory\": {\"limit\": 1000000, \"kernel\": 1000, "
                    + "\"kernelTCP\": 1000, \"swappiness\": 60, \"disableOOMKiller\": true}, \"cpu\": {\"realtimeRuntime\": 950000}}"));
        } finally {
            hako.Warnings.sendTo(System.err::println);
        }
        assertEquals(List.of(
                "config.json: linux.resources.memory.kernel: ignored: cgroup v2 has no separate kernel memory limit (kernel memory counts in memory.limit)",
                "config.json: linux.resources.memory.kernelTCP: ignored: cgroup v2 has no separate TCP buffer limit (it counts in memory.limit)",
                "config.json: linux.resources.memory.swappiness: ignored: cgroup v2 has no per-cgroup swappiness",
                "config.json: linux.resources.memory.disableOOMKiller: ignored: cgroup v2 cannot turn the OOM killer off for a cgroup",
                "config.json: linux.resources.cpu.realtimeRuntime: ignored: cgroup v2 has no realtime CPU budget (cpu.rt_runtime_us is cgroup v1's)"),
                warnings);
    }

    @Test
    void swapOnlyUpdatesUseTheMemoryLimitInForce() {
        @SuppressWarnings("unchecked")
        Map<String, Object> resources = (Map<String, Object>) Json.parse("{\"memory\": {\"swap\": 300}}");
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
        @SuppressWarnings("unchecked")
        Map<String, Object> resources = (Map<String, Object>) Json.parse("{\"cpu\": {\"quota\": 5000}}");
        Limits limits = Limits.parse(resources, "update", "", HOST, file -> file.equals("cpu.max") ? "max 20000\n" : null);
        assertEquals("5000 20000", limits.writes.getFirst().value());
    }

    @Test
    void cpuErrors() {
        assertEquals("config.json: linux.resources.cpu.period: must be between 1000 and 1000000 microseconds (1 ms to 1 s), got 50",
                error("{\"cpu\": {\"period\": 50}}"));
        assertEquals("config.json: linux.resources.cpu.quota: must be at least 1000 microseconds (the kernel's minimum, 1 ms), got 10",
                error("{\"cpu\": {\"quota\": 10}}"));
        assertEquals("config.json: linux.resources.cpu.shares: must not be negative, got -3", error("{\"cpu\": {\"shares\": -3}}"));
        assertEquals("config.json: linux.resources.cpu.idle: must be 0 or 1, got 2", error("{\"cpu\": {\"idle\": 2}}"));
        assertTrue(error("{\"cpu\": {\"quota\": 5000, \"burst\": 6000}}").startsWith("config.json: linux.resources.cpu.burst: must not exceed cpu.quota 5000"));
    }

    @Test
    void cpusetWithinTheMachine() {
        assertEquals(List.of("cpuset.cpus=0-1,3", "cpuset.mems=0"), writes("{\"cpu\": {\"cpus\": \"0-1,3\", \"mems\": \"0\"}}"));
        assertEquals("config.json: linux.resources.cpu.cpus: asks for CPUs 4-7, but the container's cgroup may use only 0-3",
                error("{\"cpu\": {\"cpus\": \"2-7\"}}"));
        assertEquals("config.json: linux.resources.cpu.mems: asks for memory nodes 1, but the container's cgroup may use only 0",
                error("{\"cpu\": {\"mems\": \"0-1\"}}"));
        assertEquals("config.json: linux.resources.cpu.cpus: \"zero\" is not a list like 0-3,6", error("{\"cpu\": {\"cpus\": \"zero\"}}"));
        assertEquals(List.of(), writes("{\"cpu\": {\"cpus\": \"\"}}"));
    }

    @Test
    void pids() {
        assertEquals(List.of("pids.max=64"), writes("{\"pids\": {\"limit\": 64}}"));
        assertEquals(List.of("pids.max=max"), writes("{\"pids\": {\"limit\": -1}}"));
        assertEquals(List.of(), writes("{\"pids\": {\"limit\": 0}}"));
        assertEquals("config.json: linux.resources.pids.limit: must be -1 (no limit) or a number of processes, got -2",
                error("{\"pids\": {\"limit\": -2}}"));
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
        assertEquals("config.json: linux.resources.blockIO.weight: must be between 10 and 1000, got 5000",
                error("{\"blockIO\": {\"weight\": 5000}}"));
        assertEquals("config.json: linux.resources.blockIO.throttleWriteBpsDevice[0].rate: is required",
                error("{\"blockIO\": {\"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 0}]}}"));
    }

    @Test
    void hugetlbAndRdma() {
        assertEquals(List.of("hugetlb.2MB.max=4194304", "hugetlb.2MB.rsvd.max=4194304 (optional)"),
                writes("{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}]}"));
        assertEquals("config.json: linux.resources.hugepageLimits[0].pageSize: this machine has no \"64KB\" huge pages (it has 1GB, 2MB)",
                error("{\"hugepageLimits\": [{\"pageSize\": \"64KB\", \"limit\": 1}]}"));
        assertEquals(List.of("rdma.max=mlx5_1 hca_handle=3 hca_object=max"),
                writes("{\"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3}}}"));
    }

    @Test
    void unifiedIsWrittenVerbatimLastOneLineAtATime() {
        Limits limits = parse("{\"unified\": {\"memory.high\": \"1000000\", \"io.max\": \"8:0 rbps=1\\n8:16 wbps=2\"},"
                + " \"pids\": {\"limit\": 5}}");
        List<String> files = new ArrayList<>();
        for (Limits.Write write : limits.writes) files.add(write.file() + "=" + write.value());
        assertEquals(List.of("pids.max=5", "memory.high=1000000", "io.max=8:0 rbps=1", "io.max=8:16 wbps=2"), files);
        assertEquals("linux.resources.unified[\"memory.high\"]", limits.controllers.get("memory"));
        assertEquals("config.json: linux.resources.unified[\"cgroup.procs\"]: hako manages cgroup.procs itself",
                error("{\"unified\": {\"cgroup.procs\": \"1\"}}"));
        assertEquals("config.json: linux.resources.unified[\"../memory.max\"]: is not a cgroup file name (CONTROLLER.FILE, such as memory.high)",
                error("{\"unified\": {\"../memory.max\": \"1\"}}"));
        assertEquals("config.json: linux.resources.unified[\"memory.high\"]: expected a string, got 5",
                error("{\"unified\": {\"memory.high\": 5}}"));
    }

    @Test
    void deviceRules() {
        Limits limits = parse("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
                + " {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200, \"access\": \"rw\"}]}");
        assertEquals(List.of(new DeviceRule('a', -1, -1, DeviceRule.ALL, false),
                new DeviceRule('c', 10, 200, DeviceRule.READ | DeviceRule.WRITE, true)), limits.deviceRules);
        assertNull(parse("{}").deviceRules, "no devices key: the defaults alone");
        assertEquals("config.json: linux.resources.devices[0].type: must be \"a\" (all), \"b\" (block) or \"c\" (character), got \"x\"",
                error("{\"devices\": [{\"allow\": true, \"type\": \"x\", \"access\": \"r\"}]}"));
        assertEquals("config.json: linux.resources.devices[0].access: \"rx\" has 'x'; only r, w and m are access kinds",
                error("{\"devices\": [{\"allow\": true, \"access\": \"rx\"}]}"));
        assertEquals("config.json: linux.resources.devices[0].allow: is required (true or false)",
                error("{\"devices\": [{\"access\": \"r\"}]}"));
        assertEquals("config.json: linux.resources.devices[1].major: must be -1 (any) or a device number from 0 to 4095, got 5000",
                error("{\"devices\": [{\"allow\": true, \"access\": \"r\"}, {\"allow\": true, \"access\": \"r\", \"major\": 5000}]}"));
    }

    @Test
    void cgroupV1OnlyResourcesAreWarnedAboutAsRuncPassesThemOver() {
        List<String> warnings = new java.util.ArrayList<>();
        hako.Warnings.sendTo(warnings::add);
        try {
            assertEquals(List.of(), writes("{\"network\": {\"classID\": 1048577, \"priorities\": [{\"name\": \"eth0\", \"priority\": 5}]},"
                    + " \"blockIO\": {\"leafWeight\": 500}}"));
        } finally {
            hako.Warnings.sendTo(System.err::println);
        }
        assertEquals(java.util.Set.of(
                "config.json: linux.resources.network.classID: ignored: net_cls is a cgroup v1 controller; cgroup v2 has none",
                "config.json: linux.resources.network.priorities: ignored: net_prio is a cgroup v1 controller; cgroup v2 has none",
                "config.json: linux.resources.blockIO.leafWeight: ignored: cgroup v2 has no leaf weight"), java.util.Set.copyOf(warnings));
    }
}
