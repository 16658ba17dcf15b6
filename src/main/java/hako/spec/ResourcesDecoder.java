package hako.spec;

import hako.Warnings;
import hako.json.Json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code linux.resources} into {@link Resources}, for {@link SpecDecoder} (config.json) and for
 * {@code hako update} (its {@code -r} file and its flags, the same object at the top of its own
 * document). Everything that can be checked without the machine is checked here, in the order
 * the fields are applied, with the one error form:
 * {@code config.json: linux.resources.memory.limit: must be -1 (no limit) or a number of bytes, got -5}.
 *
 * <p>Value errors keep the words hako's cgroup code always used for these fields ({@code expected
 * a number, got the string "1G"}, {@code ... does not fit in a signed 64-bit number}), which
 * people and tests already know; numbers may be written 1e3 here, as that code took them.
 */
final class ResourcesDecoder {
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    /** Files hako itself manages: a spec may not write them through {@code unified}. */
    private static final Set<String> MANAGED = Set.of("cgroup.procs", "cgroup.threads", "cgroup.subtree_control",
            "cgroup.kill", "cgroup.freeze", "cgroup.type");

    private final SpecDecoder spec;
    private final String source;

    ResourcesDecoder(SpecDecoder spec, String source) {
        this.spec = spec;
        this.source = source;
    }

    Resources decode(Map<String, Object> resources, JsonPath at) {
        Map<String, Object> memory = group(resources, "memory", at);
        Map<String, Object> cpu = group(resources, "cpu", at);
        Map<String, Object> pids = group(resources, "pids", at);
        Map<String, Object> blockIo = group(resources, "blockIO", at);
        Resources.Memory decodedMemory = memory == null ? null : memory(memory, at.field("memory"));
        Resources.Cpu decodedCpu = cpu == null ? null : cpu(cpu, at.field("cpu"));
        Resources.Pids decodedPids = pids == null ? null : pids(pids, at.field("pids"));
        Resources.BlockIo decodedBlockIo = blockIo == null ? null : blockIo(blockIo, at.field("blockIO"));
        List<Resources.HugepageLimit> hugepages = hugepages(resources, at);
        Map<String, Resources.Rdma> rdma = rdma(resources, at);
        Map<String, Object> network = group(resources, "network", at);
        Resources.Network decodedNetwork = network == null ? null : network(network, at.field("network"));
        List<Resources.DeviceCgroupRule> devices = devices(resources, at);
        return new Resources(decodedMemory, decodedCpu, decodedPids, decodedBlockIo, hugepages, rdma, decodedNetwork,
                devices, unified(resources, at));
    }

    // ---------------------------------------------------------------- memory

    private Resources.Memory memory(Map<String, Object> memory, JsonPath at) {
        Long limit = signed(memory, "limit", at);
        Long reservation = signed(memory, "reservation", at);
        Long swap = signed(memory, "swap", at);
        bytesOrNoLimit(limit, at.field("limit"));
        bytesOrNoLimit(reservation, at.field("reservation"));
        if (swap != null && swap < -1) {
            throw spec.fail(at.field("swap"), "must be -1 (no limit) or a positive number of bytes, got " + swap);
        }
        Long kernel = signed(memory, "kernel", at);
        Long kernelTcp = signed(memory, "kernelTCP", at);
        Long swappiness = unsigned(memory, "swappiness", at);
        Boolean disableOomKiller = bool(memory, "disableOOMKiller", at);
        Boolean useHierarchy = bool(memory, "useHierarchy", at);
        boolean checkBeforeUpdate = Boolean.TRUE.equals(bool(memory, "checkBeforeUpdate", at));
        // cgroup v1's fields that v2 has no file for: runc passes them over on v2 (warning only
        // for the kernel memory ones); hako always says so. None of them loosens a limit.
        if (kernel != null) ignored(at.field("kernel"), "cgroup v2 has no separate kernel memory limit (kernel memory counts in memory.limit)");
        if (kernelTcp != null) ignored(at.field("kernelTCP"), "cgroup v2 has no separate TCP buffer limit (it counts in memory.limit)");
        if (swappiness != null) ignored(at.field("swappiness"), "cgroup v2 has no per-cgroup swappiness");
        if (Boolean.TRUE.equals(disableOomKiller)) ignored(at.field("disableOOMKiller"), "cgroup v2 cannot turn the OOM killer off for a cgroup");
        if (Boolean.FALSE.equals(useHierarchy)) ignored(at.field("useHierarchy"), "cgroup v2 is always hierarchical");
        return new Resources.Memory(limit, reservation, swap, kernel, kernelTcp, swappiness, disableOomKiller, useHierarchy,
                checkBeforeUpdate);
    }

