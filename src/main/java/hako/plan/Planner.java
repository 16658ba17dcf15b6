package hako.plan;

import hako.spec.SpecException;
import hako.security.IdMaps;
import hako.stage.Op;
import hako.sys.Caller;
import hako.rootfs.IdMappedMount;
import hako.rootfs.Rootfs;
import hako.security.Identity;
import hako.security.Lsm;
import hako.security.Passwd;
import hako.security.Sysctls;
import hako.spec.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Turns a validated spec into the {@link Plan} that builds its container. */
public final class Planner {
    /** Used to find the executable when the process's environment has no PATH (as Docker does). */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private Planner() {}

    /**
     * What a process exec'd into a container takes from the container besides its own process:
     * linux.personality, linux.memoryPolicy and linux.seccomp (runc applies them to every process
     * it starts), and the session keyring to join.
     *
     * @param sessionKeyring the keyring's name, null for none (--no-new-keyring)
     * @param seccomp        the container's profile, null for none
     */
    public record Shared(Spec.Personality personality, Spec.MemoryPolicy memoryPolicy, String sessionKeyring,
                         hako.spec.Seccomp seccomp) {
        public Shared(Spec.Personality personality, Spec.MemoryPolicy memoryPolicy, String sessionKeyring) {
            this(personality, memoryPolicy, sessionKeyring, null);
        }

        public static Shared of(Spec.Linux linux, String sessionKeyring) {
            return new Shared(linux.personality(), linux.memoryPolicy(), sessionKeyring, linux.seccomp());
        }
    }

    /** runc's name for a container's session keyring, which exec joins again. */
    public static String sessionKeyring(String id) {
        return "_ses." + id;
    }

    /**
     * What the caller asks for besides the spec.
     *
     * @param bundle         the bundle directory, absolute; relative paths in the spec resolve against it
     * @param waitForStart   {@code create}: init waits on the exec fifo for {@code start} before it execs
     * @param noPivot        runc's --no-pivot: the rootfs moved onto / and chrooted into, not pivot_root
     * @param sessionKeyring the container's session keyring ({@link #sessionKeyring}), null for none
     * @param caller         who runs hako (a rootless caller maps only its own ids)
     * @param filesToCome    bind-mount sources the runtime writes once the plan is made (the
     *                       network's /etc files): mounted as files, though they do not exist yet
     * @param lsm            the security modules that label the process and its mounts
     */
    public record Request(Path bundle, boolean waitForStart, boolean noPivot, String sessionKeyring, Caller caller,
                          java.util.Set<Path> filesToCome, Lsm lsm) {
        /** For this caller and this host's security modules. */
        public Request(Path bundle, boolean waitForStart, boolean noPivot, String sessionKeyring) {
            this(bundle, waitForStart, noPivot, sessionKeyring, Caller.current(), java.util.Set.of(), Lsm.host());
        }
    }

    public static Plan plan(Spec spec, Request request) {
        if (spec.linux().intelRdt()) {
            throw SpecException.at("linux.intelRdt", "Intel RDT (resctrl) is not supported by hako");
        }
        if (!spec.linux().netDevices().isEmpty() && !spec.linux().hasNamespace(hako.spec.NamespaceType.NETWORK)) {
            throw SpecException.at("linux.netDevices", "network devices can only be moved into a network namespace of the container's own");
        }
        Sysctls.check(spec.linux());
        List<String> warnings = new ArrayList<>();
        List<IdMappedMount> idMapped = new ArrayList<>();
        List<Op> rootfs = new ArrayList<>();
        rootfs.add(notDumpable());
        rootfs.addAll(Rootfs.plan(request.lsm().labelMounts(spec, warnings), request.bundle(), request.noPivot(), request.filesToCome(), warnings, idMapped,
                request.caller().inUserNamespace()));
        UserNamespace userns = UserNamespace.of(spec, request.caller());
        List<IdMaps> mountUserns = new ArrayList<>();
        List<Op.OpenTree> trees = new ArrayList<>();
        int joined = (int) spec.linux().namespaces().stream().filter(namespace -> namespace.path() != null).count();
        for (IdMappedMount mount : idMapped) {
            if (!mountUserns.contains(mount.maps())) mountUserns.add(mount.maps());
            trees.add(new Op.OpenTree(mount.source(), joined + mountUserns.indexOf(mount.maps()), mount.recursive(),
                    mount.recursiveIdmap()));
        }
        List<Op> clone = Namespaces.enter(spec, request.caller(), trees);
        if (!mountUserns.isEmpty()) {
            // The container's cgroup comes after the user namespaces' descriptors.
            Op.Clone last = (Op.Clone) clone.getLast();
            clone = new ArrayList<>(clone);
            clone.set(clone.size() - 1, new Op.Clone(last.flags(), last.cgroupFdIndex() + mountUserns.size()));
            clone = List.copyOf(clone);
        }
        rootfs = userns.becomeRoot(rootfs);
        Spec.Process process = spec.process();
        Op.Exec exec = new Op.Exec(candidates(process), process.args(),
                Passwd.withHome(process.env(), Rootfs.path(spec, request.bundle()).toString(), process.user().uid()));
        List<Op> start = request.waitForStart() ? List.of(new Op.WaitFifo(0), exec) : List.of(exec);
        return new Plan(List.copyOf(mountUserns), clone, userns.maps(), List.copyOf(rootfs),
                process(spec, Shared.of(spec.linux(), request.sessionKeyring()), userns.setgroups(), request.lsm()), start,
                List.copyOf(warnings));
    }

