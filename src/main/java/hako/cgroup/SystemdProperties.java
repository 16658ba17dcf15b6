package hako.cgroup;

import hako.spec.CpuList;
import hako.sys.UnitProperty;

import java.util.ArrayList;
import java.util.List;

/**
 * The systemd cgroup driver's split of a container's limits: what systemd has a unit property
 * for is asked of systemd (it owns those files of the unit's cgroup, and would write its own
 * values back over ours at the next daemon-reload), the rest is written to the delegated cgroup
 * by hako itself. The split is made on the cgroup v2 files {@link Limits} chose, so that the
 * spec's fields and {@code linux.resources.unified} keys map alike, as runc maps both.
 *
 * <p>Mapped: memory.max, memory.low, memory.high, memory.min, memory.swap.max (MemoryMax,
 * MemoryLow, MemoryHigh, MemoryMin, MemorySwapMax), pids.max (TasksMax), cpu.weight (CPUWeight),
 * cpu.max (CPUQuotaPerSecUSec and CPUQuotaPeriodUSec), cpuset.cpus and cpuset.mems (AllowedCPUs
 * and AllowedMemoryNodes, bit masks) and the cgroup-wide io weight (IOWeight). Written directly:
 * per-device io weights and io.max (systemd names devices by path, the spec by number),
 * hugetlb, rdma, cpu.max.burst, cpu.idle, the unified keys systemd has no property for, and the
 * device filter (see {@link DeviceFilter}).
 */
final class SystemdProperties {
    /** systemd keeps CPUQuota in whole percent: runc rounds the quota per second up to 10 ms. */
    private static final long QUOTA_STEP_USEC = 10_000;
    private static final long INFINITY = -1; // UINT64_MAX

    /** The properties, and the writes left to hako. */
    record Split(List<UnitProperty> properties, List<Limits.Write> direct) {}

    private SystemdProperties() {}

    static Split of(List<Limits.Write> writes) {
        List<UnitProperty> properties = new ArrayList<>();
        List<Limits.Write> direct = new ArrayList<>();
        for (Limits.Write write : writes) {
            if (!map(write, properties, direct)) direct.add(write);
        }
        return new Split(List.copyOf(properties), List.copyOf(direct));
    }

    /** Adds the write's properties (and any write it still needs); false when systemd has no property for it. */
    private static boolean map(Limits.Write write, List<UnitProperty> properties, List<Limits.Write> direct) {
        String value = write.value().strip();
        try {
            switch (write.file()) {
                case "memory.max" -> properties.add(UnitProperty.uint64("MemoryMax", maxOrNumber(value)));
                case "memory.low" -> properties.add(UnitProperty.uint64("MemoryLow", maxOrNumber(value)));
                case "memory.high" -> properties.add(UnitProperty.uint64("MemoryHigh", maxOrNumber(value)));
                case "memory.min" -> properties.add(UnitProperty.uint64("MemoryMin", maxOrNumber(value)));
                case "memory.swap.max" -> properties.add(UnitProperty.uint64("MemorySwapMax", maxOrNumber(value)));
                case "pids.max" -> properties.add(UnitProperty.uint64("TasksMax", maxOrNumber(value)));
                case "cpu.weight" -> properties.add(UnitProperty.uint64("CPUWeight", Long.parseUnsignedLong(value)));
                case "cpu.max" -> cpuMax(write, value, properties, direct);
                case "cpuset.cpus" -> properties.add(UnitProperty.bytes("AllowedCPUs", mask(value)));
                case "cpuset.mems" -> properties.add(UnitProperty.bytes("AllowedMemoryNodes", mask(value)));
                case "io.weight" -> {
                    // "N" or "default N" is the cgroup's own weight; "MAJ:MIN N" a device's
                    String weight = value.startsWith("default ") ? value.substring("default ".length()).strip() : value;
                    if (weight.contains(":")) return false;
                    properties.add(UnitProperty.uint64("IOWeight", Long.parseUnsignedLong(weight)));
                }
                case "io.bfq.weight" -> {
                    // the spec's blkio weight: BFQ's file, else io.weight; systemd's IOWeight is io.weight's scale
                    if (write.orElse() == null || value.contains(":")) return false;
                    properties.add(UnitProperty.uint64("IOWeight", Long.parseUnsignedLong(write.orElse().value().strip())));
                }
                default -> {
                    return false;
                }
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            return false; // a value systemd's type cannot hold: the kernel judges it, as without systemd
        }
        return true;
    }

    /**
     * cpu.max "QUOTA PERIOD": CPUQuotaPeriodUSec (systemd 242 and later) and CPUQuotaPerSecUSec,
     * runc's way. A quota systemd's rounding changes is also written exactly to cpu.max (runc's
     * cgroupfs pass after systemd's does the same).
     */
    private static void cpuMax(Limits.Write write, String value, List<UnitProperty> properties, List<Limits.Write> direct) {
        String[] parts = value.split("\\s+");
        long period = parts.length > 1 ? Long.parseLong(parts[1]) : 100_000;
        if (period <= 0) throw new IllegalArgumentException("period " + period);
        properties.add(UnitProperty.uint64("CPUQuotaPeriodUSec", period));
        if (parts[0].equals("max")) {
            properties.add(UnitProperty.uint64("CPUQuotaPerSecUSec", INFINITY));
            return;
        }
        long quota = Long.parseLong(parts[0]);
        long perSecond = quotaPerSecond(quota, period);
        properties.add(UnitProperty.uint64("CPUQuotaPerSecUSec", perSecond));
        if (perSecond * period / 1_000_000 != quota) direct.add(write);
    }

    /** quota/period as microseconds per second, rounded up to systemd's 10 ms steps. */
    static long quotaPerSecond(long quota, long period) {
        long exact = Math.multiplyExact(quota, 1_000_000L) / period;
        return exact % QUOTA_STEP_USEC == 0 ? exact : (exact / QUOTA_STEP_USEC + 1) * QUOTA_STEP_USEC;
    }

    private static long maxOrNumber(String value) {
        return value.equals("max") ? INFINITY : Long.parseUnsignedLong(value);
    }

    /** A CPU or node list as systemd's bit mask: byte i holds CPUs 8i to 8i+7, the lowest bit first. */
    static byte[] mask(String list) {
        return list.isEmpty() ? new byte[0] : CpuList.parse(list).toByteArray();
    }
}
