package hako.cgroup;

import hako.spec.CpuList;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static hako.cgroup.ResourceReader.field;
import static hako.cgroup.ResourceReader.index;

/**
 * {@code linux.resources} turned into what cgroup v2 is told: the files to write, in order, with
 * their values converted from the spec's cgroup v1 terms; the controllers those files need; and
 * the device rules. Everything is checked here, before any cgroup exists, so bad input makes
 * nothing: values out of range, a swap limit below the memory limit, CPUs the machine does not
 * have, devices it does not have, limits cgroup v2 cannot express.
 *
 * <p>Fields follow runc: a 0 in {@code memory.limit}, {@code memory.reservation},
 * {@code memory.swap}, {@code cpu.shares}, {@code cpu.quota}, {@code cpu.period},
 * {@code pids.limit} or {@code blockIO.weight} means "not set"; -1 means "no limit" where the
 * spec allows it.
 */
final class Limits {
    /**
     * One value for one cgroup file. {@code optional}: skipped when the cgroup has no such file;
     * {@code orElse}: written instead when it has none (io.bfq.weight, then io.weight).
     */
    record Write(String file, String value, String path, boolean optional, Write orElse) {
        Write(String file, String value, String path) {
            this(file, value, path, false, null);
        }

        /** As {@code hako plan} shows it. */
        String render() {
            return "write \"" + value.replace("\n", "\\n") + "\" > " + file
                    + (orElse != null ? "  (or \"" + orElse.value + "\" > " + orElse.file + ")" : "")
                    + (optional ? "  (if the kernel has it)" : "");
        }
    }

    /** The controllers cgroup v2 knows; a unified key whose prefix is one of them needs it. */
    static final Set<String> CONTROLLERS = Set.of("cpu", "cpuset", "io", "memory", "hugetlb", "pids", "rdma", "misc");
    /** Files hako itself manages: a spec may not write them through {@code unified}. */
    private static final Set<String> MANAGED = Set.of("cgroup.procs", "cgroup.threads", "cgroup.subtree_control",
            "cgroup.kill", "cgroup.freeze", "cgroup.type");

    /** What an update needs of the cgroup as it is (the memory limit, for a swap-only change). */
    interface Current {
        /** The file's content, or null when there is no such file. */
        String read(String file);
    }

    final List<Write> writes = new ArrayList<>();
    /** Each controller needed, with the JSON path of the first field that needs it. */
    final Map<String, String> controllers = new LinkedHashMap<>();
    /** The spec's device rules, or null when the resources say nothing about devices. */
    List<DeviceRule> deviceRules;
    String devicesPath;
    /** memory.limit, or null: for {@code checkBeforeUpdate}. */
    Long memoryLimit;
    boolean checkBeforeUpdate;
    /** The document the resources come from, for errors: {@code config.json}. */
    final String source;

    private final ResourceReader json;
    private final Host host;
    private final Current current;

    private Limits(String source, Host host, Current current) {
        this.source = source;
        this.json = new ResourceReader(source);
        this.host = host;
        this.current = current;
    }

    /**
     * @param resources the parsed {@code linux.resources}, may be null
     * @param source    the document, for errors: {@code config.json}
     * @param path      where {@code resources} is in it: {@code linux.resources}
     * @param current   the cgroup being updated, or null when creating one
     */
    static Limits parse(Map<String, Object> resources, String source, String path, Host host, Current current) {
        Limits limits = new Limits(source, host, current);
        if (resources == null) return limits;
        limits.memory(resources, path);
        limits.cpu(resources, path);
        limits.pids(resources, path);
        limits.blockIo(resources, path);
        limits.hugepages(resources, path);
        limits.rdma(resources, path);
        limits.network(resources, path);
        limits.devices(resources, path);
        // Last, so that a key written verbatim has the final word over the converted fields.
        limits.unified(resources, path);
        return limits;
    }

    private void need(String controller, String path) {
        controllers.putIfAbsent(controller, path);
    }

    private void write(String controller, String file, String value, String path) {
        need(controller, path);
        writes.add(new Write(file, value, path));
    }

    // ---------------------------------------------------------------- memory

