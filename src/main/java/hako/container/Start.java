package hako.container;

import hako.state.ContainerState;
import hako.state.StateDir;
import hako.sys.Libc;

import java.io.IOException;
import java.nio.file.Files;

/** {@code hako start}: lets a created container's init exec its process. */
public final class Start {
    private Start() {}

    public static void start(StateDir states, String id) {
        try (StateDir.Lock lock = states.lock(id)) {
            ContainerState state = states.load(id);
            String status = Status.of(states, state);
            if (!status.equals(Status.CREATED)) {
                throw new ContainerException("cannot start a container that is " + status);
            }
            releaseInit(states, state);
            states.save(state.withPhase(Status.RUNNING));
        }
    }

    /**
     * Opens the exec fifo, which unblocks init's open for writing, and reads the byte init then
     * writes. The open does not block (a dead init would never open its end), and while waiting
     * for the byte we watch that init is alive.
     */
    private static void releaseInit(StateDir states, ContainerState state) {
        String path = states.fifo(state.id()).toString();
        int fifo = Libc.open(path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, "opening the exec fifo " + path);
        try {
            while (true) {
                if ((Libc.poll(fifo, Libc.POLLIN, 100, "waiting on the exec fifo") & Libc.POLLIN) != 0) {
                    byte[] data = Libc.read(fifo, 1, "reading the exec fifo");
                    if (data != null && data.length == 1) break;
                }
                if (!Proc.alive(state.pid(), state.pidStartTime())) {
                    throw new ContainerException("the container's process ended before it could start");
                }
            }
        } finally {
            Libc.close(fifo);
        }
        try {
            Files.deleteIfExists(states.fifo(state.id()));
        } catch (IOException e) {
            throw new ContainerException("removing the exec fifo " + path + ": " + e.getMessage());
        }
    }
}
