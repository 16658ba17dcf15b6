package hako.stage;

import java.util.List;

/**
 * One kernel operation the stage performs, exactly as the runtime decided it. The stage protocol
 * (docs/stage-protocol.md) has one op code for each of these records.
 *
 * <p>{@link #render()} shows the operation as the system call it becomes, for {@code hako plan};
 * {@link #doing()} names it in an error: "mounting proc on /proc: operation not permitted".
 */
public sealed interface Op {
    /** ENOENT counts as success (a masked path the image does not have). */
    int IGNORE_MISSING = 1;
    /** EEXIST counts as success (a device node that is already there). */
    int IGNORE_EXISTING = 2;
    /** MOUNT: the target is the mount that holds the path, found by walking up to a mount point. */
    int NEAREST_MOUNT = 4;
    /** MOUNT: what the target directory held is copied into the new filesystem (tmpcopyup). */
    int COPY_UP = 8;
    /** ENOSYS counts as success (a kernel, or a parent's seccomp filter, without the call). */
    int IGNORE_UNSUPPORTED = 16;

    String render();

    String doing();

    /** The op's flags on the wire: {@link #IGNORE_MISSING}, {@link #IGNORE_EXISTING}, … */
    default int opFlags() {
        return 0;
    }

    private static String q(String s) {
        return s == null ? "NULL" : '"' + s + '"';
    }

    private static String notes(int opFlags) {
        List<String> notes = new java.util.ArrayList<>();
        if ((opFlags & IGNORE_MISSING) != 0) notes.add("skipped if missing");
        if ((opFlags & IGNORE_EXISTING) != 0) notes.add("kept if it exists");
        if ((opFlags & NEAREST_MOUNT) != 0) notes.add("on the mount that holds it");
        if ((opFlags & COPY_UP) != 0) notes.add("what it covers copied in");
        if ((opFlags & IGNORE_UNSUPPORTED) != 0) notes.add("skipped where the kernel has no such call");
        return notes.isEmpty() ? "" : "  (" + String.join(", ", notes) + ")";
    }

    /**
     * clone3 into new namespaces; the child becomes the container's init. With a
     * {@code cgroupFdIndex}, that descriptor of the batch is the container's cgroup and init is
     * born in it (CLONE_INTO_CGROUP): no moment outside its limits.
     */
    record Clone(long flags, int cgroupFdIndex) implements Op {
        public static final int NO_CGROUP = -1;

        public String render() {
            boolean cgroup = cgroupFdIndex != NO_CGROUP;
            return "clone3(" + Flags.clone(flags | Flags.CLONE_PARENT) + (cgroup ? "|CLONE_INTO_CGROUP" : "")
                    + ")  → init" + (cgroup ? ", born in the container's cgroup" : "");
        }

        public String doing() {
            return "creating the container's process in new namespaces";
        }
    }

    /**
     * setns into an existing namespace: the runtime opens {@code path} and passes the descriptor
     * as {@code fdIndex} of the stage's batch.
     */
    record SetNs(int fdIndex, String path, long nstype) implements Op {
        public String render() {
            return "setns(open(" + q(path) + "), " + Flags.clone(nstype) + ")";
        }

        public String doing() {
            return "joining the namespace " + path;
        }
    }

    record Mount(String source, String target, String fstype, long flags, String data, int opFlags) implements Op {
        public Mount(String source, String target, String fstype, long flags, String data) {
            this(source, target, fstype, flags, data, 0);
        }

        public String render() {
            return "mount(" + q(source) + ", " + q(target) + ", " + q(fstype) + ", " + Flags.mount(flags) + ", "
                    + q(data) + ")" + notes(opFlags);
        }

        public String doing() {
            if ((flags & Flags.MS_REMOUNT) != 0) return "remounting " + target;
            if ((flags & Flags.MS_BIND) != 0) return "bind-mounting " + source + " on " + target;
            if ((flags & Flags.PROPAGATION) != 0 && fstype == null)
                return "setting mount propagation of " + target + " to " + Flags.mount(flags);
            return "mounting " + (source != null ? source : fstype) + " on " + target;
        }
    }

