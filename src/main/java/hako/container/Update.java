package hako.container;

import hako.state.Status;
import hako.state.ContainerState;
import hako.state.StateDir;

import java.util.Map;

/** {@code hako update}: new limits for a running container's cgroup. */
public final class Update {
    private Update() {}

    /** @param source names the resources in errors: the file given, or "flags" */
    public static void update(StateDir states, String id, Map<String, Object> resources, String source) {
        try (StateDir.Lock lock = states.lock(id)) {
            ContainerState state = states.load(id);
            ContainerStatus.of(states, state).checkUpdate();
            Pause.cgroup(state).update(resources, source);
        }
    }
}