    private void memory(Map<String, Object> resources, String path) {
        Map<String, Object> memory = json.object(resources, "memory", path);
        if (memory == null) return;
        String at = field(path, "memory");
        Long limit = json.signed(memory, "limit", at);
        Long reservation = json.signed(memory, "reservation", at);
        Long swap = json.signed(memory, "swap", at);
        bytesOrNoLimit(limit, field(at, "limit"));
        bytesOrNoLimit(reservation, field(at, "reservation"));
        if (reservation != null && reservation != 0) {
            write("memory", "memory.low", Conversions.maxOrNumber(reservation), field(at, "reservation"));
        }
        if (limit != null && limit != 0) {
            memoryLimit = limit;
            write("memory", "memory.max", Conversions.maxOrNumber(limit), field(at, "limit"));
        }
        if (swap != null) {
            long memoryInForce = limit != null ? limit : currentMemoryMax();
            String value;
            try {
                value = Conversions.swapMax(swap, memoryInForce);
            } catch (IllegalArgumentException e) {
                throw json.error(field(at, "swap"), e.getMessage());
            }
            if (value != null) write("memory", "memory.swap.max", value, field(at, "swap"));
        } else if (limit != null && limit == -1) {
            // runc's reading of v1: no memory limit and no swap limit given means no swap limit.
            need("memory", field(at, "limit"));
            writes.add(new Write("memory.swap.max", "max", field(at, "limit"), true, null));
        }
        // cgroup v1's fields that v2 has no file for: runc passes them over on v2 (warning only
        // for the kernel memory ones); hako always says so. None of them loosens a limit.
        json.ignored(memory, "kernel", at, "cgroup v2 has no separate kernel memory limit (kernel memory counts in memory.limit)");
        json.ignored(memory, "kernelTCP", at, "cgroup v2 has no separate TCP buffer limit (it counts in memory.limit)");
        json.ignored(memory, "swappiness", at, "cgroup v2 has no per-cgroup swappiness");
        if (Boolean.TRUE.equals(json.bool(memory, "disableOOMKiller", at))) {
            json.ignored(memory, "disableOOMKiller", at, "cgroup v2 cannot turn the OOM killer off for a cgroup");
        }
        if (Boolean.FALSE.equals(json.bool(memory, "useHierarchy", at))) {
            json.ignored(memory, "useHierarchy", at, "cgroup v2 is always hierarchical");
        }
        checkBeforeUpdate = Boolean.TRUE.equals(json.bool(memory, "checkBeforeUpdate", at));
    }

    private void bytesOrNoLimit(Long value, String path) {
        if (value != null && value < -1) {
            throw json.error(path, "must be -1 (no limit) or a number of bytes, got " + value);
        }
    }

    /** The memory limit of the cgroup being updated: -1 for none, 0 when unknown. */
    private long currentMemoryMax() {
        String text = current == null ? null : current.read("memory.max");
        if (text == null) return 0;
        text = text.strip();
        return text.equals("max") ? -1 : Long.parseLong(text);
    }

    // ---------------------------------------------------------------- cpu and cpuset

    private static final long DEFAULT_CPU_WEIGHT = 100;

    private void cpu(Map<String, Object> resources, String path) {
        Map<String, Object> cpu = json.object(resources, "cpu", path);
        if (cpu == null) return;
        String at = field(path, "cpu");
        Long shares = json.unsigned(cpu, "shares", at);
        Long quota = json.signed(cpu, "quota", at);
        Long period = json.unsigned(cpu, "period", at);
        Long burst = json.unsigned(cpu, "burst", at);
        Long idle = json.signed(cpu, "idle", at);
        if (shares != null && shares != 0) {
            if (idle != null && idle == 1) throw json.error(field(at, "shares"), "cannot be set with cpu.idle 1: an idle cgroup has no weight");
            long weight = Conversions.cpuWeight(shares);
            if (weight == DEFAULT_CPU_WEIGHT) {
                // The weight a new cgroup has already: it asks for nothing, so it needs no cpu
                // controller (containerd asks for 1024 shares on every container); where the file
                // is there (an update), it is written all the same.
                writes.add(new Write("cpu.weight", Long.toString(weight), field(at, "shares"), true, null));
            } else {
                write("cpu", "cpu.weight", Long.toString(weight), field(at, "shares"));
            }
        }
        cpuMax(quota, period, at);
        if (burst != null) {
            if (quota != null && quota > 0 && Long.compareUnsigned(burst, quota) > 0) {
                throw json.error(field(at, "burst"), "must not exceed cpu.quota " + quota + " (microseconds of extra run time a period may borrow)");
            }
            write("cpu", "cpu.max.burst", Long.toUnsignedString(burst), field(at, "burst"));
        }
        if (idle != null) {
            if (idle != 0 && idle != 1) throw json.error(field(at, "idle"), "must be 0 or 1, got " + idle);
            write("cpu", "cpu.idle", Long.toString(idle), field(at, "idle"));
        }
        json.ignored(cpu, "realtimeRuntime", at, "cgroup v2 has no realtime CPU budget (cpu.rt_runtime_us is cgroup v1's)");
        json.ignored(cpu, "realtimePeriod", at, "cgroup v2 has no realtime CPU period (cpu.rt_period_us is cgroup v1's)");
        cpuset(json.string(cpu, "cpus", at), "cpuset.cpus", host.cpus(), "CPUs", field(at, "cpus"));
        cpuset(json.string(cpu, "mems", at), "cpuset.mems", host.mems(), "memory nodes", field(at, "mems"));
    }

