package hako.spec;

import hako.json.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** linux.resources into records, and every refusal of the input itself, with its JSON path. */
class ResourcesDecoderTest {

    /** As config.json's linux.resources: paths start at linux.resources. */
    static Resources decode(String json) {
        return new SpecDecoder("config.json").decodeLinuxDocument(Map.of("resources", Json.parse(json))).resources();
    }

    /** The refusal, checked to name the same path as its message does. */
    static String refused(String json) {
        SpecException e = assertThrows(SpecException.class, () -> decode(json));
        assertTrue(e.getMessage().startsWith("config.json: " + e.jsonPath() + ": "), e.getMessage());
        return e.getMessage();
    }

    static List<String> warnings(String json) {
        List<String> warnings = new ArrayList<>();
        hako.Warnings.sendTo(warnings::add);
        try {
            decode(json);
        } finally {
            hako.Warnings.sendTo(System.err::println);
        }
        return warnings;
    }

    @Test
    void memory() {
        Resources r = decode("{\"memory\": {\"limit\": 268435456, \"reservation\": 104857600, \"swap\": -1, \"checkBeforeUpdate\": true}}");
        assertEquals(new Resources.Memory(268435456L, 104857600L, -1L, null, null, null, null, null, true), r.memory());
        assertEquals(new Resources.Memory(0L, null, null, null, null, null, false, true, false),
                decode("{\"memory\": {\"limit\": 0, \"disableOOMKiller\": false, \"useHierarchy\": true}}").memory());
        assertEquals(1000L, decode("{\"memory\": {\"limit\": 1e3}}").memory().limit(), "1e3 is a whole number, as hako always took it");
    }

    @Test
    void memoryRefusals() {
        assertEquals("config.json: linux.resources.memory.limit: must be -1 (no limit) or a number of bytes, got -5",
                refused("{\"memory\": {\"limit\": -5}}"));
        assertEquals("config.json: linux.resources.memory.reservation: must be -1 (no limit) or a number of bytes, got -2",
                refused("{\"memory\": {\"reservation\": -2}}"));
        assertEquals("config.json: linux.resources.memory.swap: must be -1 (no limit) or a positive number of bytes, got -3",
                refused("{\"memory\": {\"limit\": 100, \"swap\": -3}}"));
        assertEquals("config.json: linux.resources.memory.limit: 99999999999999999999 does not fit in a signed 64-bit number",
                refused("{\"memory\": {\"limit\": 99999999999999999999}}"));
        assertEquals("config.json: linux.resources.memory.limit: expected a number, got the string \"1G\"",
                refused("{\"memory\": {\"limit\": \"1G\"}}"));
        assertEquals("config.json: linux.resources.memory.limit: expected a whole number, got 1.5",
                refused("{\"memory\": {\"limit\": 1.5}}"));
        assertEquals("config.json: linux.resources.memory.checkBeforeUpdate: expected true or false, got the string \"yes\"",
                refused("{\"memory\": {\"checkBeforeUpdate\": \"yes\"}}"));
        assertEquals("config.json: linux.resources.memory.swappiness: must not be negative, got -1",
                refused("{\"memory\": {\"swappiness\": -1}}"));
        assertEquals("config.json: linux.resources.memory: expected an object, got an array", refused("{\"memory\": []}"));
    }