    /**
     * mount_setattr(2) with AT_RECURSIVE: the attributes of a mount and of every mount below it
     * (the recursive options rro, rnosuid, rnoatime…, which mount(2) cannot give a tree).
     */
    record MountSetattr(String target, long set, long clear) implements Op {
        public String render() {
            return "mount_setattr(" + q(target) + ", AT_RECURSIVE, set " + Flags.mountAttributes(set)
                    + ", clear " + Flags.mountAttributes(clear) + ")";
        }

        public String doing() {
            return "setting the attributes of the mounts under " + target;
        }
    }

    /**
     * The stage itself, before it joins or makes any namespace (while it is still root on the
     * host, which the kernel requires of whoever id-maps a mount of a host filesystem): a detached
     * copy of {@code source} (open_tree OPEN_TREE_CLONE, the whole tree with {@code recursive}),
     * id-mapped with the user namespace passed as descriptor {@code usernsFdIndex}
     * (mount_setattr MOUNT_ATTR_IDMAP, on every mount of the copy with {@code recursiveIdmap}).
     * Init inherits it and attaches it with {@link MoveMount}; trees are numbered from 0 in order.
     */
    record OpenTree(String source, int usernsFdIndex, boolean recursive, boolean recursiveIdmap) implements Op {
        public String render() {
            return "tree = open_tree(" + q(source) + ", OPEN_TREE_CLONE" + (recursive ? "|AT_RECURSIVE" : "")
                    + "); mount_setattr(tree, " + (recursiveIdmap ? "AT_RECURSIVE, " : "")
                    + "MOUNT_ATTR_IDMAP, userns passed as descriptor " + usernsFdIndex + ")";
        }

        public String doing() {
            return "id-mapping a mount of " + source;
        }
    }

    /** Attaches tree {@code tree} of the stage's {@link OpenTree}s on {@code target} (move_mount). */
    record MoveMount(int tree, String target) implements Op {
        public String render() {
            return "move_mount(tree " + tree + ", " + q(target) + ")";
        }

        public String doing() {
            return "attaching the id-mapped mount on " + target;
        }
    }

    /**
     * Brings a network interface up from inside the container (SIOCSIFFLAGS IFF_UP): the loopback
     * of a rootless container's own network namespace, which the runtime, outside its user
     * namespace, may not enter.
     */
    record LinkUp(String name) implements Op {
        public String render() {
            return "ioctl(SIOCSIFFLAGS, " + q(name) + ", +IFF_UP)";
        }

        public String doing() {
            return "bringing up the network interface " + name;
        }
    }

    /** From here on, targets are resolved inside {@code path}, symlinks included. */
    record SetRoot(String path) implements Op {
        public String render() {
            return "root = open(" + q(path) + ", O_PATH|O_DIRECTORY)  (later paths resolve inside it)";
        }

        public String doing() {
            return "opening the root filesystem " + path;
        }
    }

    record Mkdir(String target, int mode) implements Op {
        public String render() {
            return "mkdir -p " + q(target) + " mode " + Integer.toOctalString(mode);
        }

        public String doing() {
            return "creating directory " + target;
        }
    }

    record Mkfile(String target, int mode) implements Op {
        public String render() {
            return "create " + q(target) + " mode " + Integer.toOctalString(mode) + " (if missing)";
        }

        public String doing() {
            return "creating file " + target;
        }
    }

    record Mknod(String target, int mode, long dev, int opFlags) implements Op {
        public String render() {
            return "mknod(" + q(target) + ", " + Flags.fileType(mode) + "|0" + Integer.toOctalString(mode & 07777)
                    + ", makedev(" + Flags.major(dev) + ", " + Flags.minor(dev) + "))" + notes(opFlags);
        }

        public String doing() {
            return "creating device " + target;
        }
    }

    record Symlink(String linkTarget, String target, int opFlags) implements Op {
        public String render() {
            return "symlink(" + q(linkTarget) + ", " + q(target) + ")" + notes(opFlags);
        }

        public String doing() {
            return "creating symlink " + target + " -> " + linkTarget;
        }
    }

    /** Hides a path: an empty read-only tmpfs over a directory, /dev/null over anything else. */
    record Mask(String target) implements Op {
        public int opFlags() {
            return IGNORE_MISSING;
        }

        public String render() {
            return "mask " + q(target) + "  (tmpfs,ro if a directory, else bind /dev/null, checked to be char 1:3)" + notes(IGNORE_MISSING);
        }

