package hako.container;

import hako.state.ContainerState;
import hako.state.StateDir;
import hako.state.Status;

import java.nio.file.Path;

/**
 * A container's status, worked out from the state hako recorded and from the process itself: a
 * container whose process died is {@code stopped}, even when nobody has reaped it yet.
 */
public final class ContainerStatus {
    private ContainerStatus() {}

    public static Status of(StateDir states, ContainerState state) {
        return of(ContainerCalls.kernel(), states, state);
    }

    static Status of(ContainerCalls calls, StateDir states, ContainerState state) {
        if (state.phase() == Status.CREATING) {
            // Before the clone there is no process to ask: the create is at work while it holds
            // the lock, and died if nobody does. After the clone, a dead init means a failed create.
            if (state.pid() == 0) return states.locked(state.id()) ? Status.CREATING : Status.STOPPED;
            return calls.alive(state.pid(), state.pidStartTime()) ? Status.CREATING : Status.STOPPED;
        }
        if (!calls.alive(state.pid(), state.pidStartTime())) return Status.STOPPED;
        if (calls.exists(states.fifo(state.id()))) return Status.CREATED;
        if (state.cgroup() != null && calls.cgroupFrozen(Path.of(state.cgroup()))) return Status.PAUSED;
        return Status.RUNNING;
    }
}