    @Test
    void cgroupV1FieldsThatRuncPassesOverOnV2AreWarningsNotErrors() {
        // The OCI validation suite's memory test sends kernel and kernelTCP, as cgroup v1 had them.
        assertEquals(List.of(
                "config.json: linux.resources.memory.kernel: ignored: cgroup v2 has no separate kernel memory limit (kernel memory counts in memory.limit)",
                "config.json: linux.resources.memory.kernelTCP: ignored: cgroup v2 has no separate TCP buffer limit (it counts in memory.limit)",
                "config.json: linux.resources.memory.swappiness: ignored: cgroup v2 has no per-cgroup swappiness",
                "config.json: linux.resources.memory.disableOOMKiller: ignored: cgroup v2 cannot turn the OOM killer off for a cgroup",
                "config.json: linux.resources.cpu.realtimeRuntime: ignored: cgroup v2 has no realtime CPU budget (cpu.rt_runtime_us is cgroup v1's)"),
                warnings("{\"memory\": {\"limit\": 1000000, \"kernel\": 1000, \"kernelTCP\": 1000, \"swappiness\": 60, "
                        + "\"disableOOMKiller\": true}, \"cpu\": {\"realtimeRuntime\": 950000}}"));
        assertEquals(Set.of(
                "config.json: linux.resources.network.classID: ignored: net_cls is a cgroup v1 controller; cgroup v2 has none",
                "config.json: linux.resources.network.priorities: ignored: net_prio is a cgroup v1 controller; cgroup v2 has none",
                "config.json: linux.resources.blockIO.leafWeight: ignored: cgroup v2 has no leaf weight",
                "config.json: linux.resources.blockIO.weightDevice[0].leafWeight: ignored: cgroup v2 has no leaf weight",
                "config.json: linux.resources.memory.useHierarchy: ignored: cgroup v2 is always hierarchical",
                "config.json: linux.resources.cpu.realtimePeriod: ignored: cgroup v2 has no realtime CPU period (cpu.rt_period_us is cgroup v1's)"),
                Set.copyOf(warnings("{\"network\": {\"classID\": 1048577, \"priorities\": [{\"name\": \"eth0\", \"priority\": 5}]},"
                        + " \"blockIO\": {\"leafWeight\": 500, \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"leafWeight\": 10}]},"
                        + " \"memory\": {\"useHierarchy\": false}, \"cpu\": {\"realtimePeriod\": 1000000}}")));
        assertEquals(List.of(), warnings("{\"memory\": {\"disableOOMKiller\": false, \"useHierarchy\": true}, \"blockIO\": {\"leafWeight\": 0}}"),
                "values that ask for what v2 does anyway");
    }

    @Test
    void cpu() {
        assertEquals(new Resources.Cpu(1024L, 50000L, 100000L, 10000L, 0L, null, null, "0-1,3", "0"),
                decode("{\"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000, \"burst\": 10000, \"idle\": 0,"
                        + " \"cpus\": \" 0-1,3 \", \"mems\": \"0\"}}").cpu());
        assertNull(decode("{\"cpu\": {\"cpus\": \"\", \"mems\": \"  \"}}").cpu().cpus(), "blank is unset");
        assertEquals(-1L, decode("{\"cpu\": {\"shares\": 18446744073709551615}}").cpu().shares(), "uint64 as its bits");
    }

    @Test
    void cpuRefusals() {
        assertEquals("config.json: linux.resources.cpu.period: must be between 1000 and 1000000 microseconds (1 ms to 1 s), got 50",
                refused("{\"cpu\": {\"period\": 50}}"));
        assertEquals("config.json: linux.resources.cpu.quota: must be at least 1000 microseconds (the kernel's minimum, 1 ms), got 10",
                refused("{\"cpu\": {\"quota\": 10}}"));
        assertEquals("config.json: linux.resources.cpu.quota: must be -1 (no limit) or a number of microseconds, got -2",
                refused("{\"cpu\": {\"quota\": -2}}"));
        assertEquals("config.json: linux.resources.cpu.shares: must not be negative, got -3", refused("{\"cpu\": {\"shares\": -3}}"));
        assertEquals("config.json: linux.resources.cpu.shares: 18446744073709551616 does not fit in an unsigned 64-bit number",
                refused("{\"cpu\": {\"shares\": 18446744073709551616}}"));
        assertEquals("config.json: linux.resources.cpu.idle: must be 0 or 1, got 2", refused("{\"cpu\": {\"idle\": 2}}"));
        assertEquals("config.json: linux.resources.cpu.shares: cannot be set with cpu.idle 1: an idle cgroup has no weight",
                refused("{\"cpu\": {\"shares\": 512, \"idle\": 1}}"));
        assertEquals("config.json: linux.resources.cpu.burst: must not exceed cpu.quota 5000 (microseconds of extra run time a period may borrow)",
                refused("{\"cpu\": {\"quota\": 5000, \"burst\": 6000}}"));
        assertEquals("config.json: linux.resources.cpu.cpus: \"zero\" is not a list like 0-3,6", refused("{\"cpu\": {\"cpus\": \"zero\"}}"));
        assertEquals("config.json: linux.resources.cpu.mems: expected a string, got 0", refused("{\"cpu\": {\"mems\": 0}}"));
    }

