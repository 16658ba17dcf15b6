package hako.container;

import hako.state.ContainerState;
import hako.state.StateDir;

import hako.spec.Resources;

/** {@code hako update}: new limits for a running container's cgroup. */
public final class Update {
    private Update() {}

    /**
     * @param resources decoded ({@link hako.spec.SpecReader#resources}) before anything is locked
     * @param source    names the resources in errors: the file given, or "flags"
     */
    public static void update(StateDir states, String id, Resources resources, String source) {
        try (StateDir.Lock lock = states.lock(id)) {
            ContainerState state = states.load(id);
            ContainerStatus.of(states, state).checkUpdate();
            if (state.systemdUnit() != null) hako.cgroup.SystemdScope.update(java.nio.file.Path.of(state.cgroup()), state.systemdUnit(), resources, source);
            else Pause.cgroup(state).update(resources, source);
        }
    }
}
