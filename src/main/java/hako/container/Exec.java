package hako.container;

import hako.state.Status;
import hako.plan.Plan;
import hako.plan.Planner;
import hako.security.Lsm;
import hako.spec.Spec;
import hako.spec.SpecReader;
import hako.stage.StageChannel;
import hako.state.ContainerState;
import hako.sys.Children;
import hako.state.StateDir;
import hako.sys.Libc;

import java.nio.file.Path;

/**
 * {@code hako exec}: a new process in a running container. The stage joins the namespaces of the
 * container's init (passed as descriptors) and clones the process there; it then becomes who
 * {@code process} says, as init did. In the foreground hako waits for it and returns its exit
 * code; detached, it is left to our parent (a subreaper such as conmon).
 */
public final class Exec {
    private Exec() {}

    /** The container's own process, as recorded at create, for exec to start from. */
    public static java.util.Map<String, Object> containerProcess(StateDir states, String id) {
        return states.load(id).process();
    }

    /**
     * runc's exec flags that are not the process's.
     *
     * @param ignorePaused exec into a paused container (the process is frozen with it)
     * @param subCgroup    a sub-cgroup of the container's to start the process in, or null
     */
    public record Options(boolean detach, boolean ignorePaused, String subCgroup) {
    }

    public static int exec(StateDir states, String id, Spec.Process process, Handover handover, Options options) {
        return exec(ContainerCalls.kernel(), states, id, process, handover, options);
    }

    /** @param calls the machine (a fake in the tests) */
    static int exec(ContainerCalls calls, StateDir states, String id, Spec.Process process, Handover handover, Options options) {
        ContainerState state = states.load(id);
        Status status = ContainerStatus.of(calls, states, state);
        status.checkExec(options.ignorePaused());
        boolean detach = options.detach();
        if (process.terminal() && handover.consoleSocket() == null && detach) {
            throw new ContainerException("process.terminal is true: give --console-socket to receive the terminal");
        }
        // runc's rule: the container's AppArmor profile and SELinux label, unless the process names its own.
        process = Lsm.inherit(process, state.process());
        if (options.subCgroup() != null && state.cgroup() == null) {
            throw new ContainerException("--cgroup: the container has no cgroup v2 of its own");
        }
        Path cgroup = state.cgroup() == null ? null : cgroup(state, options.subCgroup());
        // Born in a frozen cgroup, the process could not even be set up: in a paused container
        // it joins the cgroup just before its exec, which then waits for the thaw.
        Path late = status == Status.PAUSED ? cgroup : null;
        Spec.Linux linux = SpecReader.linux(state.execLinux(), "state.json");
        Plan plan = Planner.planExec(process, Planner.Shared.of(linux, state.sessionKeyring()), state.pid(),
                state.namespaces(), cgroup != null && late == null);
        boolean bornInCgroup = cgroup != null && late == null && Planner.bornInCgroup(state.namespaces());
        int[] namespaces = new NamespaceFiles(calls).open(plan.namespaces());
        if (bornInCgroup) {
            namespaces = java.util.Arrays.copyOf(namespaces, namespaces.length + 1);
            namespaces[namespaces.length - 1] = calls.openCgroup(cgroup);
        }
        try (StageChannel stage = calls.launchStage(handover.preserveFds())) {
            int pid;
            try {
                // The namespaces are held open now: init must still be the process they were read from.
                if (!calls.alive(state.pid(), state.pidStartTime())) {
                    throw new ContainerException("the container's process ended");
                }
                pid = stage.cloneInit(plan.namespaces(), namespaces);
            } finally {
                new NamespaceFiles(calls).close(namespaces);
            }
            // In the container's cgroup namespace it could not be born in its cgroup: moved now,
            // before it runs its first batch.
            if (cgroup != null && late == null && !bornInCgroup) adopt(calls, cgroup, pid);
            return finish(calls, stage, plan, process, pid, handover, detach, late, linux.seccomp(), state);
        }
    }

    /** Moves the new process into the cgroup; on a failure it is killed (it ran nothing yet). */
    private static void adopt(ContainerCalls calls, Path cgroup, int pid) {
        try {
            calls.adoptIntoCgroup(cgroup, pid);
        } catch (RuntimeException e) {
            calls.kill(pid, Libc.SIGKILL);
            calls.waitpid(pid, "waiting for the process to end");
            throw e;
        }
    }

    /** The container's cgroup, or the sub-cgroup of it that --cgroup names (it must exist, as in runc). */
    private static Path cgroup(ContainerState state, String sub) {
        Path path = Path.of(state.cgroup());
        if (sub == null) return path;
        Path inside = path.resolve(sub.replaceFirst("^/+", "")).normalize();
        if (!inside.startsWith(path) || !java.nio.file.Files.isDirectory(inside)) {
            throw new ContainerException("--cgroup " + sub + ": no such sub-cgroup of the container's (" + inside + ")");
        }
        return inside;
    }

    private static int finish(ContainerCalls calls, StageChannel stage, Plan plan, Spec.Process process, int pid, Handover handover,
                              boolean detach, Path late, hako.spec.Seccomp seccomp, ContainerState state) {
        boolean reaped = false;
        TerminalRelay relay = null;
        try {
            // The agent sees the container running, as runc shows it for an exec'd process.
            int[] replied = new SeccompAgent(calls).run(stage, plan.process(), seccomp, pid, () -> state.ociState(Status.RUNNING));
            int terminal = process.terminal() ? replied[0] : -1;
            if (handover.pidFile() != null) calls.writePidFile(handover.pidFile(), pid);
            new Terminals(calls).sendPidfd(handover.pidfdSocket(), pid);
            if (terminal >= 0 && handover.consoleSocket() != null) {
                new Terminals(calls).sendToConsoleSocket(handover.consoleSocket(), terminal);
            }
            if (late != null) calls.adoptIntoCgroup(late, pid);
            if (detach && late != null) {
                stage.sendLast(plan.start()); // its exec waits for the thaw: nothing to wait for here
                reaped = true;
                return 0;
            }
            if (detach) {
                stage.exec(plan.start());
                reaped = true; // not ours to wait for: our parent inherits it
                return 0;
            }
            try (Children.Forwarding forwarder = hako.Invocation.current().children().forwardSignals(pid)) {
                if (terminal >= 0 && handover.consoleSocket() == null) relay = TerminalRelay.start(terminal);
                stage.exec(plan.start());
                int status = calls.waitpid(pid, "waiting for the process");
                reaped = true;
                return Libc.exitCode(status);
            }
        } catch (RuntimeException e) {
            throw Builder.explain(e, process);
        } finally {
            if (relay != null) relay.close();
            if (!reaped) {
                calls.kill(pid, Libc.SIGKILL);
                calls.waitpid(pid, "waiting for the process to end");
            }
        }
    }
}