    @Test
    void pids() {
        assertEquals(new Resources.Pids(-1L), decode("{\"pids\": {\"limit\": -1}}").pids());
        assertEquals("config.json: linux.resources.pids.limit: must be -1 (no limit) or a number of processes, got -2",
                refused("{\"pids\": {\"limit\": -2}}"));
    }

    @Test
    void blockIo() {
        Resources.BlockIo io = decode("{\"blockIO\": {\"weight\": 500, \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 100}],"
                + " \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}],"
                + " \"throttleWriteIOPSDevice\": [{\"major\": 1, \"minor\": 0, \"rate\": 0}]}}").blockIo();
        assertEquals(new Resources.BlockIo(500L, null, List.of(new Resources.WeightDevice(8, 0, 100L, null)),
                List.of(new Resources.ThrottleDevice(8, 0, 1048576)), List.of(), List.of(),
                List.of(new Resources.ThrottleDevice(1, 0, 0))), io);
    }

    @Test
    void blockIoRefusals() {
        assertEquals("config.json: linux.resources.blockIO.weight: must be between 10 and 1000, got 5000",
                refused("{\"blockIO\": {\"weight\": 5000}}"));
        assertEquals("config.json: linux.resources.blockIO.weightDevice[0].weight: must be between 10 and 1000, got 0",
                refused("{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 0}]}}"));
        assertEquals("config.json: linux.resources.blockIO.throttleWriteBpsDevice[0].rate: is required",
                refused("{\"blockIO\": {\"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 0}]}}"));
        assertEquals("config.json: linux.resources.blockIO.throttleReadIOPSDevice[1]: needs both major and minor",
                refused("{\"blockIO\": {\"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1}, {\"major\": 8, \"rate\": 1}]}}"));
        assertEquals("config.json: linux.resources.blockIO.weightDevice[0]: expected an object, got 8",
                refused("{\"blockIO\": {\"weightDevice\": [8]}}"));
        assertEquals("config.json: linux.resources.blockIO.throttleReadBpsDevice: expected an array, got an object",
                refused("{\"blockIO\": {\"throttleReadBpsDevice\": {}}}"));
    }

    @Test
    void hugepagesRdmaNetwork() {
        Resources r = decode("{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}],"
                + " \"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3}}, \"network\": {\"classID\": 7}}");
        assertEquals(List.of(new Resources.HugepageLimit("2MB", 4194304)), r.hugepageLimits());
        assertEquals(Map.of("mlx5_1", new Resources.Rdma(3L, null)), r.rdma());
        assertEquals(new Resources.Network(7L, List.of()), r.network());
        assertEquals("config.json: linux.resources.hugepageLimits[0]: needs pageSize and limit",
                refused("{\"hugepageLimits\": [{\"pageSize\": \"2MB\"}]}"));
        assertEquals("config.json: linux.resources.rdma[\"mlx 5\"]: is not an RDMA device name",
                refused("{\"rdma\": {\"mlx 5\": {}}}"));
        assertEquals("config.json: linux.resources.rdma[\"mlx5_1\"].hcaObjects: must not be negative, got -1",
                refused("{\"rdma\": {\"mlx5_1\": {\"hcaObjects\": -1}}}"));
        assertEquals("config.json: linux.resources.network.priorities[0].priority: expected a number, got the string \"high\"",
                refused("{\"network\": {\"priorities\": [{\"name\": \"eth0\", \"priority\": \"high\"}]}}"));
    }

    @Test
    void devices() {
        Resources r = decode("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
                + " {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200, \"access\": \"rw\"}]}");
        assertEquals(List.of(new Resources.DeviceCgroupRule(false, 'a', -1, -1, "rwm"),
                new Resources.DeviceCgroupRule(true, 'c', 10, 200, "rw")), r.devices());
        assertNull(decode("{}").devices(), "absent: the defaults alone");
        assertNull(decode("{\"devices\": null}").devices(), "null reads as absent");
        assertEquals(List.of(), decode("{\"devices\": []}").devices());
    }

