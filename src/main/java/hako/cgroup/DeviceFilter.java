package hako.cgroup;

import hako.spec.DeviceType;
import hako.spec.Spec;
import hako.sys.Errno;
import hako.sys.SysException;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) that decides each device access of the
 * container's processes: cgroup v2 has no devices.allow file, the kernel asks this program.
 *
 * <p>The rules are the spec's {@code linux.resources.devices}, then the devices every container
 * may use (as runc allows them: /dev/null, zero, full, random, urandom, tty, ptmx and the
 * pseudo-terminals, and mknod of any node), then each {@code linux.devices} entry — a device the
 * container is given is one it may use. Rules are read as cgroup v1 read them: for each kind of
 * access asked for (read, write, mknod), the last rule that names that kind and matches the
 * device decides; with no such rule, access is denied. So a later {@code deny c 1:3 w} takes
 * write away from an earlier {@code allow c 1:3 rwm} and leaves read.
 *
 * <p>The program runs one pass per kind of access, each walking the rules from the last to the
 * first: a pass whose kind was not asked for is skipped; a matching allow ends the pass; a
 * matching deny (or no match at all) returns 0, denied. Past the three passes it returns 1. An
 * access kind other than these three is denied before any pass.
 *
 * <p>The filter installs itself on a cgroup ({@link #install}), replacing the one hako attached
 * before rather than stacking on it.
 */
final class DeviceFilter {
    // struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }: access_type is
    // (access << 16) | type, with type BPF_DEVCG_DEV_BLOCK 1 or BPF_DEVCG_DEV_CHAR 2.
    private static final int DEV_BLOCK = 1, DEV_CHAR = 2;
    // Registers: r1 the context; the program keeps type in r2, access in r3, major r4, minor r5.
    private static final int R0 = 0, R1 = 1, TYPE = 2, ACCESS = 3, MAJOR = 4, MINOR = 5;
    // Opcodes (linux/bpf_common.h, linux/bpf.h).
    private static final int LDX_W = 0x61, AND32_K = 0x54, RSH32_K = 0x74, MOV64_K = 0xb7;
    private static final int JA = 0x05, JNE_K = 0x55, JSET_K = 0x45, EXIT = 0x95;
    /** The passes, in the order they run. */
    private static final int[] KINDS = {DeviceRule.MKNOD, DeviceRule.READ, DeviceRule.WRITE};

    private DeviceFilter() {}

    /** The devices every container may use, whatever its spec says (runc's list). */
    static List<DeviceRule> defaults() {
        return List.of(
                new DeviceRule('c', DeviceRule.ANY, DeviceRule.ANY, DeviceRule.MKNOD, true),
                new DeviceRule('b', DeviceRule.ANY, DeviceRule.ANY, DeviceRule.MKNOD, true),
                new DeviceRule('c', 1, 3, DeviceRule.ALL, true),     // null
                new DeviceRule('c', 1, 8, DeviceRule.ALL, true),     // random
                new DeviceRule('c', 1, 7, DeviceRule.ALL, true),     // full
                new DeviceRule('c', 5, 0, DeviceRule.ALL, true),     // tty
                new DeviceRule('c', 1, 5, DeviceRule.ALL, true),     // zero
                new DeviceRule('c', 1, 9, DeviceRule.ALL, true),     // urandom
                new DeviceRule('c', 136, DeviceRule.ANY, DeviceRule.ALL, true), // /dev/pts/*
                new DeviceRule('c', 5, 2, DeviceRule.ALL, true));    // ptmx
    }

    /** Everything the program decides by, in order: the spec's rules, the defaults, linux.devices. */
    static List<DeviceRule> rules(List<DeviceRule> specRules, List<Spec.Device> specDevices) {
        List<DeviceRule> rules = new ArrayList<>(specRules);
        rules.addAll(defaults());
        rules.addAll(given(specDevices));
        return rules;
    }

    /** linux.devices as rules: each node the container is given, it may use. FIFOs are not devices. */
    static List<DeviceRule> given(List<Spec.Device> specDevices) {
        List<DeviceRule> rules = new ArrayList<>();
        for (Spec.Device device : specDevices) {
            if (device.type() == DeviceType.FIFO) continue;
            char type = device.type() == DeviceType.BLOCK ? 'b' : 'c';
            rules.add(new DeviceRule(type, device.major(), device.minor(), DeviceRule.ALL, true));
        }
        return rules;
    }

    /** The program's instructions (struct bpf_insn, little-endian), ready for BPF_PROG_LOAD. */
    static byte[] program(List<DeviceRule> rules) {
        Assembler code = new Assembler();
        code.emit(LDX_W, TYPE, R1, 0, 0);
        code.emit(AND32_K, TYPE, 0, 0, 0xFFFF);
        code.emit(LDX_W, ACCESS, R1, 0, 0);
        code.emit(RSH32_K, ACCESS, 0, 0, 16);
        code.emit(LDX_W, MAJOR, R1, 4, 0);
        code.emit(LDX_W, MINOR, R1, 8, 0);
        // An access kind this program does not know (a future kernel's) is denied, not waved through.
        code.emit(JSET_K, ACCESS, 0, 1, ~DeviceRule.ALL & 0xFFFF);
        code.emit(JA, 0, 0, 2, 0);
        code.emit(MOV64_K, R0, 0, 0, 0);
        code.emit(EXIT, 0, 0, 0, 0);
        for (int kind : KINDS) pass(code, kind, rules);
        code.emit(MOV64_K, R0, 0, 0, 1);
        code.emit(EXIT, 0, 0, 0, 0);
        return code.bytes();
    }

    private static void pass(Assembler code, int kind, List<DeviceRule> rules) {
        List<Integer> toNextPass = new ArrayList<>();
        // Not asked for: skip the pass.
        code.emit(JSET_K, ACCESS, 0, 1, kind);
        toNextPass.add(code.emit(JA, 0, 0, 0, 0));
        boolean decided = false;
        for (int i = rules.size() - 1; i >= 0 && !decided; i--) {
            DeviceRule rule = rules.get(i);
            if ((rule.access() & kind) == 0) continue;
            int checks = (rule.type() != 'a' ? 1 : 0) + (rule.major() != DeviceRule.ANY ? 1 : 0)
                    + (rule.minor() != DeviceRule.ANY ? 1 : 0);
            int verdict = rule.allow() ? 1 : 2;
            // Each failed check jumps over the rest of this rule's block.
            int left = checks;
            if (rule.type() != 'a') code.emit(JNE_K, TYPE, 0, --left + verdict, rule.type() == 'b' ? DEV_BLOCK : DEV_CHAR);
            if (rule.major() != DeviceRule.ANY) code.emit(JNE_K, MAJOR, 0, --left + verdict, (int) rule.major());
            if (rule.minor() != DeviceRule.ANY) code.emit(JNE_K, MINOR, 0, --left + verdict, (int) rule.minor());
            if (rule.allow()) {
                toNextPass.add(code.emit(JA, 0, 0, 0, 0));
            } else {
                code.emit(MOV64_K, R0, 0, 0, 0);
                code.emit(EXIT, 0, 0, 0, 0);
            }
            // A rule for every device always decides: rules before it would be unreachable
            // code, which the verifier refuses.
            decided = rule.matchesEveryDevice();
        }
        if (!decided) {
            code.emit(MOV64_K, R0, 0, 0, 0);
            code.emit(EXIT, 0, 0, 0, 0);
        }
        for (int jump : toNextPass) code.jumpHere(jump);
    }

    // ---------------------------------------------------------------- installing it

    /** Every rule in force: the spec's, the defaults, then the devices the container was given. */
    static List<DeviceRule> all(List<DeviceRule> specRules, List<DeviceRule> given) {
        List<DeviceRule> rules = new ArrayList<>(specRules);
        rules.addAll(DeviceFilter.defaults());
        rules.addAll(given);
        return rules;
    }

    /** Loads the filter and attaches it, replacing (never stacking on) the one hako attached before. */
    static void install(CgroupFiles files, Path path, List<DeviceRule> rules, String jsonPath) {
        String where = jsonPath != null ? jsonPath : "linux.resources.devices";
        int program = files.loadDeviceProgram(program(rules), "loading the device filter (" + where + ")");
        int dir = -1;
        try {
            dir = files.openDirectory(path, "opening the cgroup " + path);
            int[] attached = files.attachedDevicePrograms(dir, "listing the device filters of " + path);
            if (attached.length == 1 && replace(files, path, dir, program, attached[0])) return;
            files.attachDeviceProgram(dir, program, -1, "attaching the device filter to " + path);
            for (int id : attached) {
                int old = files.programById(id, "opening an old device filter of " + path);
                if (old < 0) continue;
                try {
                    files.detachDeviceProgram(dir, old, "detaching an old device filter from " + path);
                } finally {
                    files.close(old);
                }
            }
        } finally {
            files.close(dir);
            files.close(program);
        }
    }

    /** How many device filters are attached to the cgroup itself: 1 once hako made it, whatever the updates. */
    static int attached(CgroupFiles files, Path path) {
        int dir = files.openDirectory(path, "opening the cgroup " + path);
        try {
            return files.attachedDevicePrograms(dir, "listing the device filters of " + path).length;
        } finally {
            files.close(dir);
        }
    }

    /** Swaps the filter in place (BPF_F_REPLACE, Linux 5.6+); false when the kernel cannot. */
    private static boolean replace(CgroupFiles files, Path path, int dir, int program, int oldId) {
        int old = files.programById(oldId, "opening the device filter of " + path);
        if (old < 0) return false;
        try {
            files.attachDeviceProgram(dir, program, old, "replacing the device filter of " + path);
            return true;
        } catch (SysException e) {
            if (e.errno() == Errno.EINVAL) return false;
            throw e;
        } finally {
            files.close(old);
        }
    }

    /** linux.devices of the spec, kept on the cgroup: an update of the device rules still allows them. */
    private static final String GIVEN_DEVICES = "trusted.hako.devices";

    /** Keeps the devices the container was given on its cgroup, for {@link #remembered}. */
    static void remember(CgroupTree tree, Path cgroup, List<DeviceRule> given) {
        tree.setAttribute(cgroup, GIVEN_DEVICES, rulesText(given));
    }

    /** The devices the container was given, as {@link #remember} kept them. */
    static List<DeviceRule> remembered(CgroupTree tree, Path cgroup) {
        return parseRules(tree.getAttribute(cgroup, GIVEN_DEVICES));
    }

    private static String rulesText(List<DeviceRule> rules) {
        StringBuilder text = new StringBuilder();
        for (DeviceRule rule : rules) {
            if (!text.isEmpty()) text.append(',');
            text.append(rule.type()).append(' ').append(rule.major()).append(':').append(rule.minor());
        }
        return text.toString();
    }

    private static List<DeviceRule> parseRules(String text) {
        List<DeviceRule> rules = new ArrayList<>();
        if (text == null || text.isEmpty()) return rules;
        for (String rule : text.split(",")) {
            int colon = rule.indexOf(':');
            rules.add(new DeviceRule(rule.charAt(0), Long.parseLong(rule.substring(2, colon)),
                    Long.parseLong(rule.substring(colon + 1)), DeviceRule.ALL, true));
        }
        return rules;
    }


    /** Instructions in order, with forward jumps patched once their target is known. */
    private static final class Assembler {
        private final List<long[]> instructions = new ArrayList<>();

        /** Appends one instruction; returns its index. */
        int emit(int opcode, int dst, int src, int offset, int immediate) {
            instructions.add(new long[] {opcode, dst, src, offset, immediate});
            return instructions.size() - 1;
        }

        /** Points the jump at {@code index} to the next instruction to be emitted. */
        void jumpHere(int index) {
            long offset = instructions.size() - index - 1;
            if (offset > Short.MAX_VALUE) throw new CgroupException("linux.resources.devices: too many rules for one device filter");
            instructions.get(index)[3] = offset;
        }

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(instructions.size() * 8);
            for (long[] insn : instructions) {
                out.write((int) insn[0]);
                out.write((int) (insn[1] | insn[2] << 4));
                out.write((int) insn[3]);
                out.write((int) (insn[3] >> 8));
                int immediate = (int) insn[4];
                for (int i = 0; i < 4; i++) out.write(immediate >>> (8 * i));
            }
            return out.toByteArray();
        }
    }
}
