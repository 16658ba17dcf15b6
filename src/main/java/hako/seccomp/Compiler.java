package hako.seccomp;

import hako.spec.SpecException;
import hako.spec.Seccomp;
import hako.sys.Errno;
import hako.sys.Libseccomp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles {@code linux.seccomp} into a BPF program with libseccomp, the way runc 1.3 does
 * (libcontainer/seccomp/seccomp_linux.go and patchbpf): the same actions, the same rules, the
 * same names passed over, and the same -ENOSYS stub in front. Errors name the profile's JSON path.
 */
public final class Compiler {
    private static final String AT = "linux.seccomp";
    private static final int EEXIST = 17;

    private Compiler() {}

    /** @param digest the profile's, as {@link ProfileCache} keys it */
    public static Program compile(Seccomp profile, String digest) {
        long flags = flags(profile);
        int defaultAction = profile.defaultAction().bits(profile.defaultErrnoRet());
        try (Libseccomp.Filter filter = new Libseccomp.Filter(defaultAction)) {
            for (int i = 0; i < profile.architectures().size(); i++) {
                int rc = filter.addArch(token(profile.architectures().get(i), AT + ".architectures[" + i + "]"));
                if (rc < 0 && rc != -EEXIST) {
                    throw SpecException.at(AT + ".architectures[" + i + "]", "adding the architecture: " + Errno.describe(-rc));
                }
            }
            int names = 0;
            for (Seccomp.Rule rule : profile.syscalls()) names += rule.names().size();
            // As runc: libseccomp's binary tree for long profiles (at most a few comparisons per
            // call instead of one per name); 2.5.4 gets it wrong for an empty one.
            if (names > 32) filter.setAttribute(Libseccomp.ATTR_CTL_OPTIMIZE, 2);
            if ((flags & Program.FLAG_WAIT_KILLABLE_RECV) != 0 && filter.setAttribute(Libseccomp.ATTR_CTL_WAITKILL, 1) < 0) {
                throw SpecException.at(AT + ".flags", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported by libseccomp "
                        + Libseccomp.version() + " (it needs 2.6)");
            }
            int[] counts = addRules(filter, profile, defaultAction);
            byte[] bpf = filter.exportBpf();
            byte[] stub = stub(profile);
            byte[] program = new byte[stub.length + bpf.length];
            System.arraycopy(stub, 0, program, 0, stub.length);
            System.arraycopy(bpf, 0, program, stub.length, bpf.length);
            if (program.length / 8 > 4096) {
                throw SpecException.at(AT, "the compiled filter has " + program.length / 8
                        + " instructions; the kernel takes at most 4096");
            }
            return new Program(program, flags, digest, counts[0], counts[1]);
        }
    }

    /** The rules, as runc's matchCall adds them; returns {rules added, names passed over}. */
    private static int[] addRules(Libseccomp.Filter filter, Seccomp profile, int defaultAction) {
        int added = 0, skipped = 0;
        for (int r = 0; r < profile.syscalls().size(); r++) {
            Seccomp.Rule rule = profile.syscalls().get(r);
            int action = rule.action().bits(rule.errnoRet());
            // What the default does anyway: libseccomp would refuse it (EPERM), runc skips it.
            if (action == defaultAction) continue;
            for (String name : rule.names()) {
                // A name this libseccomp does not know is a call this kernel cannot have: runc
                // passes over it (profiles list calls of newer kernels and other architectures).
                Integer number = Libseccomp.syscall(name);
                if (number == null) {
                    skipped++;
                    continue;
                }
                for (long[][] conditions : conditionSets(rule.args())) {
                    int rc = filter.addRule(action, number, conditions);
                    if (rc < 0) {
                        throw SpecException.at(AT + ".syscalls[" + r + "]", "adding the rule for " + name + ": " + Errno.describe(-rc));
                    }
                    added++;
                }
            }
        }
        return new int[] {added, skipped};
    }

