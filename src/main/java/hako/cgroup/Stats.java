package hako.cgroup;

import hako.spec.CpuList;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cgroup's usage, read from its v2 files into the shape of runc's {@code events --stats} data
 * (runc's types.Stats), so tools that read runc's output read hako's: cpu, cpuset, memory, pids,
 * blkio, hugetlb. Units and conversions are runc's: nanoseconds for CPU time, memory+swap for
 * the swap entry (as cgroup v1 counted it), 18446744073709551615 for "max", 0 for a pids limit
 * of "max". A controller that is not enabled leaves its part empty. As in Go's encoding, fields
 * that runc marks omitempty are left out when zero.
 */
final class Stats {
    static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private Stats() {}

    static Map<String, Object> read(Path cgroup) {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("cpu", cpu(cgroup));
        stats.put("cpuset", cpuset(cgroup));
        stats.put("memory", memory(cgroup));
        stats.put("pids", pids(cgroup));
        stats.put("blkio", blkio(cgroup));
        stats.put("hugetlb", hugetlb(cgroup));
        stats.put("intel_rdt", new LinkedHashMap<>());
        stats.put("network_interfaces", null);
        return stats;
    }

    // ---------------------------------------------------------------- cpu

    private static Map<String, Object> cpu(Path cgroup) {
        Map<String, Long> stat = flatKeyed(cgroup.resolve("cpu.stat"));
        Map<String, Object> usage = new LinkedHashMap<>();
        putNonZero(usage, "total", micro(stat, "usage_usec"));
        usage.put("kernel", micro(stat, "system_usec"));
        usage.put("user", micro(stat, "user_usec"));
        Map<String, Object> throttling = new LinkedHashMap<>();
        putNonZero(throttling, "periods", stat.getOrDefault("nr_periods", 0L));
        putNonZero(throttling, "throttledPeriods", stat.getOrDefault("nr_throttled", 0L));
        putNonZero(throttling, "throttledTime", micro(stat, "throttled_usec"));
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("usage", usage);
        cpu.put("throttling", throttling);
        putIfPresent(cpu, "psi", pressure(cgroup.resolve("cpu.pressure")));
        return cpu;
    }

    private static long micro(Map<String, Long> stat, String key) {
        return stat.getOrDefault(key, 0L) * 1000;
    }

    private static Map<String, Object> cpuset(Path cgroup) {
        Map<String, Object> cpuset = new LinkedHashMap<>();
        List<Long> cpus = numbers(cgroup.resolve("cpuset.cpus.effective"));
        if (!cpus.isEmpty()) cpuset.put("cpus", cpus);
        cpuset.put("cpu_exclusive", 0L);
        List<Long> mems = numbers(cgroup.resolve("cpuset.mems.effective"));
        if (!mems.isEmpty()) cpuset.put("mems", mems);
        for (String v1Only : new String[] {"mem_hardwall", "mem_exclusive", "memory_migrate", "memory_spread_page",
                "memory_spread_slab", "memory_pressure", "sched_load_balance", "sched_relax_domain_level"}) {
            cpuset.put(v1Only, 0L);
        }
        return cpuset;
    }

    private static List<Long> numbers(Path listFile) {
        List<Long> numbers = new ArrayList<>();
        String text = text(listFile);
        if (text == null) return numbers;
        var set = CpuList.parse(text);
        for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) numbers.add((long) i);
        return numbers;
    }

    // ---------------------------------------------------------------- memory

    private static Map<String, Object> memory(Path cgroup) {
        Map<String, Object> memory = new LinkedHashMap<>();
        if (!Files.exists(cgroup.resolve("memory.current"))) return memory;
        Map<String, Long> stat = flatKeyed(cgroup.resolve("memory.stat"));
        putNonZero(memory, "cache", stat.getOrDefault("file", 0L));
        BigInteger usage = number(cgroup.resolve("memory.current"));
        BigInteger limit = number(cgroup.resolve("memory.max"));
        memory.put("usage", entry(limit, usage, number(cgroup.resolve("memory.peak"))));
        // cgroup v1 counted swap as memory+swap: report it the same way, as runc does.
        if (Files.exists(cgroup.resolve("memory.swap.current"))) {
            BigInteger swapUsage = number(cgroup.resolve("memory.swap.current")).add(usage);
            BigInteger swapLimit = number(cgroup.resolve("memory.swap.max"));
            if (!swapLimit.equals(UINT64_MAX)) swapLimit = swapLimit.add(limit).min(UINT64_MAX);
            memory.put("swap", entry(swapLimit, swapUsage, BigInteger.ZERO));
        } else {
            memory.put("swap", entry(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO));
        }
        memory.put("kernel", entry(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO));
        memory.put("kernelTCP", entry(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO));
        if (!stat.isEmpty()) memory.put("raw", new TreeMap<>(stat));
        putIfPresent(memory, "psi", pressure(cgroup.resolve("memory.pressure")));
        return memory;
    }

    private static Map<String, Object> entry(BigInteger limit, BigInteger usage, BigInteger max) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("limit", compact(limit));
        putNonZero(entry, "usage", usage);
        putNonZero(entry, "max", max);
        entry.put("failcnt", 0L);
        return entry;
    }

    // ---------------------------------------------------------------- pids

    private static Map<String, Object> pids(Path cgroup) {
        Map<String, Object> pids = new LinkedHashMap<>();
        if (!Files.exists(cgroup.resolve("pids.current"))) return pids;
        putNonZero(pids, "current", number(cgroup.resolve("pids.current")));
        BigInteger limit = number(cgroup.resolve("pids.max"));
        // runc reports no limit as 0.
        putNonZero(pids, "limit", limit.equals(UINT64_MAX) ? BigInteger.ZERO : limit);
        return pids;
    }

    // ---------------------------------------------------------------- io

    private static Map<String, Object> blkio(Path cgroup) {
        Map<String, Object> blkio = new LinkedHashMap<>();
        List<Object> bytes = new ArrayList<>();
        List<Object> ios = new ArrayList<>();
        String text = text(cgroup.resolve("io.stat"));
        if (text != null) {
            for (String line : text.split("\n")) {
                String[] fields = line.strip().split(" ");
                if (fields.length < 2 || fields[0].indexOf(':') < 0) continue;
                long major = Long.parseLong(fields[0].substring(0, fields[0].indexOf(':')));
                long minor = Long.parseLong(fields[0].substring(fields[0].indexOf(':') + 1));
                for (int i = 1; i < fields.length; i++) {
                    int equals = fields[i].indexOf('=');
                    if (equals < 0) continue;
                    String key = fields[i].substring(0, equals);
                    long value = Long.parseLong(fields[i].substring(equals + 1));
                    switch (key) {
                        case "rbytes" -> bytes.add(io(major, minor, "Read", value));
                        case "wbytes" -> bytes.add(io(major, minor, "Write", value));
                        case "dbytes" -> bytes.add(io(major, minor, "Discard", value));
                        case "rios" -> ios.add(io(major, minor, "Read", value));
                        case "wios" -> ios.add(io(major, minor, "Write", value));
                        case "dios" -> ios.add(io(major, minor, "Discard", value));
                        default -> { }
                    }
                }
            }
        }
        if (!bytes.isEmpty()) blkio.put("ioServiceBytesRecursive", bytes);
        if (!ios.isEmpty()) blkio.put("ioServicedRecursive", ios);
        putIfPresent(blkio, "psi", pressure(cgroup.resolve("io.pressure")));
        return blkio;
    }

    private static Map<String, Object> io(long major, long minor, String op, long value) {
        Map<String, Object> entry = new LinkedHashMap<>();
        putNonZero(entry, "major", major);
        putNonZero(entry, "minor", minor);
        entry.put("op", op);
        putNonZero(entry, "value", value);
        return entry;
    }

    // ---------------------------------------------------------------- hugetlb

    private static Map<String, Object> hugetlb(Path cgroup) {
        Map<String, Object> hugetlb = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(cgroup, "hugetlb.*.current")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String size = name.substring("hugetlb.".length(), name.length() - ".current".length());
                if (size.contains(".")) continue;   // hugetlb.2MB.rsvd.current
                Map<String, Object> entry = new LinkedHashMap<>();
                putNonZero(entry, "usage", number(file));
                entry.put("failcnt", flatKeyed(cgroup.resolve("hugetlb." + size + ".events")).getOrDefault("max", 0L));
                hugetlb.put(size, entry);
            }
        } catch (IOException e) {
            // The cgroup is gone: nothing to report.
        }
        return hugetlb;
    }

    // ---------------------------------------------------------------- file formats

    /** PSI: {@code some avg10=0.00 avg60=0.00 avg300=0.00 total=0}, and a {@code full} line. */
    static Map<String, Object> pressure(Path file) {
        String text = text(file);
        if (text == null) return null;
        Map<String, Object> psi = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] fields = line.strip().split(" ");
            if (fields.length < 2) continue;
            Map<String, Object> data = new LinkedHashMap<>();
            for (int i = 1; i < fields.length; i++) {
                int equals = fields[i].indexOf('=');
                if (equals < 0) continue;
                String key = fields[i].substring(0, equals);
                String value = fields[i].substring(equals + 1);
                data.put(key, key.equals("total") ? (Object) Long.parseLong(value) : new BigDecimal(value));
            }
            psi.put(fields[0], data);
        }
        return psi;
    }

    /** {@code key value} lines (cpu.stat, memory.stat, memory.events); empty when there is no file. */
    static Map<String, Long> flatKeyed(Path file) {
        return flatKeyed(text(file));
    }

    /** {@code key value} lines of a file's text; empty for null. */
    static Map<String, Long> flatKeyed(String text) {
        Map<String, Long> values = new LinkedHashMap<>();
        if (text == null) return values;
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            if (space < 0) continue;
            try {
                values.put(line.substring(0, space), Long.parseLong(line.substring(space + 1).strip()));
            } catch (NumberFormatException e) {
                // not a counter
            }
        }
        return values;
    }

    /** A single number, "max" as 2^64-1; 0 when there is no such file. */
    static BigInteger number(Path file) {
        return number(text(file));
    }

    /** A file's text as a single number, "max" as 2^64-1; 0 for null. */
    static BigInteger number(String text) {
        if (text == null || text.isBlank()) return BigInteger.ZERO;
        text = text.strip();
        return text.equals("max") ? UINT64_MAX : new BigInteger(text);
    }

    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return null;
        }
    }

    private static void putNonZero(Map<String, Object> map, String key, long value) {
        if (value != 0) map.put(key, value);
    }

    private static void putNonZero(Map<String, Object> map, String key, BigInteger value) {
        if (value.signum() != 0) map.put(key, compact(value));
    }

    /** A Long when it fits, as the JSON reader would give it back. */
    private static Object compact(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) map.put(key, value);
    }
}
