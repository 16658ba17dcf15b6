package hako.seccomp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * runc's -ENOSYS stub (libcontainer/seccomp/patchbpf), put in front of libseccomp's program: a
 * system call newer than every call the profile names (on its architecture) gets ENOSYS rather
 * than the default action. A C library then falls back to an older call (clone3 to clone,
 * statx to fstatat) instead of failing with EPERM. Written afresh here, with the same effect: per
 * architecture, one load of the call's number and one comparison with the largest known number.
 */
final class EnosysStub {
    static final int AUDIT_ARCH_X86_64 = 0xC000_003E;
    /** libseccomp's token for x32 is not an audit architecture: its calls come as x86_64 ones with bit 30 set. */
    static final int SCMP_ARCH_X32 = 0x4000_003E;
    static final int AUDIT_ARCH_S390 = 0x0000_0016, AUDIT_ARCH_S390X = 0x8000_0016;
    private static final int X32_BIT = 0x4000_0000;
    static final int RET_ENOSYS = 0x0005_0000 | 38; // SECCOMP_RET_ERRNO | ENOSYS

    static final int LD_W_ABS = 0x20, JEQ = 0x15, JGT = 0x25, JSET = 0x45, JA = 0x05, RET = 0x06;

    private EnosysStub() {}

    /** One BPF instruction; a {@code JA} with {@code toFilter} jumps to the first of libseccomp's. */
    private record Insn(int code, int jt, int jf, int k, boolean toFilter, int toSection) {
        static Insn of(int code, int jt, int jf, int k) {
            return new Insn(code, jt, jf, k, false, -1);
        }
    }

    /**
     * @param largest for each audit architecture, the largest number the profile names on each of
     *                its libseccomp architectures (two only for x86_64: itself and x32)
     * @return the stub's instructions, 8 bytes each, in host (little-endian) byte order
     */
    static byte[] generate(Map<Integer, Map<Integer, Integer>> largest) {
        List<List<Insn>> sections = new ArrayList<>();
        List<Integer> arches = new ArrayList<>();
        for (Map.Entry<Integer, Map<Integer, Integer>> entry : largest.entrySet()) {
            if (entry.getValue().isEmpty()) continue;
            arches.add(entry.getKey());
            sections.add(section(entry.getKey(), entry.getValue()));
        }
        List<Insn> program = new ArrayList<>();
        program.add(Insn.of(LD_W_ABS, 0, 0, 4)); // seccomp_data.arch
        for (int i = 0; i < arches.size(); i++) {
            program.add(Insn.of(JEQ, 0, 1, arches.get(i)));
            program.add(new Insn(JA, 0, 0, 0, false, i));
        }
        program.add(new Insn(JA, 0, 0, 0, true, -1)); // an architecture the stub has no numbers for
        int[] starts = new int[sections.size()];
        for (int i = 0; i < sections.size(); i++) {
            starts[i] = program.size();
            program.addAll(sections.get(i));
        }
        int filter = program.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream(program.size() * 8);
        for (int pc = 0; pc < program.size(); pc++) {
            Insn insn = program.get(pc);
            int k = insn.k();
            if (insn.toFilter()) k = filter - pc - 1;
            if (insn.toSection() >= 0) k = starts[insn.toSection()] - pc - 1;
            write(out, insn.code(), insn.jt(), insn.jf(), k);
        }
        return out.toByteArray();
    }

    /** Loads the call's number; ENOSYS above the largest, else on to libseccomp's filter. */
    private static List<Insn> section(int auditArch, Map<Integer, Integer> largest) {
        List<Insn> s = new ArrayList<>();
        s.add(Insn.of(LD_W_ABS, 0, 0, 0)); // seccomp_data.nr
        Integer native64 = largest.get(auditArch);
        Integer x32 = auditArch == AUDIT_ARCH_X86_64 ? largest.get(SCMP_ARCH_X32) : null;
        if (auditArch == AUDIT_ARCH_S390 || auditArch == AUDIT_ARCH_S390X) {
            // s390's multiplexer, setup(2) = 0, is what an unknown large number becomes.
            s.add(Insn.of(JEQ, 0, 1, 0));
            s.add(Insn.of(RET, 0, 0, RET_ENOSYS));
        }
        if (auditArch != AUDIT_ARCH_X86_64) {
            s.add(Insn.of(JGT, 0, 1, native64));
        } else if (x32 == null) {
            s.add(Insn.of(JSET, 2, 0, X32_BIT));          // an x32 call: not ours to judge
            s.add(Insn.of(JGT, 0, 1, native64));
        } else if (native64 == null) {
            s.add(Insn.of(JSET, 0, 2, X32_BIT));          // an x86_64 call: not ours to judge
            s.add(Insn.of(JGT, 0, 1, x32));
        } else {
            s.add(Insn.of(JSET, 1, 0, X32_BIT));
            s.add(Insn.of(JGT, 1, 2, native64));
            s.add(Insn.of(JGT, 0, 1, x32));
        }
        s.add(Insn.of(RET, 0, 0, RET_ENOSYS));
        s.add(new Insn(JA, 0, 0, 0, true, -1));
        return s;
    }

    /** struct sock_filter { u16 code; u8 jt, jf; u32 k; }, little-endian. */
    private static void write(ByteArrayOutputStream out, int code, int jt, int jf, int k) {
        out.write(code);
        out.write(code >>> 8);
        out.write(jt);
        out.write(jf);
        for (int i = 0; i < 4; i++) out.write(k >>> (8 * i));
    }
}