    private void bytesOrNoLimit(Long value, JsonPath at) {
        if (value != null && value < -1) throw spec.fail(at, "must be -1 (no limit) or a number of bytes, got " + value);
    }

    // ---------------------------------------------------------------- cpu

    private Resources.Cpu cpu(Map<String, Object> cpu, JsonPath at) {
        Long shares = unsigned(cpu, "shares", at);
        Long quota = signed(cpu, "quota", at);
        Long period = unsigned(cpu, "period", at);
        Long burst = unsigned(cpu, "burst", at);
        Long idle = signed(cpu, "idle", at);
        if (shares != null && shares != 0 && idle != null && idle == 1) {
            throw spec.fail(at.field("shares"), "cannot be set with cpu.idle 1: an idle cgroup has no weight");
        }
        if (period != null && period != 0 && (Long.compareUnsigned(period, 1000) < 0 || Long.compareUnsigned(period, 1_000_000) > 0)) {
            throw spec.fail(at.field("period"), "must be between 1000 and 1000000 microseconds (1 ms to 1 s), got "
                    + Long.toUnsignedString(period));
        }
        if (quota != null && quota < -1) {
            throw spec.fail(at.field("quota"), "must be -1 (no limit) or a number of microseconds, got " + quota);
        }
        if (quota != null && quota > 0 && quota < 1000) {
            throw spec.fail(at.field("quota"), "must be at least 1000 microseconds (the kernel's minimum, 1 ms), got " + quota);
        }
        if (burst != null && quota != null && quota > 0 && Long.compareUnsigned(burst, quota) > 0) {
            throw spec.fail(at.field("burst"), "must not exceed cpu.quota " + quota + " (microseconds of extra run time a period may borrow)");
        }
        if (idle != null && idle != 0 && idle != 1) throw spec.fail(at.field("idle"), "must be 0 or 1, got " + idle);
        Long realtimeRuntime = signed(cpu, "realtimeRuntime", at);
        Long realtimePeriod = unsigned(cpu, "realtimePeriod", at);
        if (realtimeRuntime != null) ignored(at.field("realtimeRuntime"), "cgroup v2 has no realtime CPU budget (cpu.rt_runtime_us is cgroup v1's)");
        if (realtimePeriod != null) ignored(at.field("realtimePeriod"), "cgroup v2 has no realtime CPU period (cpu.rt_period_us is cgroup v1's)");
        return new Resources.Cpu(shares, quota, period, burst, idle, realtimeRuntime, realtimePeriod,
                cpuList(cpu, "cpus", at), cpuList(cpu, "mems", at));
    }

    /** A CPU or node list, null when absent or blank (runc writes nothing then). */
    private String cpuList(Map<String, Object> cpu, String name, JsonPath at) {
        String list = string(cpu, name, at);
        if (list == null || list.isBlank()) return null;
        try {
            CpuList.parse(list);
        } catch (IllegalArgumentException e) {
            throw spec.fail(at.field(name), e.getMessage());
        }
        return list.strip();
    }

    // ---------------------------------------------------------------- pids

    private Resources.Pids pids(Map<String, Object> pids, JsonPath at) {
        Long limit = signed(pids, "limit", at);
        if (limit != null && limit < -1) {
            throw spec.fail(at.field("limit"), "must be -1 (no limit) or a number of processes, got " + limit);
        }
        return new Resources.Pids(limit);
    }

