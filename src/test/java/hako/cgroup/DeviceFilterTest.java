package hako.cgroup;

import hako.spec.DeviceType;
import hako.spec.Spec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device filter's bytes, and what it decides: the program is run here by a small eBPF
 * interpreter for the instructions it uses, which also checks what the kernel's verifier would
 * refuse (backward jumps, unreachable instructions, falling off the end).
 */
class DeviceFilterTest {
    static final int R = DeviceRule.READ, W = DeviceRule.WRITE, M = DeviceRule.MKNOD;
    static final DeviceRule DENY_ALL = new DeviceRule('a', -1, -1, DeviceRule.ALL, false);

    @Test
    void oneRuleProgramIsExactlyTheseInstructions() {
        byte[] program = DeviceFilter.program(List.of(new DeviceRule('c', 1, 3, R, true)));
        List<String> expected = List.of(
                // type, access, major, minor out of the context
                "61 2 1 0 0", "54 2 0 0 65535", "61 3 1 0 0", "74 3 0 0 16", "61 4 1 4 0", "61 5 1 8 0",
                // an unknown access kind → deny
                "45 3 0 1 65528", "5 0 0 2 0", "b7 0 0 0 0", "95 0 0 0 0",
                // mknod: not asked for → next pass; no rule names it → deny
                "45 3 0 1 1", "5 0 0 2 0", "b7 0 0 0 0", "95 0 0 0 0",
                // read: c 1:3 allows it
                "45 3 0 1 2", "5 0 0 6 0", "55 2 0 3 2", "55 4 0 2 1", "55 5 0 1 3", "5 0 0 2 0", "b7 0 0 0 0", "95 0 0 0 0",
                // write: no rule → deny
                "45 3 0 1 4", "5 0 0 2 0", "b7 0 0 0 0", "95 0 0 0 0",
                // every kind asked for was allowed
                "b7 0 0 0 1", "95 0 0 0 0");
        assertEquals(expected, decode(program));
    }

    @Test
    void defaultSpecDeniesAllButTheDefaultDevices() {
        List<DeviceRule> rules = DeviceFilter.rules(List.of(DENY_ALL), List.of());
        assertTrue(allows(rules, 'c', 1, 3, R | W), "/dev/null");
        assertTrue(allows(rules, 'c', 1, 9, R), "/dev/urandom");
        assertTrue(allows(rules, 'c', 136, 4, R | W), "a pseudo-terminal");
        assertTrue(allows(rules, 'c', 5, 2, R | W), "/dev/ptmx");
        assertTrue(allows(rules, 'b', 8, 0, M), "mknod of any node, as runc allows");
        assertFalse(allows(rules, 'b', 8, 0, R), "a disk");
        assertFalse(allows(rules, 'c', 10, 200, R | W), "/dev/net/tun");
        assertFalse(allows(rules, 'c', 1, 1, R), "/dev/mem");
        assertFalse(allows(rules, 'c', 1, 3, R | W | 8), "an access kind beyond rwm is never allowed");
    }

    @Test
    void theLastRuleNamingAnAccessKindDecidesIt() {
        List<DeviceRule> rules = DeviceFilter.rules(List.of(DENY_ALL,
                new DeviceRule('c', 10, 200, DeviceRule.ALL, true),
                new DeviceRule('c', 10, 200, W, false)), List.of());
        assertTrue(allows(rules, 'c', 10, 200, R));
        assertFalse(allows(rules, 'c', 10, 200, W));
        assertFalse(allows(rules, 'c', 10, 200, R | W), "one denied kind denies the access");
        assertTrue(allows(rules, 'c', 10, 200, M));
    }

    @Test
    void wildcardsAndAllowAll() {
        List<DeviceRule> minors = DeviceFilter.rules(List.of(DENY_ALL, new DeviceRule('c', 4, -1, R | W, true)), List.of());
        assertTrue(allows(minors, 'c', 4, 1, R | W));
        assertTrue(allows(minors, 'c', 4, 63, W));
        assertFalse(allows(minors, 'b', 4, 1, R), "the rule is for character devices");
        assertFalse(allows(minors, 'c', 5, 7, R));
        List<DeviceRule> everything = DeviceFilter.rules(List.of(new DeviceRule('a', -1, -1, DeviceRule.ALL, true)), List.of());
        assertTrue(allows(everything, 'b', 8, 0, R | W));
        assertTrue(allows(everything, 'c', 1, 1, R));
    }