    @Test
    void deviceRefusals() {
        assertEquals("config.json: linux.resources.devices[0].type: must be \"a\" (all), \"b\" (block) or \"c\" (character), got \"x\"",
                refused("{\"devices\": [{\"allow\": true, \"type\": \"x\", \"access\": \"r\"}]}"));
        assertEquals("config.json: linux.resources.devices[0].access: \"rx\" has 'x'; only r, w and m are access kinds",
                refused("{\"devices\": [{\"allow\": true, \"access\": \"rx\"}]}"));
        assertEquals("config.json: linux.resources.devices[0].access: \"r\\n\" has '\\n'; only r, w and m are access kinds",
                refused("{\"devices\": [{\"allow\": true, \"access\": \"r\\n\"}]}"), "one line, whatever the access holds");
        assertEquals("config.json: linux.resources.devices[0].access: is required: some of r (read), w (write) and m (mknod)",
                refused("{\"devices\": [{\"allow\": true}]}"));
        assertEquals("config.json: linux.resources.devices[0].allow: is required (true or false)",
                refused("{\"devices\": [{\"access\": \"r\"}]}"));
        assertEquals("config.json: linux.resources.devices[1].major: must be -1 (any) or a device number from 0 to 4095, got 5000",
                refused("{\"devices\": [{\"allow\": true, \"access\": \"r\"}, {\"allow\": true, \"access\": \"r\", \"major\": 5000}]}"));
        assertEquals("config.json: linux.resources.devices[0].minor: must be -1 (any) or a device number from 0 to 1048575, got -2",
                refused("{\"devices\": [{\"allow\": true, \"access\": \"r\", \"minor\": -2}]}"));
    }

    @Test
    void unified() {
        assertEquals(List.of("memory.high", "io.max"),
                List.copyOf(decode("{\"unified\": {\"memory.high\": \"1000000\", \"io.max\": \"8:0 rbps=1\"}}").unified().keySet()),
                "in the document's order");
        assertEquals("config.json: linux.resources.unified[\"cgroup.procs\"]: hako manages cgroup.procs itself",
                refused("{\"unified\": {\"cgroup.procs\": \"1\"}}"));
        assertEquals("config.json: linux.resources.unified[\"../memory.max\"]: is not a cgroup file name (CONTROLLER.FILE, such as memory.high)",
                refused("{\"unified\": {\"../memory.max\": \"1\"}}"));
        assertEquals("config.json: linux.resources.unified[\"memoryhigh\"]: is not a cgroup file name (CONTROLLER.FILE, such as memory.high)",
                refused("{\"unified\": {\"memoryhigh\": \"1\"}}"), "a key is always quoted, even one that reads as a name");
        assertEquals("config.json: linux.resources.unified[\"memory.high\"]: expected a string, got 5",
                refused("{\"unified\": {\"memory.high\": 5}}"));
    }

    @Test
    void whatAsksForAnything() {
        assertFalse(decode("{}").asksForAnything());
        assertFalse(decode("{\"memory\": {}, \"cpu\": null, \"devices\": [], \"unified\": {}, \"hugepageLimits\": []}").asksForAnything(),
                "empty groups ask for nothing");
        assertNull(decode("{\"memory\": {}}").memory(), "an empty group reads as absent");
        assertTrue(decode("{\"memory\": {\"limit\": 0}}").asksForAnything());
        assertTrue(decode("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}").asksForAnything());
        assertFalse(Resources.NONE.asksForAnything());
    }

    @Test
    void anUpdateDocumentHasPathsFromItsTop() {
        SpecException e = assertThrows(SpecException.class,
                () -> SpecReader.resources(Json.parse("{\"memory\": {\"limit\": -5}}"), "resources.json"));
        assertEquals("resources.json: memory.limit: must be -1 (no limit) or a number of bytes, got -5", e.getMessage());
        assertEquals("memory.limit", e.jsonPath());
        assertEquals("flags: cpu.period: must be between 1000 and 1000000 microseconds (1 ms to 1 s), got 5",
                assertThrows(SpecException.class, () -> SpecReader.resources(Map.of("cpu", Map.of("period", 5L)), "flags")).getMessage());
        assertEquals("resources.json: expected a JSON object at the top level, got an array",
                assertThrows(SpecException.class, () -> SpecReader.resources(List.of(), "resources.json")).getMessage());
        assertEquals(new Resources.Pids(4L), SpecReader.resources(Json.parse("{\"pids\": {\"limit\": 4}}"), "stdin").pids());
    }
}
