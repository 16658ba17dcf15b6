package hako.cgroup;

import hako.json.Json;
import hako.spec.CpuList;
import hako.spec.Resources;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code linux.resources}, decoded and checked by the spec package ({@link Resources}), turned
 * into what cgroup v2 is told: the files to write, in order, with their values converted from the
 * spec's cgroup v1 terms; the controllers those files need; and the device rules. What only the
 * machine can say is checked here, before any cgroup exists, so that it too makes nothing: CPUs
 * and block devices the machine does not have, huge page sizes it lacks, a swap limit below the
 * memory limit in force. Errors name the document and the JSON path, as the decoder's do.
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

    private final Host host;
    private final Current current;

    private Limits(String source, Host host, Current current) {
        this.source = source;
        this.host = host;
        this.current = current;
    }

    /**
     * @param resources the decoded {@code linux.resources}, may be null
     * @param source    the document, for errors: {@code config.json}
     * @param path      where {@code resources} is in it: {@code linux.resources}, or "" at its top
     * @param current   the cgroup being updated, or null when creating one
     */
    static Limits parse(Resources resources, String source, String path, Host host, Current current) {
        Limits limits = new Limits(source, host, current);
        if (resources == null) return limits;
        if (resources.memory() != null) limits.memory(resources.memory(), field(path, "memory"));
        if (resources.cpu() != null) limits.cpu(resources.cpu(), field(path, "cpu"));
        if (resources.pids() != null) limits.pids(resources.pids(), field(path, "pids"));
        if (resources.blockIo() != null) limits.blockIo(resources.blockIo(), field(path, "blockIO"));
        limits.hugepages(resources.hugepageLimits(), field(path, "hugepageLimits"));
        limits.rdma(resources.rdma(), field(path, "rdma"));
        limits.devices(resources.devices(), field(path, "devices"));
        // Last, so that a key written verbatim has the final word over the converted fields.
        limits.unified(resources.unified(), field(path, "unified"));
        return limits;
    }

    private CgroupException error(String path, String reason) {
        return new CgroupException(source + ": " + path + ": " + reason);
    }

    private static String field(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    /** A key of an object used as a map, as the decoder names it: {@code unified["memory.high"]}. */
    private static String key(String path, String name) {
        return path + "[" + Json.quote(name) + "]";
    }

    /**
     * The same limits with only {@code kept} of its writes (a subset of {@link #writes}), and only
     * the controllers those need: what the systemd driver writes itself.
     */
    Limits only(List<Write> kept) {
        Limits limits = new Limits(source, host, current);
        limits.writes.addAll(kept);
        for (Write write : kept) {
            String controller = write.file().substring(0, write.file().indexOf('.'));
            String needed = controllers.get(controller);
            if (needed != null) limits.controllers.putIfAbsent(controller, needed);
        }
        limits.deviceRules = deviceRules;
        limits.devicesPath = devicesPath;
        limits.memoryLimit = memoryLimit;
        limits.checkBeforeUpdate = checkBeforeUpdate;
        return limits;
    }

    /** Forgets every write to {@code controller}'s files, for a host that cannot enforce them. */
    void drop(String controller) {
        controllers.remove(controller);
        writes.removeIf(write -> write.file().startsWith(controller + "."));
    }

    private void need(String controller, String path) {
        controllers.putIfAbsent(controller, path);
    }

    private void write(String controller, String file, String value, String path) {
        need(controller, path);
        writes.add(new Write(file, value, path));
    }

    // ---------------------------------------------------------------- memory

    private void memory(Resources.Memory memory, String at) {
        Long limit = memory.limit();
        Long reservation = memory.reservation();
        Long swap = memory.swap();
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
                throw error(field(at, "swap"), e.getMessage());
            }
            if (value != null) write("memory", "memory.swap.max", value, field(at, "swap"));
        } else if (limit != null && limit == -1) {
            // runc's reading of v1: no memory limit and no swap limit given means no swap limit.
            need("memory", field(at, "limit"));
            writes.add(new Write("memory.swap.max", "max", field(at, "limit"), true, null));
        }
        checkBeforeUpdate = memory.checkBeforeUpdate();
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

    private void cpu(Resources.Cpu cpu, String at) {
        Long shares = cpu.shares();
        if (shares != null && shares != 0) {
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
        cpuMax(cpu.quota(), cpu.period(), at);
        if (cpu.burst() != null) write("cpu", "cpu.max.burst", Long.toUnsignedString(cpu.burst()), field(at, "burst"));
        if (cpu.idle() != null) write("cpu", "cpu.idle", Long.toString(cpu.idle()), field(at, "idle"));
        if (cpu.cpus() != null) cpuset(cpu.cpus(), "cpuset.cpus", host.cpus(), "CPUs", field(at, "cpus"));
        if (cpu.mems() != null) cpuset(cpu.mems(), "cpuset.mems", host.mems(), "memory nodes", field(at, "mems"));
    }

    /** quota and period together make cpu.max: "QUOTA PERIOD", "max PERIOD" for no limit. */
    private void cpuMax(Long quota, Long period, String at) {
        boolean hasQuota = quota != null && quota != 0;
        boolean hasPeriod = period != null && period != 0;
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

    /** A list the decoder checked, within what the machine gives the cgroup. */
    private void cpuset(String list, String file, BitSet available, String what, String path) {
        BitSet missing = CpuList.parse(list);
        missing.andNot(available);
        if (!missing.isEmpty()) {
            throw error(path, "asks for " + what + " " + CpuList.format(missing) + ", but the container's cgroup may use only "
                    + CpuList.format(available));
        }
        write("cpuset", file, list, path);
    }

    // ---------------------------------------------------------------- pids

    private void pids(Resources.Pids pids, String at) {
        Long limit = pids.limit();
        if (limit == null || limit == 0) return;
        write("pids", "pids.max", Conversions.maxOrNumber(limit), field(at, "limit"));
    }

    // ---------------------------------------------------------------- block io

    private void blockIo(Resources.BlockIo io, String at) {
        Long weight = io.weight();
        if (weight != null && weight != 0) {
            need("io", field(at, "weight"));
            // BFQ takes the v1 range itself; without BFQ, io.weight takes the converted value.
            writes.add(new Write("io.bfq.weight", Long.toString(weight), field(at, "weight"), false,
                    new Write("io.weight", Long.toString(Conversions.ioWeight(weight)), field(at, "weight"))));
        }
        List<Resources.WeightDevice> devices = io.weightDevice();
        for (int i = 0; i < devices.size(); i++) {
            String p = index(field(at, "weightDevice"), i);
            Resources.WeightDevice device = devices.get(i);
            String id = blockDevice(device.major(), device.minor(), p);
            Long w = device.weight();
            if (w == null) continue;
            need("io", p);
            writes.add(new Write("io.bfq.weight", id + " " + w, field(p, "weight"), false,
                    new Write("io.weight", id + " " + Conversions.ioWeight(w), field(p, "weight"))));
        }
        throttle(io.throttleReadBpsDevice(), "throttleReadBpsDevice", "rbps", at);
        throttle(io.throttleWriteBpsDevice(), "throttleWriteBpsDevice", "wbps", at);
        throttle(io.throttleReadIopsDevice(), "throttleReadIOPSDevice", "riops", at);
        throttle(io.throttleWriteIopsDevice(), "throttleWriteIOPSDevice", "wiops", at);
    }

    private void throttle(List<Resources.ThrottleDevice> devices, String name, String key, String at) {
        for (int i = 0; i < devices.size(); i++) {
            String p = index(field(at, name), i);
            Resources.ThrottleDevice device = devices.get(i);
            String id = blockDevice(device.major(), device.minor(), p);
            long rate = device.rate();
            // As in v1, a rate of 0 removes the limit.
            write("io", "io.max", id + " " + key + "=" + (rate == 0 ? "max" : Long.toUnsignedString(rate)), p);
        }
    }

    /** "MAJOR:MINOR" of a block device the machine has. */
    private String blockDevice(long major, long minor, String path) {
        if (!host.blockDevice(major, minor)) {
            throw error(path, "this machine has no block device " + Long.toUnsignedString(major) + ":"
                    + Long.toUnsignedString(minor) + " (see /sys/dev/block)");
        }
        return major + ":" + minor;
    }

    // ---------------------------------------------------------------- hugetlb, rdma

    private void hugepages(List<Resources.HugepageLimit> limits, String at) {
        Set<String> sizes = limits.isEmpty() ? Set.of() : host.hugePageSizes();
        for (int i = 0; i < limits.size(); i++) {
            String p = index(at, i);
            Resources.HugepageLimit limit = limits.get(i);
            String size = limit.pageSize();
            if (!sizes.contains(size)) {
                throw error(field(p, "pageSize"), "this machine has no " + Json.quote(size) + " huge pages"
                        + (sizes.isEmpty() ? "" : " (it has " + String.join(", ", new java.util.TreeSet<>(sizes)) + ")"));
            }
            String value = Long.toUnsignedString(limit.limit());
            write("hugetlb", "hugetlb." + size + ".max", value, p);
            // Reservations are limited too where the kernel counts them (5.11 and later), as runc does.
            writes.add(new Write("hugetlb." + size + ".rsvd.max", value, p, true, null));
        }
    }

    private void rdma(Map<String, Resources.Rdma> rdma, String at) {
        for (Map.Entry<String, Resources.Rdma> entry : rdma.entrySet()) {
            Long handles = entry.getValue().hcaHandles();
            Long objects = entry.getValue().hcaObjects();
            write("rdma", "rdma.max", entry.getKey() + " hca_handle=" + (handles == null ? "max" : Long.toUnsignedString(handles))
                    + " hca_object=" + (objects == null ? "max" : Long.toUnsignedString(objects)), key(at, entry.getKey()));
        }
    }

    // ---------------------------------------------------------------- devices

    private void devices(List<Resources.DeviceCgroupRule> devices, String at) {
        if (devices == null) return;
        devicesPath = at;
        List<DeviceRule> rules = new ArrayList<>(devices.size());
        for (Resources.DeviceCgroupRule rule : devices) {
            rules.add(new DeviceRule(rule.type(), rule.major(), rule.minor(), access(rule.access()), rule.allow()));
        }
        deviceRules = rules;
    }

    /** The BPF_DEVCG_ACC_* bits of an access string the decoder checked (r, w and m only). */
    private static int access(String access) {
        int bits = 0;
        for (char c : access.toCharArray()) {
            bits |= switch (c) {
                case 'r' -> DeviceRule.READ;
                case 'w' -> DeviceRule.WRITE;
                default -> DeviceRule.MKNOD;
            };
        }
        return bits;
    }

    // ---------------------------------------------------------------- unified

    private void unified(Map<String, String> unified, String at) {
        for (Map.Entry<String, String> entry : unified.entrySet()) {
            String file = entry.getKey();
            String p = key(at, file);
            String prefix = file.substring(0, file.indexOf('.'));
            if (CONTROLLERS.contains(prefix)) need(prefix, p);
            // One write per line: the kernel reads one setting per write (io.max, one device a line).
            for (String line : entry.getValue().split("\n")) {
                if (!line.isBlank()) writes.add(new Write(file, line, p));
            }
        }
    }
}
