package hako.spec;

import java.util.List;
import java.util.Map;

/**
 * {@code linux.resources} (or the document {@code hako update -r} reads), decoded by
 * {@link ResourcesDecoder}: checked for what can be checked without the host (types, ranges, one
 * field against another); the host's own checks (its CPUs, block devices, huge page sizes,
 * controllers) are {@code cgroup/Limits}'s.
 *
 * <p>The spec speaks cgroup v1 and gives its fields meaning by presence, so scalars are boxed:
 * null is "absent", and 0 keeps its own meaning (runc reads 0 as "not set" in most fields).
 * uint64 fields hold the unsigned bits in a long, as in {@link Spec}. A group whose object is
 * absent, null or empty ({@code {}}) is null: it asks for nothing. Lists and maps are empty when
 * absent, except {@link #devices}, whose absence (the default rules alone) differs from an empty
 * list.
 *
 * <p>Fields cgroup v2 has no file for (kernel memory, swappiness, realtime CPU, net_cls, net_prio,
 * leaf weights) are kept, and the decoder says that they are ignored, as runc passes them over.
 *
 * @param devices null when absent: the resources then say nothing about devices
 * @param unified cgroup v2 file → value, in the document's order
 */
public record Resources(
        Memory memory,
        Cpu cpu,
        Pids pids,
        BlockIo blockIo,
        List<HugepageLimit> hugepageLimits,
        Map<String, Rdma> rdma,
        Network network,
        List<DeviceCgroupRule> devices,
        Map<String, String> unified) {

    /** None at all: what an absent {@code linux.resources} asks for. */
    public static final Resources NONE = new Resources(null, null, null, null, List.of(), Map.of(), null, null, Map.of());

    /** The same without device rules (a rootless caller's cgroup takes none). */
    public Resources withoutDevices() {
        return new Resources(memory, cpu, pids, blockIo, hugepageLimits, rdma, network, null, unified);
    }

    /** Whether it asks for any limit or rule (an empty object, or empty lists, ask for none). */
    public boolean asksForAnything() {
        return memory != null || cpu != null || pids != null || blockIo != null || !hugepageLimits.isEmpty()
                || !rdma.isEmpty() || network != null || (devices != null && !devices.isEmpty()) || !unified.isEmpty();
    }

    /**
     * {@code memory}: bytes, -1 for no limit (limit, reservation, swap, int64).
     *
     * @param swap             cgroup v1's memory+swap limit, as the spec has it
     * @param kernel           v1 only: ignored
     * @param kernelTcp        v1 only: ignored
     * @param swappiness       v1 only, uint64: ignored
     * @param disableOomKiller v1 only: true is ignored
     * @param useHierarchy     v1 only: false is ignored (v2 is always hierarchical)
     */
    public record Memory(Long limit, Long reservation, Long swap, Long kernel, Long kernelTcp, Long swappiness,
                         Boolean disableOomKiller, Boolean useHierarchy, boolean checkBeforeUpdate) {
    }

    /**
     * {@code cpu}. shares, period, burst and realtimePeriod are uint64; quota, idle and
     * realtimeRuntime int64.
     *
     * @param cpus null when absent or blank; otherwise a valid list ("0-3,6")
     * @param mems as cpus
     */
    public record Cpu(Long shares, Long quota, Long period, Long burst, Long idle, Long realtimeRuntime,
                      Long realtimePeriod, String cpus, String mems) {
    }

    /** {@code pids}: the number of processes, -1 for no limit, 0 for not set. */
    public record Pids(Long limit) {
    }

    /**
     * {@code blockIO}. Weights are 10..1000 (0 is not set), uint64.
     *
     * @param leafWeight v1 only: ignored
     */
    public record BlockIo(Long weight, Long leafWeight, List<WeightDevice> weightDevice,
                          List<ThrottleDevice> throttleReadBpsDevice, List<ThrottleDevice> throttleWriteBpsDevice,
                          List<ThrottleDevice> throttleReadIopsDevice, List<ThrottleDevice> throttleWriteIopsDevice) {
    }

    /** One {@code blockIO.weightDevice} entry; weight null to set none; leafWeight is v1's, ignored. */
    public record WeightDevice(long major, long minor, Long weight, Long leafWeight) {
    }

    /** One {@code blockIO.throttle*Device} entry: bytes or operations a second, 0 for no limit. */
    public record ThrottleDevice(long major, long minor, long rate) {
    }

    /** One {@code hugepageLimits} entry: a page size as the kernel names it ("2MB") and bytes. */
    public record HugepageLimit(String pageSize, long limit) {
    }

    /** One {@code rdma} entry; null for no limit. */
    public record Rdma(Long hcaHandles, Long hcaObjects) {
    }

    /** {@code network}: cgroup v1's net_cls and net_prio, which v2 lacks: ignored. */
    public record Network(Long classId, List<InterfacePriority> priorities) {
    }

    /** One {@code network.priorities} entry. */
    public record InterfacePriority(String name, long priority) {
    }

    /**
     * One {@code devices} entry, checked.
     *
     * @param type   'a' (all; also when absent), 'b' or 'c'
     * @param major  0..4095, or -1 for any
     * @param minor  0..1048575, or -1 for any
     * @param access some of r, w and m; never empty
     */
    public record DeviceCgroupRule(boolean allow, char type, long major, long minor, String access) {
        public static final long ANY = -1;
    }
}