    /**
     * {@code exec}: a new process that joins the namespaces of a running container's init
     * rather than creating any, and (intoCgroup) is born in the container's cgroup.
     *
     * @param namespaces the proc names (net, pid, mnt…) of the namespaces to join, in order
     */
    public static Plan planExec(Spec.Process process, Shared shared, int initPid, List<String> namespaces, boolean intoCgroup) {
        return planExec(process, shared, initPid, namespaces, intoCgroup, Caller.current(), Lsm.host());
    }

    /** The same, for this caller and the security modules {@code lsm}. */
    public static Plan planExec(Spec.Process process, Shared shared, int initPid, List<String> namespaces, boolean intoCgroup,
                                Caller caller, Lsm lsm) {
        boolean inUserNamespace = namespaces.contains("user");
        if (inUserNamespace) {
            // Root joins the container's user namespace last but for its mounts (it can join any
            // namespace from the host's); a rootless caller can join nothing before it.
            namespaces = new ArrayList<>(namespaces);
            namespaces.remove("user");
            int mnt = namespaces.indexOf("mnt");
            namespaces.add(caller.rootless() ? 0 : mnt < 0 ? namespaces.size() : mnt, "user");
        }
        boolean setgroups = !(inUserNamespace && caller.rootless());
        if (!setgroups && !process.user().additionalGids().isEmpty()) {
            throw SpecException.at("process.user.additionalGids", "cannot set any additional groups in a rootless container");
        }
        List<Op> join = new ArrayList<>(join(initPid, namespaces));
        Spec.CpuAffinity affinity = process.execCpuAffinity();
        // runc's "initial" affinity is the runtime's before the process joins the cgroup: here,
        // the stage's, which init inherits at the clone.
        if (affinity != null && affinity.initial() != null) join.add(new Op.SetAffinity(affinity.initial()));
        join.add(new Op.Clone(0, intoCgroup && bornInCgroup(namespaces) ? namespaces.size() : Op.Clone.NO_CGROUP));
        List<Op> ops = new ArrayList<>();
        ops.add(notDumpable());
        // In the cgroup: the "final" affinity, or every CPU, so that the caller's pinning is not inherited (as runc).
        ops.add(new Op.SetAffinity(affinity == null ? null : affinity.last()));
        identity(process, shared, false, setgroups, lsm, ops);
        Op.Exec exec = new Op.Exec(candidates(process), process.args(),
                Passwd.withHome(process.env(), "/proc/" + initPid + "/root", process.user().uid()));
        return new Plan(List.of(), List.copyOf(join), null, List.of(), List.copyOf(ops), List.of(exec), List.of());
    }

