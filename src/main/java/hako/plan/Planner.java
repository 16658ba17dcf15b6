package hako.plan;

import hako.rootfs.Rootfs;
import hako.security.Identity;
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
     * @param bundle        the bundle directory, absolute; relative paths in the spec resolve against it
     * @param waitForStart  {@code create}: init waits on the exec fifo for {@code start} before it execs
     */
    public static Plan plan(Spec spec, Path bundle, boolean waitForStart) {
        List<Op> clone = Namespaces.enter(spec);
        List<Op> rootfs = Rootfs.plan(spec, bundle);
        Spec.Process process = spec.process();
        Op.Exec exec = new Op.Exec(candidates(process), process.args(), process.env());
        List<Op> start = waitForStart ? List.of(new Op.WaitFifo(0), exec) : List.of(exec);
        return new Plan(clone, rootfs, process(spec), start);
    }

    /**
     * {@code exec}: a new process that joins the namespaces of a running container's init
     * rather than creating any, and (intoCgroup) is born in the container's cgroup.
     *
     * @param namespaces the proc names (net, pid, mnt…) of the namespaces to join, in order
     */
    public static Plan planExec(Spec.Process process, int initPid, List<String> namespaces, boolean intoCgroup) {
        List<Op> join = new ArrayList<>();
        for (int i = 0; i < namespaces.size(); i++) {
            String name = namespaces.get(i);
            join.add(new Op.SetNs(i, "/proc/" + initPid + "/ns/" + name, Namespaces.cloneFlag(name)));
        }
        join.add(new Op.Clone(0, intoCgroup ? namespaces.size() : Op.Clone.NO_CGROUP));
        List<Op> ops = new ArrayList<>();
        identity(process, ops);
        Op.Exec exec = new Op.Exec(candidates(process), process.args(), process.env());
        return new Plan(List.copyOf(join), List.of(), List.copyOf(ops), List.of(exec));
    }

    private static List<Op> process(Spec spec) {
        List<Op> ops = new ArrayList<>();
        // The spec reader has made sure these come with a uts namespace.
        if (spec.hostname() != null) ops.add(new Op.SetHostname(spec.hostname()));
        if (spec.domainname() != null) ops.add(new Op.SetDomainname(spec.domainname()));
        identity(spec.process(), ops);
        return List.copyOf(ops);
    }

    /** Who the process is: its session and terminal, limits, capabilities, ids and directory. */
    private static void identity(Spec.Process process, List<Op> ops) {
        // A session of its own: the container must not share the host's controlling terminal.
        ops.add(new Op.SetSid());
        if (process.terminal()) {
            Spec.ConsoleSize size = process.consoleSize();
            ops.add(size == null ? new Op.Pty(0, 0) : new Op.Pty((int) size.height(), (int) size.width()));
        }
        Identity.plan(process, ops);
        // After the switch of user, so that the working directory is checked with the user's rights.
        ops.add(new Op.Chdir(process.cwd()));
        ops.add(new Op.Which(candidates(process)));
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