        public String doing() {
            return "masking " + target;
        }
    }

    record Chown(String target, long uid, long gid) implements Op {
        public String render() {
            return "lchown(" + q(target) + ", " + uid + ", " + gid + ")";
        }

        public String doing() {
            return "changing the owner of " + target;
        }
    }

    /** pivot_root into the rootfs, then detach the old root so nothing of the host stays visible. */
    record PivotRoot(String path) implements Op {
        public String render() {
            return "pivot_root(" + q(path) + "), umount2(old root, MNT_DETACH), chdir(\"/\")";
        }

        public String doing() {
            return "pivoting into the root filesystem " + path;
        }
    }

    /** runc's --no-pivot: chroot into the rootfs, for roots pivot_root refuses (a ramdisk). */
    /** Without a mount namespace of the container's own, where nothing may be moved or unmounted. */
    record Chroot(String path) implements Op {
        public String render() {
            return "chdir(" + q(path) + "), chroot(\".\")  (in the runtime's mount namespace)";
        }

        public String doing() {
            return "changing root to " + path;
        }
    }

    /**
     * runc's --no-pivot: the host's full proc and sysfs mounts detached (a chroot leaves them
     * reachable, and the kernel lets a new procfs be mounted while one is), then the rootfs
     * moved onto "/" (MS_MOVE) and chroot(".") into it, so that a process joining the mount
     * namespace later (exec) lands in the rootfs too.
     */
    record MoveRoot(String path, List<String> hide) implements Op {
        public String render() {
            return (hide.isEmpty() ? "" : "umount2(" + String.join(", ", hide) + ", MNT_DETACH); ")
                    + "mount(" + q(path) + ", \"/\", MS_MOVE), chroot(\".\")  (--no-pivot)";
        }

        public String doing() {
            return "moving the root filesystem " + path + " onto /";
        }
    }

    record Chdir(String path) implements Op {
        public String render() {
            return "chdir(" + q(path) + ")";
        }

        public String doing() {
            return "changing to the working directory " + path;
        }
    }

    record SetHostname(String name) implements Op {
        public String render() {
            return "sethostname(" + q(name) + ")";
        }

        public String doing() {
            return "setting the hostname to " + q(name);
        }
    }

    record SetDomainname(String name) implements Op {
        public String render() {
            return "setdomainname(" + q(name) + ")";
        }

        public String doing() {
            return "setting the domain name to " + q(name);
        }
    }

    record WriteFile(String target, String data) implements Op {
        public String render() {
            return "write " + q(data) + " to " + q(target);
        }

        public String doing() {
            return "writing " + target;
        }
    }

    /**
     * A file of /proc ({@code file} is relative to it: {@code sys/net/ipv4/ip_forward},
     * {@code self/oom_score_adj}), written only if it is procfs's own: nothing mounted over it or
     * over /proc (CVE-2025-52881).
     */
    record WriteProc(String file, String data) implements Op {
        public WriteProc {
            if (file.startsWith("/")) throw new IllegalArgumentException("relative to /proc: " + file);
        }

        public String render() {
            return "write " + q(data) + " to " + q("/proc/" + file) + "  (checked to be procfs's own file)";
        }

        public String doing() {
            return "writing /proc/" + file;
        }
    }

    record SetRlimit(int resource, String name, long soft, long hard) implements Op {
        public String render() {
            return "setrlimit(" + name + ", soft " + Flags.limit(soft) + ", hard " + Flags.limit(hard) + ")";
        }

        public String doing() {
            return "setting " + name;
        }
    }

    record Prctl(int option, String name, long arg) implements Op {
        public String render() {
            return "prctl(" + name + ", " + arg + ")";
        }

        public String doing() {
            return "setting " + name;
        }
    }

    record SetGroups(List<Long> gids) implements Op {
        public String render() {
            return "setgroups(" + gids + ")";
        }

        public String doing() {
            return "setting the additional groups " + gids;
        }
    }

    record SetResgid(long gid) implements Op {
        public String render() {
            return "setresgid(" + gid + ", " + gid + ", " + gid + ")";
        }

        public String doing() {
            return "switching to group " + gid;
        }
    }

    record SetResuid(long uid) implements Op {
        public String render() {
            return "setresuid(" + uid + ", " + uid + ", " + uid + ")";
        }

