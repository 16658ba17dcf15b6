package hako.container;

import hako.state.Status;
import hako.hooks.HookRunner;
import hako.spec.Hooks;
import hako.json.Json;
import hako.spec.Spec;
import hako.spec.SpecReader;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.sys.Libc;

import java.io.IOException;

/** {@code hako start}: lets a created container's init exec its process. */
public final class Start {
    private Start() {}

    public static void start(StateDir states, String id) {
        start(ContainerCalls.kernel(), states, id);
    }

    static void start(ContainerCalls calls, StateDir states, String id) {
        try (StateDir.Lock lock = states.lock(id)) {
            ContainerState state = states.load(id);
            ContainerStatus.of(calls, states, state).checkStart();
            Hooks hooks = Hooks.parse(state.hooks(), "state.json");
            // Where the hooks run is worked out only for hooks there are: it decodes the process
            // and looks up its seccomp program, on the path of every start.
            if (!hooks.of(Hooks.START_CONTAINER).isEmpty()) runStartHooks(calls, hooks, state);
            releaseInit(calls, states, state);
            ContainerState running = state.withPhase(Status.RUNNING);
            states.save(running);
            poststart(calls, hooks, running);
        }
    }

    /** startContainer hooks; the spec: one that fails stops the container (delete then cleans up). */
    private static void runStartHooks(ContainerCalls calls, Hooks hooks, ContainerState state) {
        try {
            new HookRunner(calls).run(hooks.of(Hooks.START_CONTAINER), Hooks.START_CONTAINER,
                    Json.write(state.ociState(Status.CREATED)), asTheProcess(state));
        } catch (RuntimeException e) {
            Kill.signal(calls, state.pid(), state.pidStartTime(), Libc.SIGKILL);
            throw e;
        }
    }

    /** Where startContainer hooks run: in the container, as its process (runc runs them from init). */
    static HookRunner.Place asTheProcess(ContainerState state) {
        Spec.Process process = SpecReader.process(state.process(), "state.json");
        hako.spec.Seccomp seccomp = SpecReader.linux(state.execLinux(), "state.json").seccomp();
        return HookRunner.Place.asTheProcess(state.pid(), state.namespaces(), process,
                state.cgroup() == null ? null : java.nio.file.Path.of(state.cgroup()),
                seccomp == null ? null : hako.seccomp.ProfileCache.compile(seccomp));
    }

    /** poststart hooks: a failure is a warning, and the container goes on (runtime spec). */
    static void poststart(ContainerCalls calls, Hooks hooks, ContainerState state) {
        new HookRunner(calls).runWarningOnFailure(hooks.of(Hooks.POSTSTART), Hooks.POSTSTART,
                Json.write(state.ociState(Status.RUNNING)), HookRunner.Place.host(state.bundle()));
    }

    /**
     * Opens the exec fifo, which unblocks init's open for writing, and reads the byte init then
     * writes. The open does not block (a dead init would never open its end), and while waiting
     * for the byte we watch that init is alive.
     */
    private static void releaseInit(ContainerCalls calls, StateDir states, ContainerState state) {
        String path = states.fifo(state.id()).toString();
        int fifo = calls.open(path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, "opening the exec fifo " + path);
        try {
            while (true) {
                if ((calls.poll(fifo, Libc.POLLIN, 100, "waiting on the exec fifo") & Libc.POLLIN) != 0) {
                    byte[] data = calls.read(fifo, 1, "reading the exec fifo");
                    if (data != null && data.length == 1) break;
                }
                if (!calls.alive(state.pid(), state.pidStartTime())) {
                    throw new ContainerException("the container's process ended before it could start");
                }
            }
        } finally {
            calls.close(fifo);
        }
        try {
            calls.deleteIfExists(states.fifo(state.id()));
        } catch (IOException e) {
            throw new ContainerException("removing the exec fifo " + path + ": " + e.getMessage());
        }
    }
}