    /** quota and period together make cpu.max: "QUOTA PERIOD", "max PERIOD" for no limit. */
    private void cpuMax(Long quota, Long period, String at) {
        boolean hasQuota = quota != null && quota != 0;
        boolean hasPeriod = period != null && period != 0;
        if (hasPeriod && (Long.compareUnsigned(period, 1000) < 0 || Long.compareUnsigned(period, 1_000_000) > 0)) {
            throw json.error(field(at, "period"), "must be between 1000 and 1000000 microseconds (1 ms to 1 s), got "
                    + Long.toUnsignedString(period));
        }
        if (hasQuota && quota < -1) throw json.error(field(at, "quota"), "must be -1 (no limit) or a number of microseconds, got " + quota);
        if (hasQuota && quota > 0 && quota < 1000) {
            throw json.error(field(at, "quota"), "must be at least 1000 microseconds (the kernel's minimum, 1 ms), got " + quota);
        }
        if (!hasQuota && !hasPeriod) return;
        String[] now = currentCpuMax();
        String quotaText = hasQuota ? Conversions.maxOrNumber(quota) : now[0];
        String periodText = hasPeriod ? Long.toString(period) : now[1];
        write("cpu", "cpu.max", quotaText + " " + periodText, field(at, hasQuota ? "quota" : "period"));
    }

    /** The quota and period in force ("max 100000", the kernel's default, when creating). */
    private String[] currentCpuMax() {
        String text = current == null ? null : current.read("cpu.max");
        if (text == null) return new String[] {"max", "100000"};
        String[] parts = text.strip().split(" ");
        return parts.length == 2 ? parts : new String[] {"max", "100000"};
    }

    private void cpuset(String list, String file, BitSet available, String what, String path) {
        if (list == null || list.isBlank()) return;
        BitSet asked;
        try {
            asked = CpuList.parse(list);
        } catch (IllegalArgumentException e) {
            throw json.error(path, e.getMessage());
        }
        BitSet missing = (BitSet) asked.clone();
        missing.andNot(available);
        if (!missing.isEmpty()) {
            throw json.error(path, "asks for " + what + " " + CpuList.format(missing) + ", but the container's cgroup may use only "
                    + CpuList.format(available));
        }
        write("cpuset", file, list.strip(), path);
    }

    // ---------------------------------------------------------------- pids

    private void pids(Map<String, Object> resources, String path) {
        Map<String, Object> pids = json.object(resources, "pids", path);
        if (pids == null) return;
        String at = field(path, "pids");
        Long limit = json.signed(pids, "limit", at);
        if (limit == null || limit == 0) return;
        if (limit < -1) throw json.error(field(at, "limit"), "must be -1 (no limit) or a number of processes, got " + limit);
        write("pids", "pids.max", Conversions.maxOrNumber(limit), field(at, "limit"));
    }

    // ---------------------------------------------------------------- block io