        public String doing() {
            return "switching to user " + uid;
        }
    }

    record Umask(int mask) implements Op {
        public String render() {
            return "umask(0" + Integer.toOctalString(mask) + ")";
        }

        public String doing() {
            return "setting the umask";
        }
    }

    record SetSid() implements Op {
        public String render() {
            return "setsid()  (a new session, without the host's controlling terminal)";
        }

        public String doing() {
            return "starting a new session";
        }
    }

    /** Drops from the bounding set every capability not in {@code keep}. */
    record Bounding(long keep) implements Op {
        public String render() {
            return "prctl(PR_CAPBSET_DROP, each capability not in " + Flags.caps(keep) + ")";
        }

        public String doing() {
            return "dropping capabilities from the bounding set";
        }
    }

    record Caps(long effective, long permitted, long inheritable, long ambient) implements Op {
        public String render() {
            return "capset(effective " + Flags.caps(effective) + ", permitted " + Flags.caps(permitted)
                    + ", inheritable " + Flags.caps(inheritable) + "), ambient " + Flags.caps(ambient);
        }

        public String doing() {
            return "setting capabilities";
        }
    }

    /**
     * keyctl(KEYCTL_JOIN_SESSION_KEYRING): a session keyring of the container's own, not the
     * host's; joined again by name by every exec, and searchable by its owner (as runc makes it).
     */
    record JoinKeyring(String name) implements Op {
        public String render() {
            return "keyctl(KEYCTL_JOIN_SESSION_KEYRING, " + q(name) + "), then KEYCTL_SETPERM +search for its owner"
                    + notes(opFlags());
        }

        /** As runc: a kernel without keyrings (or a parent container's filter refusing keyctl) is passed over. */
        @Override
        public int opFlags() {
            return IGNORE_UNSUPPORTED;
        }

        public String doing() {
            return "joining the session keyring " + name;
        }
    }

    /** sched_setattr(2), process.scheduler. */
    record SetScheduler(int policy, long flags, int nice, int priority, long runtime, long deadline, long period)
            implements Op {
        public String render() {
            return "sched_setattr(policy " + policy + ", flags 0x" + Long.toHexString(flags) + ", nice " + nice
                    + ", priority " + priority + ", runtime " + runtime + ", deadline " + deadline + ", period " + period + ")";
        }

        public String doing() {
            return "setting the scheduler (process.scheduler)";
        }
    }

    /** ioprio_set(IOPRIO_WHO_PROCESS, 0, class << 13 | level), process.ioPriority. */
    record SetIoPriority(int ioClass, int level) implements Op {
        public String render() {
            return "ioprio_set(IOPRIO_WHO_PROCESS, 0, class " + ioClass + " level " + level + ")";
        }

        public String doing() {
            return "setting the I/O priority (process.ioPriority)";
        }
    }

    /** sched_setaffinity(2); null cpus means every CPU (an exec'd process does not keep the runtime's). */
    record SetAffinity(java.util.BitSet cpus) implements Op {
        public String render() {
            return "sched_setaffinity(" + (cpus == null ? "every CPU" : "CPUs " + hako.spec.CpuList.format(cpus)) + ")";
        }

        public String doing() {
            return "setting the CPU affinity (process.execCPUAffinity)";
        }
    }

    /** personality(2), linux.personality. */
    record SetPersonality(int persona) implements Op {
        public String render() {
            return "personality(" + (persona == 8 ? "PER_LINUX32" : persona == 0 ? "PER_LINUX" : "0x" + Integer.toHexString(persona)) + ")";
        }

        public String doing() {
            return "setting the personality (linux.personality)";
        }
    }

    /** set_mempolicy(2), linux.memoryPolicy: mode with its MPOL_F_* flags, and the nodes. */
    record SetMempolicy(int mode, java.util.BitSet nodes) implements Op {
        public String render() {
            return "set_mempolicy(mode 0x" + Integer.toHexString(mode) + ", nodes " + (nodes.isEmpty() ? "none" : hako.spec.CpuList.format(nodes)) + ")";
        }

        public String doing() {
            return "setting the memory policy (linux.memoryPolicy)";
        }
    }

