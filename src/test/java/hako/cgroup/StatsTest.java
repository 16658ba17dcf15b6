package hako.cgroup;

import hako.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cgroup v2 files in a directory → runc's events --stats shape. */
class StatsTest {
    @TempDir
    Path cgroup;

    void file(String name, String content) throws IOException {
        Files.writeString(cgroup.resolve(name), content);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> at(Map<String, Object> map, String... keys) {
        Map<String, Object> current = map;
        for (String key : keys) current = (Map<String, Object>) current.get(key);
        return current;
    }

    @Test
    void filesOfAFullyLimitedCgroup() throws IOException {
        file("cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 40\nnr_throttled 12\nthrottled_usec 7000\n");
        file("cpu.pressure", "some avg10=1.50 avg60=0.00 avg300=0.00 total=1234\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=99\n");
        file("cpuset.cpus.effective", "0-1,3\n");
        file("cpuset.mems.effective", "0\n");
        file("memory.current", "4096000\n");
        file("memory.max", "8388608\n");
        file("memory.peak", "5000000\n");
        file("memory.swap.current", "1000\n");
        file("memory.swap.max", "max\n");
        file("memory.stat", "anon 3000000\nfile 1000000\nkernel 96000\n");
        file("pids.current", "3\n");
        file("pids.max", "max\n");
        file("io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
        file("hugetlb.2MB.current", "2097152\n");
        file("hugetlb.2MB.events", "max 3\n");
        file("hugetlb.2MB.rsvd.current", "0\n");

        Map<String, Object> stats = Stats.read(cgroup);
        assertEquals(List.of("cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"),
                List.copyOf(stats.keySet()));
        assertEquals(Map.of("total", 1_500_000L, "kernel", 500_000L, "user", 1_000_000L), at(stats, "cpu", "usage"));
        assertEquals(Map.of("periods", 40L, "throttledPeriods", 12L, "throttledTime", 7_000_000L), at(stats, "cpu", "throttling"));
        assertEquals(new java.math.BigDecimal("1.50"), at(stats, "cpu", "psi", "some").get("avg10"));
        assertEquals(List.of(0L, 1L, 3L), at(stats, "cpuset").get("cpus"));
        assertEquals(1_000_000L, at(stats, "memory").get("cache"));
        assertEquals(Map.of("limit", 8388608L, "usage", 4096000L, "max", 5000000L, "failcnt", 0L), at(stats, "memory", "usage"));
        assertEquals(Map.of("limit", new BigInteger("18446744073709551615"), "usage", 4097000L, "failcnt", 0L),
                at(stats, "memory", "swap"), "swap as memory+swap, as cgroup v1 counted it");
        assertEquals(3000000L, at(stats, "memory", "raw").get("anon"));
        assertEquals(Map.of("current", 3L), at(stats, "pids"), "no limit is 0, left out");
        assertEquals(List.of(
                Map.of("major", 8L, "op", "Read", "value", 4096L),
                Map.of("major", 8L, "op", "Write", "value", 8192L),
                Map.of("major", 8L, "op", "Discard")), at(stats, "blkio").get("ioServiceBytesRecursive"));
        assertEquals(Map.of("2MB", Map.of("usage", 2097152L, "failcnt", 3L)), at(stats, "hugetlb"));
        // It is what runc prints: JSON that reads back.
        assertTrue(Json.write(stats).contains("\"network_interfaces\":null"));
    }

    @Test
    void aCgroupWithoutControllersHasOnlyTheCoreParts() throws IOException {
        file("cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
        Map<String, Object> stats = Stats.read(cgroup);
        assertEquals(Map.of("kernel", 0L, "user", 0L), at(stats, "cpu", "usage"));
        assertTrue(at(stats, "memory").isEmpty());
        assertTrue(at(stats, "pids").isEmpty());
        assertFalse(at(stats, "blkio").containsKey("ioServiceBytesRecursive"));
    }

    @Test
    void memoryLimitOfMaxIsUint64Max() throws IOException {
        file("memory.current", "10\n");
        file("memory.max", "max\n");
        assertEquals(new BigInteger("18446744073709551615"), at(Stats.read(cgroup), "memory", "usage").get("limit"));
    }
}
