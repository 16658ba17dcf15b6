package hako.container;

import hako.cgroup.Cgroup;
import hako.state.ContainerState;
import hako.state.StateDir;

import java.nio.file.Path;

/** {@code hako pause} and {@code resume}: freezes and thaws every process of a container (cgroup.freeze). */
public final class Pause {
    private Pause() {}

    public static void pause(StateDir states, String id) {
        freeze(ContainerCalls.kernel(), states, id, true);
    }

    public static void resume(StateDir states, String id) {
        freeze(ContainerCalls.kernel(), states, id, false);
    }

    /** Under the container's lock; runc's rules and words for what may be paused and resumed (clients match them). */
    static void freeze(ContainerCalls calls, StateDir states, String id, boolean frozen) {
        try (StateDir.Lock lock = states.lock(id)) {
            ContainerState state = states.load(id);
            if (frozen) ContainerStatus.of(calls, states, state).checkPause();
            else ContainerStatus.of(calls, states, state).checkResume();
            calls.freezeCgroup(cgroupPath(state), frozen);
        }
    }

    /** The container's cgroup, for update and events; an error for one without (a host without cgroup v2). */
    static Cgroup cgroup(ContainerState state) {
        return Cgroup.open(cgroupPath(state));
    }

    private static Path cgroupPath(ContainerState state) {
        if (state.cgroup() == null) {
            throw new ContainerException("container \"" + state.id() + "\" has no cgroup (this host mounts no cgroup v2)");
        }
        return Path.of(state.cgroup());
    }
}