    /**
     * A Linux security module's label for the process: its AppArmor profile or SELinux context
     * from its next execve on (attr/…/exec), or the SELinux context of the keys it creates
     * (attr/keycreate). {@code value} is written to the first of {@code attributes} (paths under
     * /proc/thread-self) that exists, through a procfs of the stage's own that the container's
     * mounts cannot stand over (docs/security.md).
     *
     * @param what the label and what it is for, for people: {@code AppArmor profile "p"}
     */
    record SetLabel(String what, List<String> attributes, String value) implements Op {
        public String render() {
            return "write " + q(value) + " to /proc/thread-self/" + String.join(" (else ", attributes)
                    + ")".repeat(attributes.size() - 1) + " of a private procfs  (" + what + ")";
        }

        public String doing() {
            return "applying " + what;
        }
    }

    /**
     * The stage itself: unshare(CLONE_NEWTIME), then the offsets written to
     * /proc/self/timens_offsets, which only works before any process is in the new namespace: the
     * clone that follows puts init there (linux.timeOffsets).
     */
    record TimeOffsets(String offsets) implements Op {
        public String render() {
            return "unshare(CLONE_NEWTIME); write(\"/proc/self/timens_offsets\", " + q(offsets.replace("\n", "\\n")) + ")";
        }

        public String doing() {
            return "setting the clock offsets of the time namespace (linux.timeOffsets)";
        }
    }

    /** Blocks until {@code hako start} opens the exec fifo, passed as descriptor {@code fdIndex}. */
    record WaitFifo(int fdIndex) implements Op {
        public String render() {
            return "open(exec.fifo, O_WRONLY)  (blocks until `hako start`), write 1 byte";
        }

        public String doing() {
            return "waiting for start on the exec fifo";
        }
    }

    /** Puts descriptor {@code fdIndex} of the batch at {@code target} (a hook's stdin). */
    record Dup2(int fdIndex, int target) implements Op {
        public String render() {
            return "dup2(passed descriptor " + fdIndex + ", " + target + ")";
        }

        public String doing() {
            return "setting descriptor " + target;
        }
    }

    /** A terminal from the container's devpts as stdio; its master goes back to the runtime. */
    /** @param console the peer also bound onto /dev/console (the container's own terminal, as runc gives it) */
    record Pty(int rows, int cols, boolean console) implements Op {
        public String render() {
            return "open(\"/dev/ptmx\"), ioctl(TIOCGPTPEER) → controlling terminal and stdio"
                    + (console ? ", bound onto /dev/console" : "")
                    + (rows > 0 ? ", window " + cols + "x" + rows : "") + "; master → runtime";
        }

        public String doing() {
            return "setting up the container's terminal";
        }
    }

    /** Checks that one of the candidates can be executed, before the wait for start. */
    record Which(List<String> candidates) implements Op {
        public String render() {
            return "find the executable: first of " + candidates;
        }

        public String doing() {
            return "looking for " + candidates.getFirst();
        }
    }

    /**
     * seccomp(SECCOMP_SET_MODE_FILTER): the compiled linux.seccomp loaded into the process. With
     * NEW_LISTENER the listener comes back with the reply, for the runtime to hand to the agent.
     */
    record Seccomp(hako.seccomp.Program program) implements Op {
        public String render() {
            return "seccomp(SECCOMP_SET_MODE_FILTER, " + hako.seccomp.Program.flagNames(program.flags()) + ", "
                    + program.instructions() + " instructions)  (profile " + program.digest()
                    + ", " + program.rules() + " rules" + (program.skipped() > 0 ? ", " + program.skipped()
                    + " names unknown here skipped" : "")
                    + ((program.flags() & hako.seccomp.Program.FLAG_NEW_LISTENER) != 0 ? "; listener → runtime → agent" : "") + ")";
        }

        public String doing() {
            return "loading the seccomp filter";
        }
    }

    /** execve the first candidate path that exists; argv[0] is the name the user gave. */
    record Exec(List<String> candidates, List<String> argv, List<String> env) implements Op {
        public String render() {
            String path = candidates.size() == 1 ? q(candidates.getFirst())
                    : "first of " + candidates.size() + " $PATH candidates " + q(candidates.getFirst()) + "…";
            return "execve(" + path + ", " + argv + ", " + env.size() + " environment variables)";
        }

        public String doing() {
            return "starting " + argv.getFirst();
        }
    }
}
