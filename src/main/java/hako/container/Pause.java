package hako.container;

import hako.cgroup.Cgroup;
import hako.state.ContainerState;
import hako.state.StateDir;

import java.nio.file.Path;

/** {@code hako pause} and {@code resume}: freezes and thaws every process of a container (cgroup.freeze). */
public final class Pause {
    private Pause() {}

    public static void pause(StateDir states, String id) {
        try (StateDir.Lock lock = states.lock(id)) {
            // runc's: running and created containers pause; its words otherwise (clients match them)
            ContainerState state = states.load(id);
            String status = Status.of(states, state);
            if (!status.equals(Status.RUNNING) && !status.equals(Status.CREATED)) throw new ContainerException("container not running");
            cgroup(state).freeze();
        }
    }

    public static void resume(StateDir states, String id) {
        try (StateDir.Lock lock = states.lock(id)) {
            ContainerState state = states.load(id);
            if (!Status.of(states, state).equals(Status.PAUSED)) throw new ContainerException("container not paused");
            cgroup(state).thaw();
        }
    }

    /** The container's cgroup; an error for one without (a host without cgroup v2). */
    static Cgroup cgroup(ContainerState state) {
        if (state.cgroup() == null) {
            throw new ContainerException("container \"" + state.id() + "\" has no cgroup (this host mounts no cgroup v2)");
        }
        return Cgroup.open(Path.of(state.cgroup()));
    }
}
