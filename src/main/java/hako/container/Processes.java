package hako.container;

import hako.state.Status;
import hako.state.ContainerState;
import hako.state.StateDir;

import java.util.List;

/** The processes of a container, as the host numbers them. */
public final class Processes {
    private Processes() {}

    public static List<Integer> of(StateDir states, String id) {
        ContainerState state = states.load(id);
        if (ContainerStatus.of(ContainerCalls.kernel(), states, state) == Status.STOPPED) {
            throw new ContainerException("container not running");
        }
        return Kill.processes(ContainerCalls.kernel(), state);
    }
}
