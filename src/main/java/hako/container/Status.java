package hako.container;

import hako.state.ContainerState;
import hako.state.StateDir;

import hako.cgroup.Cgroup;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The status of a container as the OCI runtime spec defines it, worked out from the state hako
 * recorded and from the process itself: a container whose process died is {@code stopped}, even
 * when nobody has reaped it yet.
 */
public final class Status {
    public static final String CREATING = "creating";
    public static final String CREATED = "created";
    public static final String RUNNING = "running";
    public static final String PAUSED = "paused";
    public static final String STOPPED = "stopped";

    private Status() {}

    public static String of(StateDir states, ContainerState state) {
        if (state.phase().equals(CREATING)) {
            // Before the clone there is no process to ask; after it, a dead one means a failed create.
            return state.pid() == 0 || Proc.alive(state.pid(), state.pidStartTime()) ? CREATING : STOPPED;
        }
        if (!Proc.alive(state.pid(), state.pidStartTime())) return STOPPED;
        if (Files.exists(states.fifo(state.id()))) return CREATED;
        if (state.cgroup() != null && Cgroup.open(Path.of(state.cgroup())).frozen()) return PAUSED;
        return RUNNING;
    }
}
