package hako.container;

import hako.state.Status;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.sys.Libc;

import java.nio.file.Path;
import java.util.List;

/** {@code hako kill}: signals a container's process, or with {@code --all} every process in it. */
public final class Kill {
    private Kill() {}

    public static void kill(StateDir states, String id, int signal, boolean all) {
        kill(ContainerCalls.kernel(), states, id, signal, all);
    }

    /**
     * As runc: a stopped container is "container not running" (the words containerd's shim and
     * podman look for), except with --all, which has nothing left to signal and succeeds —
     * containerd sends {@code kill --all ID 9} to every container it deletes.
     */
    static void kill(ContainerCalls calls, StateDir states, String id, int signal, boolean all) {
        ContainerState state = states.load(id);
        if (ContainerStatus.of(calls, states, state) == Status.STOPPED) {
            if (all) return;
            throw new ContainerException("container not running");
        }
        if (all && state.cgroup() != null) {
            calls.signalCgroup(Path.of(state.cgroup()), signal);
        } else if (all) {
            for (int pid : processes(calls, state)) signal(calls, pid, calls.startTime(pid), signal);
        } else if (!signal(calls, state.pid(), state.pidStartTime(), signal)) {
            throw new ContainerException("container not running");
        }
    }

    /** The container's processes: those in its cgroup, or else init and everything in its PID namespace. */
    static List<Integer> processes(ContainerCalls calls, ContainerState state) {
        if (state.cgroup() != null) return calls.cgroupPids(Path.of(state.cgroup()));
        List<Integer> pids = calls.sharingPidNamespace(state.pid());
        // Without a PID namespace of its own, the namespace is the host's: only init is certain.
        return pids.contains(1) || pids.isEmpty() ? List.of(state.pid()) : pids;
    }

    /**
     * Signals the process that started at {@code startTime}, through a pidfd so that a pid reused
     * in the meantime is never hit. Returns false when it has ended.
     */
    static boolean signal(ContainerCalls calls, int pid, long startTime, int signal) {
        int pidfd = calls.pidfdOpen(pid);
        if (pidfd < 0) return false;
        try {
            return calls.alive(pid, startTime) && calls.pidfdSignal(pidfd, signal);
        } finally {
            calls.close(pidfd);
        }
    }

    /** Waits up to {@code millis} for the process to end; returns whether it did. */
    static boolean awaitExit(ContainerCalls calls, int pid, long startTime, long millis) {
        int pidfd = calls.pidfdOpen(pid);
        if (pidfd < 0) return true;
        try {
            if (!calls.alive(pid, startTime)) return true;
            // A pidfd becomes readable when its process exits (zombie or reaped).
            return (calls.poll(pidfd, Libc.POLLIN, millis, "waiting for process " + pid) & Libc.POLLIN) != 0;
        } finally {
            calls.close(pidfd);
        }
    }
}