    private void blockIo(Map<String, Object> resources, String path) {
        Map<String, Object> io = json.object(resources, "blockIO", path);
        if (io == null) return;
        String at = field(path, "blockIO");
        Long weight = json.unsigned(io, "weight", at);
        if (weight != null && weight != 0) {
            checkWeight(weight, field(at, "weight"));
            need("io", field(at, "weight"));
            // BFQ takes the v1 range itself; without BFQ, io.weight takes the converted value.
            writes.add(new Write("io.bfq.weight", Long.toString(weight), field(at, "weight"), false,
                    new Write("io.weight", Long.toString(Conversions.ioWeight(weight)), field(at, "weight"))));
        }
        Long leaf = json.unsigned(io, "leafWeight", at);
        if (leaf != null && leaf != 0) json.ignored(io, "leafWeight", at, "cgroup v2 has no leaf weight");
        List<Object> devices = json.list(io, "weightDevice", at);
        for (int i = 0; i < devices.size(); i++) {
            String p = index(field(at, "weightDevice"), i);
            Map<String, Object> device = json.element(devices.get(i), p);
            String id = blockDevice(device, p);
            Long deviceLeaf = json.unsigned(device, "leafWeight", p);
            if (deviceLeaf != null && deviceLeaf != 0) json.ignored(device, "leafWeight", p, "cgroup v2 has no leaf weight");
            Long w = json.unsigned(device, "weight", p);
            if (w == null) continue;
            checkWeight(w, field(p, "weight"));
            need("io", p);
            writes.add(new Write("io.bfq.weight", id + " " + w, field(p, "weight"), false,
                    new Write("io.weight", id + " " + Conversions.ioWeight(w), field(p, "weight"))));
        }
        throttle(io, "throttleReadBpsDevice", "rbps", at);
        throttle(io, "throttleWriteBpsDevice", "wbps", at);
        throttle(io, "throttleReadIOPSDevice", "riops", at);
        throttle(io, "throttleWriteIOPSDevice", "wiops", at);
    }

    private void checkWeight(long weight, String path) {
        if (weight < 10 || weight > 1000) throw json.error(path, "must be between 10 and 1000, got " + Long.toUnsignedString(weight));
    }

    private void throttle(Map<String, Object> io, String name, String key, String at) {
        List<Object> devices = json.list(io, name, at);
        for (int i = 0; i < devices.size(); i++) {
            String p = index(field(at, name), i);
            Map<String, Object> device = json.element(devices.get(i), p);
            String id = blockDevice(device, p);
            Long rate = json.unsigned(device, "rate", p);
            if (rate == null) throw json.error(field(p, "rate"), "is required");
            // As in v1, a rate of 0 removes the limit.
            write("io", "io.max", id + " " + key + "=" + (rate == 0 ? "max" : Long.toUnsignedString(rate)), p);
        }
    }

    /** "MAJOR:MINOR" of a block device the machine has. */
    private String blockDevice(Map<String, Object> device, String path) {
        Long major = json.unsigned(device, "major", path);
        Long minor = json.unsigned(device, "minor", path);
        if (major == null || minor == null) throw json.error(path, "needs both major and minor");
        if (!host.blockDevice(major, minor)) {
            throw json.error(path, "this machine has no block device " + Long.toUnsignedString(major) + ":"
                    + Long.toUnsignedString(minor) + " (see /sys/dev/block)");
        }
        return major + ":" + minor;
    }

    // ---------------------------------------------------------------- hugetlb, rdma, network

    private void hugepages(Map<String, Object> resources, String path) {
        List<Object> limits = json.list(resources, "hugepageLimits", path);
        Set<String> sizes = limits.isEmpty() ? Set.of() : host.hugePageSizes();
        for (int i = 0; i < limits.size(); i++) {
            String p = index(field(path, "hugepageLimits"), i);
            Map<String, Object> limit = json.element(limits.get(i), p);
            String size = json.string(limit, "pageSize", p);
            Long bytes = json.unsigned(limit, "limit", p);
            if (size == null || bytes == null) throw json.error(p, "needs pageSize and limit");
            if (!sizes.contains(size)) {
                throw json.error(field(p, "pageSize"), "this machine has no \"" + size + "\" huge pages"
                        + (sizes.isEmpty() ? "" : " (it has " + String.join(", ", new java.util.TreeSet<>(sizes)) + ")"));
            }
            String value = Long.toUnsignedString(bytes);
            write("hugetlb", "hugetlb." + size + ".max", value, p);
            // Reservations are limited too where the kernel counts them (5.11 and later), as runc does.
            writes.add(new Write("hugetlb." + size + ".rsvd.max", value, p, true, null));
        }
    }