    /**
     * The conditions of one rule, as libseccomp takes them. libseccomp refuses two on the same
     * argument in one rule; runc then adds one rule per condition (any of them matches), and so
     * does hako.
     */
    static List<long[][]> conditionSets(List<Seccomp.Arg> args) {
        long[][] all = new long[args.size()][];
        boolean[] seen = new boolean[6];
        boolean shared = false;
        for (int i = 0; i < args.size(); i++) {
            Seccomp.Arg arg = args.get(i);
            all[i] = new long[] {arg.index(), arg.op().number(), arg.value(), arg.valueTwo()};
            shared |= seen[arg.index()];
            seen[arg.index()] = true;
        }
        if (!shared) return List.<long[][]>of(all);
        List<long[][]> each = new java.util.ArrayList<>();
        for (long[] condition : all) each.add(new long[][] {condition});
        return each;
    }

    /**
     * runc's flags: none given at all is SPEC_ALLOW where it is supported; TSYNC is accepted and
     * ignored (init is single-threaded); a flag the kernel or libseccomp cannot do is refused.
     */
    static long flags(Seccomp profile) {
        int api = Libseccomp.apiLevel();
        long flags = 0;
        if (profile.flags() == null) {
            if (api >= 4) flags |= Program.FLAG_SPEC_ALLOW;
        } else {
            for (int i = 0; i < profile.flags().size(); i++) {
                String name = profile.flags().get(i);
                int need = switch (name) {
                    case "SECCOMP_FILTER_FLAG_LOG" -> 3;
                    case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> 4;
                    default -> 0;
                };
                if (api < need) {
                    throw SpecException.at(AT + ".flags[" + i + "]", name + " is not supported by this kernel and libseccomp "
                            + Libseccomp.version() + " (API level " + api + ", it needs " + need + ")");
                }
                flags |= switch (name) {
                    case "SECCOMP_FILTER_FLAG_LOG" -> Program.FLAG_LOG;
                    case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> Program.FLAG_SPEC_ALLOW;
                    case "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" -> Program.FLAG_WAIT_KILLABLE_RECV;
                    default -> 0; // TSYNC
                };
            }
        }
        if (profile.notifies()) {
            if (api < 6) {
                throw SpecException.at(AT, "SCMP_ACT_NOTIFY needs libseccomp 2.5 and Linux 5.7 (API level 6), this host has level " + api);
            }
            flags |= Program.FLAG_NEW_LISTENER;
        }
        return flags;
    }

    /**
     * The -ENOSYS stub, unless the default lets calls through anyway (ALLOW, LOG, and TRACE: a
     * tracer handles new calls itself) or already answers ENOSYS.
     */
    private static byte[] stub(Seccomp profile) {
        Seccomp.Action action = profile.defaultAction();
        if (action == Seccomp.Action.ALLOW || action == Seccomp.Action.LOG || action == Seccomp.Action.TRACE) return new byte[0];
        if (action == Seccomp.Action.ERRNO && Long.valueOf(38).equals(profile.defaultErrnoRet())) return new byte[0];
        return EnosysStub.generate(largest(profile));
    }

    /** For each audit architecture, the largest number the profile names on each of its libseccomp ones. */
    private static Map<Integer, Map<Integer, Integer>> largest(Seccomp profile) {
        java.util.Set<Integer> tokens = new java.util.LinkedHashSet<>();
        tokens.add(Libseccomp.nativeArch()); // always, as runc: Docker's profiles leave it out on some
        for (String arch : profile.architectures()) tokens.add(token(arch, AT + ".architectures"));
        Map<Integer, Map<Integer, Integer>> largest = new LinkedHashMap<>();
        for (int token : tokens) {
            int audit = token == EnosysStub.SCMP_ARCH_X32 ? EnosysStub.AUDIT_ARCH_X86_64 : token;
            int max = 0;
            for (Seccomp.Rule rule : profile.syscalls()) {
                for (String name : rule.names()) {
                    Integer number = Libseccomp.syscall(token, name);
                    if (number != null && number > max) max = number;
                }
            }
            Map<Integer, Integer> perArch = largest.computeIfAbsent(audit, a -> new LinkedHashMap<>());
            if (max > 0) perArch.put(token, max);
        }
        return largest;
    }

    private static int token(String specName, String at) {
        int token = Libseccomp.archToken(Seccomp.ARCHITECTURES.get(specName));
        if (token == 0) throw SpecException.at(at, "libseccomp " + Libseccomp.version() + " does not know " + specName);
        return token;
    }
}
