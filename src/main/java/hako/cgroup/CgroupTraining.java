package hako.cgroup;

import hako.spec.CpuList;
import hako.spec.Resources;
import hako.spec.SpecReader;

import java.util.List;
import java.util.Map;

/** What a container start with resources loads and links, exercised for the AOT cache's training run. */
public final class CgroupTraining {
    private CgroupTraining() {}

    /**
     * For the AOT cache's training run (hako.cli.AotTraining): decodes and converts a spec's worth
     * of limits and builds a device filter, touching nothing, so that what a container start with
     * resources loads and links is in the cache.
     */
    public static int exerciseForAotTraining() {
        Host host = new Host() {
            public java.util.BitSet cpus() {
                return CpuList.parse("0-1");
            }

            public java.util.BitSet mems() {
                return CpuList.parse("0");
            }

            public boolean blockDevice(long major, long minor) {
                return true;
            }

            public java.util.Set<String> hugePageSizes() {
                return java.util.Set.of("2MB");
            }
        };
        Map<String, Object> resources = new java.util.LinkedHashMap<>();
        resources.put("memory", Map.of("limit", 268435456L, "reservation", 1048576L, "swap", 268435456L));
        resources.put("cpu", Map.of("shares", 512L, "quota", 50000L, "period", 100000L, "cpus", "0", "mems", "0"));
        resources.put("pids", Map.of("limit", 100L));
        resources.put("blockIO", Map.of("weight", 500L, "throttleReadBpsDevice", List.of(Map.of("major", 8L, "minor", 0L, "rate", 1L))));
        resources.put("hugepageLimits", List.of(Map.of("pageSize", "2MB", "limit", 0L)));
        resources.put("unified", Map.of("memory.high", "max"));
        resources.put("devices", List.of(Map.of("allow", false, "access", "rwm")));
        Resources decoded = SpecReader.linux(Map.of("resources", resources), "config.json").resources();
        Limits limits = Limits.parse(decoded, "config.json", "linux.resources", host, null);
        // Every cgroup made goes through the kernel's CgroupFiles: loaded here, it is in the cache.
        CgroupFiles.kernel();
        return limits.writes.size() + DeviceFilter.program(DeviceFilter.all(limits.deviceRules, List.of())).length;
    }
}