    /**
     * The ops that join a running container's namespaces, in the order given (the mount
     * namespace last: it changes the root later paths resolve in): for exec, and for the hooks
     * that run in the container. Descriptor {@code i} of the batch is namespace {@code i}.
     */
    public static List<Op> join(int initPid, List<String> namespaces) {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < namespaces.size(); i++) {
            String name = namespaces.get(i);
            ops.add(new Op.SetNs(i, "/proc/" + initPid + "/ns/" + name, Namespaces.cloneFlag(name)));
        }
        return List.copyOf(ops);
    }

    /**
     * Whether a process that joins these namespaces can be born in the container's cgroup
     * (CLONE_INTO_CGROUP). Not once it is in the container's cgroup namespace: with nsdelegate
     * (systemd mounts cgroup2 so) the kernel refuses, with ENOENT, to put a process of a cgroup
     * outside that namespace into one inside it. The runtime, in the host's cgroup namespace,
     * then moves the new process itself, before its first batch: runc moves its exec'd init so.
     */
    public static boolean bornInCgroup(List<String> namespaces) {
        return !namespaces.contains("cgroup");
    }

    /**
     * As runc: init, and a process exec starts, are not dumpable until their execve (which makes
     * them dumpable again). Otherwise a process of the container with the same uid and no more
     * capabilities — one `exec` starts — could open /proc/INIT/fd/N while init waits for `start`,
     * and reach the exec fifo (and start the container) or any descriptor init holds.
     */
    static Op notDumpable() {
        return new Op.Prctl(PR_SET_DUMPABLE, "PR_SET_DUMPABLE", 0);
    }

    private static final int PR_SET_DUMPABLE = 4;

    private static List<Op> process(Spec spec, Shared shared, boolean setgroups, Lsm lsm) {
        List<Op> ops = new ArrayList<>();
        // The spec reader has made sure these come with a uts namespace.
        if (spec.hostname() != null) ops.add(new Op.SetHostname(spec.hostname()));
        if (spec.domainname() != null) ops.add(new Op.SetDomainname(spec.domainname()));
        identity(spec.process(), shared, Rootfs.makesDev(spec), setgroups, lsm, ops);
        return List.copyOf(ops);
    }

    /** Who the process is: its session and terminal, keyring, limits, capabilities, ids, scheduling and directory. */
    /** @param console bind the terminal onto /dev/console (init's, in a /dev that hako made) */
    /** @param setgroups whether setgroups(2) is allowed (not in a rootless container's user namespace) */
    private static void identity(Spec.Process process, Shared shared, boolean console, boolean setgroups, Lsm lsm, List<Op> ops) {
        // A session of its own: the container must not share the host's controlling terminal.
        ops.add(new Op.SetSid());
        if (process.terminal()) {
            Spec.ConsoleSize size = process.consoleSize();
            ops.add(size == null ? new Op.Pty(0, 0, console) : new Op.Pty((int) size.height(), (int) size.width(), console));
        }
        // Not the host's session keyring: one of the container's own (runc's default).
        if (shared.sessionKeyring() != null) {
            ops.addAll(lsm.keyringLabel(process));
            ops.add(new Op.JoinKeyring(shared.sessionKeyring()));
        }
        // Its AppArmor profile and SELinux label, which take hold at its execve.
        ops.addAll(lsm.execLabels(process));
        Op.Seccomp filter = shared.seccomp() == null ? null : new Op.Seccomp(hako.seccomp.ProfileCache.compile(shared.seccomp()));
        int finalize = ops.size();
        Identity.plan(process, setgroups, ops);
        // runc's order (standard_init_linux.go, setns_init_linux.go): without no_new_privs,
        // loading a filter needs CAP_SYS_ADMIN, so it comes before the capabilities are dropped
        // and the user switched (its finalizeNamespace) — those calls then run under the filter.
        // With no_new_privs it is loaded as late as it can be, after the executable is found and
        // just before the wait for start and execve, so that the profile need allow as few of
        // the runtime's own calls as possible.
        if (filter != null && !process.noNewPrivileges()) ops.add(finalizeIndex(ops, finalize), filter);
        // runc's order, after the switch of user: a real-time policy needs CAP_SYS_NICE then too.
        Spec.Scheduler scheduler = process.scheduler();
        if (scheduler != null) {
            ops.add(new Op.SetScheduler(scheduler.policy(), scheduler.flags(), scheduler.nice(), scheduler.priority(),
                    scheduler.runtime(), scheduler.deadline(), scheduler.period()));
        }
        if (process.ioPriority() != null) ops.add(new Op.SetIoPriority(process.ioPriority().ioClass(), process.ioPriority().priority()));
        if (shared.personality() != null) ops.add(new Op.SetPersonality(shared.personality().persona()));
        Spec.MemoryPolicy policy = shared.memoryPolicy();
        if (policy != null) ops.add(new Op.SetMempolicy(policy.mode() | policy.flags(), policy.nodes()));
        // After the switch of user, so that the working directory is checked with the user's rights.
        ops.add(new Op.Chdir(process.cwd()));
        ops.add(new Op.Which(candidates(process)));
        if (filter != null && process.noNewPrivileges()) ops.add(filter);
    }

    /** Where runc's finalizeNamespace begins among the identity's ops: the bounding set, else the groups. */
    private static int finalizeIndex(List<Op> ops, int from) {
        for (int i = from; i < ops.size(); i++) {
            if (ops.get(i) instanceof Op.Bounding || ops.get(i) instanceof Op.SetGroups) return i;
        }
        return ops.size();
    }

    /**
     * The paths to try for the executable, as execvp(3) would with the process's own PATH — the
     * lookup happens inside the container, after pivot_root.
     */
    static List<String> candidates(Spec.Process process) {
        String name = process.args().getFirst();
        if (name.contains("/")) return List.of(name);
        String path = DEFAULT_PATH;
        for (String variable : process.env()) {
            if (variable.startsWith("PATH=")) path = variable.substring(5);
        }
        List<String> candidates = new ArrayList<>();
        for (String dir : path.split(":", -1)) {
            candidates.add((dir.isEmpty() ? "." : dir) + "/" + name);
        }
        return List.copyOf(candidates);
    }
}