    @Test
    void noRulesAllowOnlyTheDefaultsAndGivenDevices() {
        List<Spec.Device> given = List.of(new Spec.Device("/dev/ram0", DeviceType.BLOCK, 1, 0, 0660, null, null),
                new Spec.Device("/dev/fifo", DeviceType.FIFO, 0, 0, 0660, null, null));
        List<DeviceRule> rules = DeviceFilter.rules(List.of(), given);
        assertEquals(DeviceFilter.defaults().size() + 1, rules.size(), "a FIFO is not a device");
        assertTrue(allows(rules, 'b', 1, 0, R | W), "linux.devices entries may be used");
        assertFalse(allows(rules, 'b', 1, 1, R));
        assertFalse(allows(rules, 'c', 1, 0, R), "the given one is a block device");
        // Given devices come last, so a spec rule cannot take them away.
        List<DeviceRule> denied = DeviceFilter.rules(List.of(new DeviceRule('b', 1, 0, DeviceRule.ALL, false)), given);
        assertTrue(allows(denied, 'b', 1, 0, R | W));
    }

    // ---------------------------------------------------------------- a tiny eBPF machine

    static List<String> decode(byte[] program) {
        List<String> out = new ArrayList<>();
        for (int pc = 0; pc < program.length / 8; pc++) {
            int[] i = instruction(program, pc);
            out.add(Integer.toHexString(i[0]) + " " + i[1] + " " + i[2] + " " + i[3] + " " + i[4]);
        }
        return out;
    }

    static int[] instruction(byte[] p, int pc) {
        int at = pc * 8;
        int opcode = p[at] & 0xff;
        int dst = p[at + 1] & 0xf, src = (p[at + 1] >> 4) & 0xf;
        int offset = (short) ((p[at + 2] & 0xff) | (p[at + 3] << 8));
        int imm = (p[at + 4] & 0xff) | (p[at + 5] & 0xff) << 8 | (p[at + 6] & 0xff) << 16 | (p[at + 7] & 0xff) << 24;
        return new int[] {opcode, dst, src, offset, imm};
    }

    static boolean allows(List<DeviceRule> rules, char type, int major, int minor, int access) {
        byte[] program = DeviceFilter.program(rules);
        verify(program);
        int[] context = {(access << 16) | (type == 'b' ? 1 : 2), major, minor};
        return run(program, context) == 1;
    }

    static long run(byte[] program, int[] context) {
        long[] r = new long[11];
        for (int pc = 0; ; pc++) {
            int[] i = instruction(program, pc);
            long k = i[4];
            switch (i[0]) {
                case 0x61 -> r[i[1]] = context[i[3] / 4] & 0xffffffffL;
                case 0x54 -> r[i[1]] = (r[i[1]] & k) & 0xffffffffL;
                case 0x74 -> r[i[1]] = ((r[i[1]] & 0xffffffffL) >>> k) & 0xffffffffL;
                case 0xb7 -> r[i[1]] = k;
                case 0x05 -> pc += i[3];
                case 0x55 -> pc += r[i[1]] != k ? i[3] : 0;
                case 0x45 -> pc += (r[i[1]] & k) != 0 ? i[3] : 0;
                case 0x95 -> {
                    return r[0];
                }
                default -> throw new AssertionError("unexpected opcode " + Integer.toHexString(i[0]) + " at " + pc);
            }
        }
    }

    /** What the verifier checks that matters here: forward jumps in range, all code reachable, exits only. */
    static void verify(byte[] program) {
        int n = program.length / 8;
        boolean[] reachable = new boolean[n];
        reachable[0] = true;
        for (int pc = 0; pc < n; pc++) {
            if (!reachable[pc]) throw new AssertionError("unreachable instruction " + pc);
            int[] i = instruction(program, pc);
            boolean jump = i[0] == 0x05 || i[0] == 0x55 || i[0] == 0x45;
            if (jump) {
                assertTrue(i[3] >= 0 && pc + 1 + i[3] < n, "jump at " + pc + " goes to " + (pc + 1 + i[3]));
                reachable[pc + 1 + i[3]] = true;
            }
            if (i[0] != 0x95 && i[0] != 0x05) {
                assertTrue(pc + 1 < n, "falls off the end at " + pc);
                reachable[pc + 1] = true;
            }
        }
    }
}
