package hako.container;

import hako.state.Status;
import hako.hooks.HookRunner;
import hako.spec.Hooks;
import hako.spec.NamespaceType;
import hako.json.Json;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.state.StateException;
import hako.sys.Libc;

/**
 * {@code hako delete}: removes a stopped (or created) container and everything hako made for it;
 * with {@code --force}, kills a running one first.
 */
public final class Delete {
    private static final long KILL_WAIT_MILLIS = 10_000;

    private Delete() {}

    public static void delete(StateDir states, String id, boolean force) {
        delete(ContainerCalls.kernel(), states, id, force);
    }

    static void delete(ContainerCalls calls, StateDir states, String id, boolean force) {
        if (!states.exists(id)) {
            if (force) return;
            throw StateDir.notFound(id);
        }
        StateDir.Lock lock;
        try {
            lock = states.lock(id);
        } catch (StateException e) {
            // A directory without state: a create that died before writing any (we got its lock,
            // so it is gone). Nothing runs, but it may have prepared the network already.
            if (!force) throw e;
            releaseNetwork(calls, states, id);
            states.remove(id);
            return;
        }
        try (lock) {
            ContainerState state = states.load(id);
            Status status = ContainerStatus.of(calls, states, state);
            boolean mustKill = status.mayRun();
            if (!force && !status.deletableWithoutForce()) {
                throw new ContainerException("cannot delete container " + id + " that is not stopped: " + status); // runc's words
            }
            if (mustKill) killAndWait(calls, state);
            destroy(calls, states, state);
        }
    }

    /** The address record a create that died before its first state.json left, if any. */
    private static void releaseNetwork(ContainerCalls calls, StateDir states, String id) {
        if (calls.networkAllocated(states.root(), id)) calls.releaseNetwork(states.root(), id);
    }

    private static void killAndWait(ContainerCalls calls, ContainerState state) {
        if (state.pid() <= 0) {
            // A create that died before it recorded init's pid: init, if it was cloned, is in the
            // cgroup, which destroy() empties and waits for; without a cgroup there is nothing to
            // find it by (and it exits when the dead create's end of the stage socket closes).
            if (state.cgroup() != null) killAll(calls, state);
            return;
        }
        killAll(calls, state);
        if (!Kill.awaitExit(calls, state.pid(), state.pidStartTime(), KILL_WAIT_MILLIS)) {
            throw new ContainerException("process " + state.pid() + " did not end after SIGKILL");
        }
    }

    private static void killAll(ContainerCalls calls, ContainerState state) {
        for (int pid : Kill.processes(calls, state)) Kill.signal(calls, pid, calls.startTime(pid), Libc.SIGKILL);
    }

    /**
     * Removes what hako made for a container whose processes have ended, then runs its poststop
     * hooks: a failing one is a warning, and the container is gone all the same (runtime spec).
     */
    static void destroy(ContainerCalls calls, StateDir states, ContainerState state) {
        // The cgroup first: what still runs in it is killed, and the state goes only once it is gone.
        if (state.cgroup() != null) calls.destroyCgroup(java.nio.file.Path.of(state.cgroup()), state.systemdUnit());
        if (state.network()) calls.releaseNetwork(states.root(), state.id());
        if (!state.namespaces().contains(NamespaceType.MOUNT.procName())) calls.unmountUnder(state.rootfs());
        states.remove(state.id());
        new HookRunner(calls).runWarningOnFailure(Hooks.parse(state.hooks(), "state.json").of(Hooks.POSTSTOP), Hooks.POSTSTOP,
                Json.write(state.ociState(Status.STOPPED)), HookRunner.Place.host(state.bundle()));
    }
}
