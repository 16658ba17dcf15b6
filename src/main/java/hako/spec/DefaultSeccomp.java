package hako.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code linux.seccomp} that {@code hako spec} writes: what Docker's and podman's default
 * profiles refuse a container without CAP_SYS_ADMIN, written the other way round so that it stays
 * readable — everything is allowed but the calls listed, which fail with EPERM as in Docker. Those
 * are the calls that reach past the container: kernel modules and kexec, the clock, keyrings, BPF
 * and perf, mounts, new namespaces (unshare, and clone with a CLONE_NEW* flag), swap, reboot.
 * (runc's own example spec has no profile; Docker's allowlist of some 350 calls is for Docker to
 * keep.) A call newer than the list is allowed, as runc's stub only matters for a denying default.
 */
final class DefaultSeccomp {
    /** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET: any of them refuses a clone. */
    private static final long[] CLONE_NEW = {0x0002_0000L, 0x0200_0000L, 0x0400_0000L, 0x0800_0000L,
        0x1000_0000L, 0x2000_0000L, 0x4000_0000L};

    private DefaultSeccomp() {}

    static Map<String, Object> profile() {
        Map<String, Object> seccomp = new LinkedHashMap<>();
        seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
        seccomp.put("architectures", new ArrayList<Object>(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM")));
        List<Object> syscalls = new ArrayList<>();
        syscalls.add(refuse("kernel modules and kexec", "create_module", "delete_module", "finit_module",
                "get_kernel_syms", "init_module", "query_module", "kexec_file_load", "kexec_load"));
        syscalls.add(refuse("the host's clock", "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime",
                "clock_settime64", "settimeofday", "stime"));
        syscalls.add(refuse("the kernel's keyrings, tracing and BPF", "add_key", "keyctl", "request_key", "bpf",
                "perf_event_open", "fanotify_init", "lookup_dcookie", "userfaultfd"));
        syscalls.add(refuse("mounts and the root", "mount", "umount", "umount2", "pivot_root", "fsconfig", "fsmount",
                "fsopen", "fspick", "move_mount", "open_tree", "mount_setattr"));
        syscalls.add(refuse("namespaces", "unshare", "setns"));
        syscalls.add(refuse("the machine", "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog",
                "vhangup", "nfsservctl", "ioperm", "iopl", "open_by_handle_at", "name_to_handle_at", "uselib",
                "ustat", "sysfs", "_sysctl", "vm86", "vm86old"));
        // One condition per flag on the same argument: runc (and hako) add a rule for each, so any one refuses.
        Map<String, Object> clone = refuse("clone into new namespaces", "clone");
        List<Object> args = new ArrayList<>();
        for (long flag : CLONE_NEW) args.add(arg(flag));
        clone.put("args", args);
        syscalls.add(clone);
        // clone3's flags are behind a pointer, out of a filter's reach: ENOSYS makes the C library use clone.
        Map<String, Object> clone3 = refuse("clone3, whose flags a filter cannot see", "clone3");
        clone3.put("errnoRet", 38L);
        syscalls.add(clone3);
        seccomp.put("syscalls", syscalls);
        return seccomp;
    }

    /** @param why for the reader of this file only: the spec has no place for comments */
    private static Map<String, Object> refuse(String why, String... names) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("names", new ArrayList<Object>(List.of(names)));
        rule.put("action", "SCMP_ACT_ERRNO");
        rule.put("errnoRet", 1L);
        return rule;
    }

    private static Map<String, Object> arg(long flag) {
        Map<String, Object> arg = new LinkedHashMap<>();
        arg.put("index", 0L);
        arg.put("value", flag);
        arg.put("valueTwo", flag);
        arg.put("op", "SCMP_CMP_MASKED_EQ");
        return arg;
    }
}