    private void rdma(Map<String, Object> resources, String path) {
        Map<String, Object> rdma = json.object(resources, "rdma", path);
        if (rdma == null) return;
        String at = field(path, "rdma");
        for (String device : rdma.keySet()) {
            String p = at + "[\"" + device + "\"]";
            if (device.isEmpty() || device.contains(" ") || device.contains("\n")) throw json.error(p, "is not an RDMA device name");
            Map<String, Object> limit = json.element(rdma.get(device), p);
            Long handles = json.unsigned(limit, "hcaHandles", p);
            Long objects = json.unsigned(limit, "hcaObjects", p);
            write("rdma", "rdma.max", device + " hca_handle=" + (handles == null ? "max" : handles)
                    + " hca_object=" + (objects == null ? "max" : objects), p);
        }
    }

    private void network(Map<String, Object> resources, String path) {
        Map<String, Object> network = json.object(resources, "network", path);
        if (network == null) return;
        // As runc on cgroup v2: classes and priorities tag traffic, they limit nothing; said, not applied.
        json.ignored(network, "classID", field(path, "network"), "net_cls is a cgroup v1 controller; cgroup v2 has none");
        if (!json.list(network, "priorities", field(path, "network")).isEmpty()) {
            json.ignored(network, "priorities", field(path, "network"), "net_prio is a cgroup v1 controller; cgroup v2 has none");
        }
    }

    // ---------------------------------------------------------------- devices

    private void devices(Map<String, Object> resources, String path) {
        if (!resources.containsKey("devices") || resources.get("devices") == null) return;
        devicesPath = field(path, "devices");
        List<Object> list = json.list(resources, "devices", path);
        List<DeviceRule> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String p = index(devicesPath, i);
            Map<String, Object> rule = json.element(list.get(i), p);
            Boolean allow = json.bool(rule, "allow", p);
            if (allow == null) throw json.error(field(p, "allow"), "is required (true or false)");
            String type = json.string(rule, "type", p);
            if (type == null || type.isEmpty()) type = "a";
            if (!type.equals("a") && !type.equals("b") && !type.equals("c")) {
                throw json.error(field(p, "type"), "must be \"a\" (all), \"b\" (block) or \"c\" (character), got \"" + type + "\"");
            }
            long major = deviceNumber(rule, "major", p, 0xFFF);
            long minor = deviceNumber(rule, "minor", p, 0xFFFFF);
            String access = json.string(rule, "access", p);
            rules.add(new DeviceRule(type.charAt(0), major, minor, access(access, field(p, "access")), allow));
        }
        deviceRules = rules;
    }

    /** A major (12 bits) or minor (20 bits) number; absent or -1 means any. */
    private long deviceNumber(Map<String, Object> rule, String name, String path, long max) {
        Long number = json.signed(rule, name, path);
        if (number == null || number == -1) return DeviceRule.ANY;
        if (number < 0 || number > max) {
            throw json.error(field(path, name), "must be -1 (any) or a device number from 0 to " + max + ", got " + number);
        }
        return number;
    }

    private int access(String access, String path) {
        if (access == null || access.isEmpty()) throw json.error(path, "is required: some of r (read), w (write) and m (mknod)");
        int bits = 0;
        for (char c : access.toCharArray()) {
            bits |= switch (c) {
                case 'r' -> DeviceRule.READ;
                case 'w' -> DeviceRule.WRITE;
                case 'm' -> DeviceRule.MKNOD;
                default -> throw json.error(path, "\"" + access + "\" has '" + c + "'; only r, w and m are access kinds");
            };
        }
        return bits;
    }

    // ---------------------------------------------------------------- unified

    private void unified(Map<String, Object> resources, String path) {
        Map<String, Object> unified = json.object(resources, "unified", path);
        if (unified == null) return;
        String at = field(path, "unified");
        for (Map.Entry<String, Object> entry : unified.entrySet()) {
            String key = entry.getKey();
            String p = at + "[\"" + key + "\"]";
            if (!(entry.getValue() instanceof String value)) {
                throw json.error(p, "expected a string, got " + ResourceReader.kind(entry.getValue()));
            }
            if (key.isEmpty() || key.contains("/") || key.equals(".") || key.equals("..") || key.indexOf('.') < 0) {
                throw json.error(p, "is not a cgroup file name (CONTROLLER.FILE, such as memory.high)");
            }
            if (MANAGED.contains(key)) throw json.error(p, "hako manages " + key + " itself");
            String prefix = key.substring(0, key.indexOf('.'));
            if (CONTROLLERS.contains(prefix)) need(prefix, p);
            // One write per line: the kernel reads one setting per write (io.max, one device a line).
            for (String line : value.split("\n")) {
                if (!line.isBlank()) writes.add(new Write(key, line, p));
            }
        }
    }
}
