package hako.spec;

import java.util.List;

/**
 * {@code linux.seccomp}, decoded: the system call filter the container's processes run under.
 * The names and numbers are libseccomp's, which runc compiles the profile with; hako does too.
 *
 * @param defaultAction    what a system call no rule matches gets
 * @param defaultErrnoRet  the errno of an ERRNO (or TRACE) default action, null for EPERM
 * @param architectures    the SCMP_ARCH_* names the filter also accepts besides the native one, in order
 * @param flags            SECCOMP_FILTER_FLAG_* names; null when absent (runc then uses SPEC_ALLOW
 *                         where it is supported), empty when given as []
 * @param listenerPath     the unix socket the seccomp agent listens on (SCMP_ACT_NOTIFY), null for none
 * @param listenerMetadata passed to the agent as it is, null for none
 * @param syscalls         the rules, in order; each name is one rule of libseccomp's
 */
public record Seccomp(Action defaultAction, Long defaultErrnoRet, List<String> architectures, List<String> flags,
                      String listenerPath, String listenerMetadata, List<Rule> syscalls) {

    /** Whether a rule (never the default, which the decoder refuses) hands calls to the agent. */
    public boolean notifies() {
        for (Rule rule : syscalls) {
            if (rule.action() == Action.NOTIFY && !rule.names().isEmpty()) return true;
        }
        return false;
    }

    /**
     * One {@code linux.seccomp.syscalls} entry.
     *
     * @param errnoRet the errno of an ERRNO (or TRACE) action, null for EPERM
     * @param args     the conditions, all of which must hold
     */
    public record Rule(List<String> names, Action action, Long errnoRet, List<Arg> args) {
    }

    /**
     * A condition on argument {@code index} (0 to 5). For {@link Operator#MASKED_EQ} the argument
     * ANDed with {@code value} must equal {@code valueTwo}; the others compare with {@code value}.
     * Both are unsigned 64-bit values, held in a long's bits.
     */
    public record Arg(int index, long value, long valueTwo, Operator op) {
    }

    /** The SCMP_ACT_* actions runc knows, with libseccomp's numbers (the low 16 bits take the errno). */
    public enum Action {
        KILL(0x0000_0000), KILL_PROCESS(0x8000_0000), KILL_THREAD(0x0000_0000), TRAP(0x0003_0000),
        ERRNO(0x0005_0000), TRACE(0x7ff0_0000), ALLOW(0x7fff_0000), LOG(0x7ffc_0000), NOTIFY(0x7fc0_0000);

        private final int bits;

        Action(int bits) {
            this.bits = bits;
        }

        /** The name in a profile: SCMP_ACT_ERRNO. */
        public String specName() {
            return "SCMP_ACT_" + name();
        }

        /** libseccomp's action word; ERRNO and TRACE carry {@code errnoRet} (EPERM when null), as runc gives them. */
        public int bits(Long errnoRet) {
            if (this != ERRNO && this != TRACE) return bits;
            return bits | (int) ((errnoRet == null ? 1 : errnoRet) & 0xFFFF);
        }

        public static Action bySpecName(String name) {
            for (Action action : values()) {
                if (action.specName().equals(name)) return action;
            }
            return null;
        }
    }

    /** The SCMP_CMP_* operators, in libseccomp's order: its number is the ordinal + 1. */
    public enum Operator {
        NE, LT, LE, EQ, GE, GT, MASKED_EQ;

        public String specName() {
            return "SCMP_CMP_" + name();
        }

        public int number() {
            return ordinal() + 1;
        }

        public static Operator bySpecName(String name) {
            for (Operator op : values()) {
                if (op.specName().equals(name)) return op;
            }
            return null;
        }
    }

    /** The architectures runc names (libcontainer/seccomp/config.go), with libseccomp's names for them. */
    public static final java.util.Map<String, String> ARCHITECTURES = knownArchitectures();

    /** The filter flags runc 1.3 knows, and the one it does not (WAIT_KILLABLE_RECV, libseccomp 2.6). */
    public static final List<String> FLAGS = List.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
            "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");

    private static java.util.Map<String, String> knownArchitectures() {
        java.util.Map<String, String> map = new java.util.LinkedHashMap<>();
        String[][] pairs = {
            {"SCMP_ARCH_X86", "x86"}, {"SCMP_ARCH_X86_64", "x86_64"}, {"SCMP_ARCH_X32", "x32"},
            {"SCMP_ARCH_ARM", "arm"}, {"SCMP_ARCH_AARCH64", "aarch64"}, {"SCMP_ARCH_MIPS", "mips"},
            {"SCMP_ARCH_MIPS64", "mips64"}, {"SCMP_ARCH_MIPS64N32", "mips64n32"}, {"SCMP_ARCH_MIPSEL", "mipsel"},
            {"SCMP_ARCH_MIPSEL64", "mipsel64"}, {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"}, {"SCMP_ARCH_PPC", "ppc"},
            {"SCMP_ARCH_PPC64", "ppc64"}, {"SCMP_ARCH_PPC64LE", "ppc64le"}, {"SCMP_ARCH_RISCV64", "riscv64"},
            {"SCMP_ARCH_S390", "s390"}, {"SCMP_ARCH_S390X", "s390x"},
        };
        for (String[] pair : pairs) map.put(pair[0], pair[1]);
        return java.util.Collections.unmodifiableMap(map);
    }
}
