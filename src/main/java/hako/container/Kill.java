package hako.container;

import hako.sys.ProcessRef;
import hako.state.Status;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.sys.Libc;

import java.util.List;

/** {@code hako kill}: signals a container's process, or with {@code --all} every process in it. */
public final class Kill {
    private Kill() {}

    /**
     * As runc: a stopped container is "container not running" (the words containerd's shim and
     * podman look for), except with --all, which has nothing left to signal and succeeds —
     * containerd sends {@code kill --all ID 9} to every container it deletes.
     */
    public static void kill(StateDir states, String id, int signal, boolean all) {
        ContainerState state = states.load(id);
        if (ContainerStatus.of(states, state) == Status.STOPPED) {
            if (all) return;
            throw new ContainerException("container not running");
        }
        if (all && state.cgroup() != null) {
            Pause.cgroup(state).signalAll(signal);
        } else if (all) {
            for (int pid : processes(state)) signal(pid, ProcessRef.startTime(pid), signal);
        } else if (!signal(state.pid(), state.pidStartTime(), signal)) {
            throw new ContainerException("container not running");
        }
    }

    /** The container's processes: those in its cgroup, or else init and everything in its PID namespace. */
    static List<Integer> processes(ContainerState state) {
        if (state.cgroup() != null) return Pause.cgroup(state).pids();
        List<Integer> pids = Proc.sharingPidNamespace(state.pid());
        // Without a PID namespace of its own, the namespace is the host's: only init is certain.
        return pids.contains(1) || pids.isEmpty() ? List.of(state.pid()) : pids;
    }

    /**
     * Signals the process that started at {@code startTime}, through a pidfd so that a pid reused
     * in the meantime is never hit. Returns false when it has ended.
     */
    static boolean signal(int pid, long startTime, int signal) {
        int pidfd = Libc.pidfdOpen(pid);
        if (pidfd < 0) return false;
        try {
            return ProcessRef.alive(pid, startTime) && Libc.pidfdSignal(pidfd, signal);
        } finally {
            Libc.close(pidfd);
        }
    }

    /** Waits up to {@code millis} for the process to end; returns whether it did. */
    static boolean awaitExit(int pid, long startTime, long millis) {
        int pidfd = Libc.pidfdOpen(pid);
        if (pidfd < 0) return true;
        try {
            if (!ProcessRef.alive(pid, startTime)) return true;
            // A pidfd becomes readable when its process exits (zombie or reaped).
            return (Libc.poll(pidfd, Libc.POLLIN, millis, "waiting for process " + pid) & Libc.POLLIN) != 0;
        } finally {
            Libc.close(pidfd);
        }
    }
}
