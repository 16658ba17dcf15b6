package hako.container;

import hako.hooks.HookRunner;
import hako.hooks.Hooks;
import hako.net.Networking;
import hako.rootfs.HostMounts;
import hako.spec.NamespaceType;
import hako.spec.Json;
import hako.cgroup.Cgroup;
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
        if (!states.exists(id)) {
            if (force) return;
            throw StateDir.notFound(id);
        }
        StateDir.Lock lock;
        try {
            lock = states.lock(id);
        } catch (StateException e) {
            // A directory without state: a create that died before writing any. Nothing runs.
            if (!force) throw e;
            states.remove(id);
            return;
        }
        try (lock) {
            ContainerState state = states.load(id);
            String status = Status.of(states, state);
            boolean mustKill = !status.equals(Status.STOPPED);
            if (mustKill && !force && !status.equals(Status.CREATED) && !status.equals(Status.CREATING)) {
                throw new ContainerException("cannot delete container \"" + id + "\" that is not stopped: " + status);
            }
            if (mustKill) killAndWait(state);
            destroy(states, state);
        }
    }

    private static void killAndWait(ContainerState state) {
        for (int pid : Kill.processes(state)) Kill.signal(pid, Proc.startTime(pid), Libc.SIGKILL);
        if (!Kill.awaitExit(state.pid(), state.pidStartTime(), KILL_WAIT_MILLIS)) {
            throw new ContainerException("process " + state.pid() + " did not end after SIGKILL");
        }
    }

    /**
     * Removes what hako made for a container whose processes have ended, then runs its poststop
     * hooks: a failing one is a warning, and the container is gone all the same (runtime spec).
     */
    static void destroy(StateDir states, ContainerState state) {
        // The cgroup first: what still runs in it is killed, and the state goes only once it is gone.
        if (state.cgroup() != null) Cgroup.open(java.nio.file.Path.of(state.cgroup())).destroy();
        if (state.network()) Networking.forStateRoot(states.root()).release(state.id());
        if (!state.namespaces().contains(NamespaceType.MOUNT.procName())) HostMounts.unmountUnder(state.rootfs());
        states.remove(state.id());
        HookRunner.runWarningOnFailure(Hooks.parse(state.hooks()).of(Hooks.POSTSTOP), Hooks.POSTSTOP,
                Json.write(state.ociState(Status.STOPPED)), HookRunner.Place.host(state.bundle()));
    }
}
