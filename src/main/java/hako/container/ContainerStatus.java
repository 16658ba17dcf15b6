package hako.container;

import hako.sys.ProcessRef;
import hako.cgroup.Cgroup;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.state.Status;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A container's status, worked out from the state hako recorded and from the process itself: a
 * container whose process died is {@code stopped}, even when nobody has reaped it yet.
 */
public final class ContainerStatus {
    private ContainerStatus() {}

    public static Status of(StateDir states, ContainerState state) {
        if (state.phase() == Status.CREATING) {
            // Before the clone there is no process to ask; after it, a dead one means a failed create.
            return state.pid() == 0 || ProcessRef.alive(state.pid(), state.pidStartTime()) ? Status.CREATING : Status.STOPPED;
        }
        if (!ProcessRef.alive(state.pid(), state.pidStartTime())) return Status.STOPPED;
        if (Files.exists(states.fifo(state.id()))) return Status.CREATED;
        if (state.cgroup() != null && Cgroup.open(Path.of(state.cgroup())).frozen()) return Status.PAUSED;
        return Status.RUNNING;
    }
}