    // ---------------------------------------------------------------- block io

    private Resources.BlockIo blockIo(Map<String, Object> io, JsonPath at) {
        Long weight = unsigned(io, "weight", at);
        if (weight != null && weight != 0) checkWeight(weight, at.field("weight"));
        Long leafWeight = unsigned(io, "leafWeight", at);
        if (leafWeight != null && leafWeight != 0) ignored(at.field("leafWeight"), "cgroup v2 has no leaf weight");
        List<Object> entries = list(io, "weightDevice", at);
        List<Resources.WeightDevice> weightDevices = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonPath p = at.field("weightDevice").index(i);
            Map<String, Object> device = element(entries.get(i), p);
            long[] id = blockDevice(device, p);
            Long deviceLeaf = unsigned(device, "leafWeight", p);
            if (deviceLeaf != null && deviceLeaf != 0) ignored(p.field("leafWeight"), "cgroup v2 has no leaf weight");
            Long w = unsigned(device, "weight", p);
            if (w != null) checkWeight(w, p.field("weight"));
            weightDevices.add(new Resources.WeightDevice(id[0], id[1], w, deviceLeaf));
        }
        return new Resources.BlockIo(weight, leafWeight, Collections.unmodifiableList(weightDevices),
                throttle(io, "throttleReadBpsDevice", at), throttle(io, "throttleWriteBpsDevice", at),
                throttle(io, "throttleReadIOPSDevice", at), throttle(io, "throttleWriteIOPSDevice", at));
    }

    private void checkWeight(long weight, JsonPath at) {
        if (weight < 10 || weight > 1000) throw spec.fail(at, "must be between 10 and 1000, got " + Long.toUnsignedString(weight));
    }

    private List<Resources.ThrottleDevice> throttle(Map<String, Object> io, String name, JsonPath at) {
        List<Object> entries = list(io, name, at);
        List<Resources.ThrottleDevice> devices = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonPath p = at.field(name).index(i);
            Map<String, Object> device = element(entries.get(i), p);
            long[] id = blockDevice(device, p);
            Long rate = unsigned(device, "rate", p);
            if (rate == null) throw spec.fail(p.field("rate"), "is required");
            devices.add(new Resources.ThrottleDevice(id[0], id[1], rate));
        }
        return Collections.unmodifiableList(devices);
    }

    /** major and minor of a block device entry; whether the machine has it is the cgroup side's to check. */
    private long[] blockDevice(Map<String, Object> device, JsonPath at) {
        Long major = unsigned(device, "major", at);
        Long minor = unsigned(device, "minor", at);
        if (major == null || minor == null) throw spec.fail(at, "needs both major and minor");
        return new long[] {major, minor};
    }

    // ---------------------------------------------------------------- hugetlb, rdma, network

    private List<Resources.HugepageLimit> hugepages(Map<String, Object> resources, JsonPath at) {
        List<Object> entries = list(resources, "hugepageLimits", at);
        List<Resources.HugepageLimit> limits = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonPath p = at.field("hugepageLimits").index(i);
            Map<String, Object> limit = element(entries.get(i), p);
            String size = string(limit, "pageSize", p);
            Long bytes = unsigned(limit, "limit", p);
            if (size == null || bytes == null) throw spec.fail(p, "needs pageSize and limit");
            limits.add(new Resources.HugepageLimit(size, bytes));
        }
        return Collections.unmodifiableList(limits);
    }

    private Map<String, Resources.Rdma> rdma(Map<String, Object> resources, JsonPath at) {
        Map<String, Object> rdma = group(resources, "rdma", at);
        if (rdma == null) return Map.of();
        Map<String, Resources.Rdma> decoded = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : rdma.entrySet()) {
            String device = entry.getKey();
            JsonPath p = at.field("rdma").key(device);
            if (device.isEmpty() || device.contains(" ") || device.contains("\n")) throw spec.fail(p, "is not an RDMA device name");
            Map<String, Object> limit = element(entry.getValue(), p);
            decoded.put(device, new Resources.Rdma(unsigned(limit, "hcaHandles", p), unsigned(limit, "hcaObjects", p)));
        }
        return Collections.unmodifiableMap(decoded);
    }

    /** As runc on cgroup v2: classes and priorities tag traffic, they limit nothing; said, not applied. */
    private Resources.Network network(Map<String, Object> network, JsonPath at) {
        Long classId = unsigned(network, "classID", at);
        List<Object> entries = list(network, "priorities", at);
        List<Resources.InterfacePriority> priorities = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonPath p = at.field("priorities").index(i);
            Map<String, Object> priority = element(entries.get(i), p);
            Long value = unsigned(priority, "priority", p);
            priorities.add(new Resources.InterfacePriority(string(priority, "name", p), value == null ? 0 : value));
        }
        if (classId != null) ignored(at.field("classID"), "net_cls is a cgroup v1 controller; cgroup v2 has none");
        if (!priorities.isEmpty()) ignored(at.field("priorities"), "net_prio is a cgroup v1 controller; cgroup v2 has none");
        return new Resources.Network(classId, Collections.unmodifiableList(priorities));
    }

    // ---------------------------------------------------------------- devices

    private List<Resources.DeviceCgroupRule> devices(Map<String, Object> resources, JsonPath at) {
        if (resources.get("devices") == null) return null;
        List<Object> entries = list(resources, "devices", at);
        List<Resources.DeviceCgroupRule> rules = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonPath p = at.field("devices").index(i);
            Map<String, Object> rule = element(entries.get(i), p);
            Boolean allow = bool(rule, "allow", p);
            if (allow == null) throw spec.fail(p.field("allow"), "is required (true or false)");
            String type = string(rule, "type", p);
            if (type == null || type.isEmpty()) type = "a";
            if (!type.equals("a") && !type.equals("b") && !type.equals("c")) {
                throw spec.fail(p.field("type"), "must be \"a\" (all), \"b\" (block) or \"c\" (character), got " + Json.quote(type));
            }
            long major = deviceNumber(rule, "major", p, 0xFFF);
            long minor = deviceNumber(rule, "minor", p, 0xFFFFF);
            String access = string(rule, "access", p);
            checkAccess(access, p.field("access"));
            rules.add(new Resources.DeviceCgroupRule(allow, type.charAt(0), major, minor, access));
        }
        return Collections.unmodifiableList(rules);
    }

    /** A major (12 bits) or minor (20 bits) number; absent or -1 means any. */
    private long deviceNumber(Map<String, Object> rule, String name, JsonPath at, long max) {
        Long number = signed(rule, name, at);
        if (number == null || number == -1) return Resources.DeviceCgroupRule.ANY;
        if (number < 0 || number > max) {
            throw spec.fail(at.field(name), "must be -1 (any) or a device number from 0 to " + max + ", got " + number);
        }
        return number;
    }

    private void checkAccess(String access, JsonPath at) {
        if (access == null || access.isEmpty()) throw spec.fail(at, "is required: some of r (read), w (write) and m (mknod)");
        for (char c : access.toCharArray()) {
            if (c != 'r' && c != 'w' && c != 'm') {
                String quoted = Json.quote(String.valueOf(c)); // a control character shown escaped, the line kept one line
                throw spec.fail(at, Json.quote(access) + " has '" + quoted.substring(1, quoted.length() - 1)
                        + "'; only r, w and m are access kinds");
            }
        }
    }

    // ---------------------------------------------------------------- unified

    private Map<String, String> unified(Map<String, Object> resources, JsonPath at) {
        Map<String, Object> unified = group(resources, "unified", at);
        if (unified == null) return Map.of();
        Map<String, String> decoded = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : unified.entrySet()) {
            String key = entry.getKey();
            JsonPath p = at.field("unified").key(key);
            if (!(entry.getValue() instanceof String value)) throw spec.fail(p, "expected a string, got " + kind(entry.getValue()));
            if (key.isEmpty() || key.contains("/") || key.equals(".") || key.equals("..") || key.indexOf('.') < 0) {
                throw spec.fail(p, "is not a cgroup file name (CONTROLLER.FILE, such as memory.high)");
            }
            if (MANAGED.contains(key)) throw spec.fail(p, "hako manages " + key + " itself");
            decoded.put(key, value);
        }
        return Collections.unmodifiableMap(decoded);
    }

    // ---------------------------------------------------------------- values

    /** Says that a field is passed over, as runc passes it over on cgroup v2, and why. */
    private void ignored(JsonPath at, String why) {
        Warnings.print(source + ": " + at + ": ignored: " + why);
    }

    /** An object member, null when absent, null or empty: an empty group asks for nothing. */
    private Map<String, Object> group(Map<String, Object> parent, String name, JsonPath at) {
        Map<String, Object> group = object(parent, name, at);
        return group == null || group.isEmpty() ? null : group;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> object(Map<String, Object> parent, String name, JsonPath at) {
        Object value = parent.get(name);
        if (value == null) return null;
        if (!(value instanceof Map<?, ?>)) throw spec.fail(at.field(name), "expected an object, got " + kind(value));
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Map<String, Object> parent, String name, JsonPath at) {
        Object value = parent.get(name);
        if (value == null) return List.of();
        if (!(value instanceof List<?>)) throw spec.fail(at.field(name), "expected an array, got " + kind(value));
        return (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> element(Object value, JsonPath at) {
        if (!(value instanceof Map<?, ?>)) throw spec.fail(at, "expected an object, got " + kind(value));
        return (Map<String, Object>) value;
    }

    private String string(Map<String, Object> parent, String name, JsonPath at) {
        Object value = parent.get(name);
        if (value == null) return null;
        if (!(value instanceof String s)) throw spec.fail(at.field(name), "expected a string, got " + kind(value));
        return s;
    }

    private Boolean bool(Map<String, Object> parent, String name, JsonPath at) {
        Object value = parent.get(name);
        if (value == null) return null;
        if (!(value instanceof Boolean b)) throw spec.fail(at.field(name), "expected true or false, got " + kind(value));
        return b;
    }

    /** A signed 64-bit integer (the spec's int64 fields), or null. */
    private Long signed(Map<String, Object> parent, String name, JsonPath at) {
        BigInteger value = integer(parent, name, at);
        if (value == null) return null;
        if (value.bitLength() > 63) throw spec.fail(at.field(name), value + " does not fit in a signed 64-bit number");
        return value.longValue();
    }

    /** An unsigned 64-bit integer (the spec's uint64 fields), or null; above Long.MAX_VALUE it reads negative. */
    private Long unsigned(Map<String, Object> parent, String name, JsonPath at) {
        BigInteger value = integer(parent, name, at);
        if (value == null) return null;
        if (value.signum() < 0) throw spec.fail(at.field(name), "must not be negative, got " + value);
        if (value.compareTo(UINT64_MAX) > 0) throw spec.fail(at.field(name), value + " does not fit in an unsigned 64-bit number");
        return value.longValue();
    }

    private BigInteger integer(Map<String, Object> parent, String name, JsonPath at) {
        Object value = parent.get(name);
        if (value == null) return null;
        if (value instanceof Long l) return BigInteger.valueOf(l);
        if (value instanceof BigDecimal d) {
            try {
                return d.toBigIntegerExact();
            } catch (ArithmeticException e) {
                throw spec.fail(at.field(name), "expected a whole number, got " + d.toPlainString());
            }
        }
        throw spec.fail(at.field(name), "expected a number, got " + kind(value));
    }

    /** What a value is, in these fields' words: the value itself where it is short to say. */
    private static String kind(Object value) {
        if (value == null) return "null";
        if (value instanceof String s) return "the string " + Json.quote(s);
        if (value instanceof Boolean) return value.toString();
        if (value instanceof Map<?, ?>) return "an object";
        if (value instanceof List<?>) return "an array";
        return value.toString();
    }
}
