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
            cgroupIn(states, id, Status.RUNNING, "pause").freeze();
        }
    }

    public static void resume(StateDir states, String id) {
        try (StateDir.Lock lock = states.lock(id)) {
            cgroupIn(states, id, Status.PAUSED, "resume").thaw();
        }
    }

    private static Cgroup cgroupIn(StateDir states, String id, String required, String verb) {
        ContainerState state = states.load(id);
        String status = Status.of(states, state);
        if (!status.equals(required)) {
            throw new ContainerException("cannot " + verb + " a container that is " + status);
        }
        return cgroup(state);
    }

    /** The container's cgroup; an error for one without (a host without cgroup v2). */
    static Cgroup cgroup(ContainerState state) {
        if (state.cgroup() == null) {
            throw new ContainerException("container \"" + state.id() + "\" has no cgroup (this host mounts no cgroup v2)");
        }
        return Cgroup.open(Path.of(state.cgroup()));
    }
}
