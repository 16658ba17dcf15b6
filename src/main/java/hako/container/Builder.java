package hako.container;

import hako.cgroup.Cgroup;
import hako.plan.Op;
import hako.plan.Plan;
import hako.plan.Planner;
import hako.rootfs.Rootfs;
import hako.spec.Spec;
import hako.spec.SpecReader;
import hako.stage.Stage;
import hako.stage.StageFailure;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.sys.Errno;
import hako.sys.Libc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a container around a new init, up to the point where all that is left is its exec:
 * shared by {@code create} (init then waits for {@code start}) and {@code run} (init execs at
 * once). A failure at any step kills init and removes the state, so nothing is left behind.
 */
final class Builder implements AutoCloseable {
    private final StateDir states;
    private final String id;
    private final Path bundle;
    private final boolean waitForStart;
    final Spec spec;
    final Plan plan;
    private final StateDir.Lock lock;
    private Stage stage;
    private int fifo = -1;
    private int terminal = -1;
    private ContainerState state;
    private Cgroup cgroup;
    private boolean reaped;

    /** Reads and plans the bundle, then claims the id: bad input fails before anything exists. */
    Builder(StateDir states, String id, Path bundle, boolean waitForStart) {
        this.states = states;
        this.id = id;
        this.bundle = bundle;
        this.waitForStart = waitForStart;
        this.spec = SpecReader.read(bundle);
        Path rootfs = Rootfs.path(spec, bundle);
        if (!Files.isDirectory(rootfs)) {
            throw new ContainerException("root.path: the root filesystem " + rootfs + " is not a directory");
        }
        this.plan = Planner.plan(spec, bundle, waitForStart);
        this.lock = states.create(id);
    }

    /** Clones init into its namespaces and runs every batch but the last. */
    void build(Path pidFile) {
        try {
            if (waitForStart) {
                String path = states.fifo(id).toString();
                Libc.mkfifo(path, 0600, "creating the exec fifo " + path);
                fifo = Libc.open(path, Libc.O_PATH | Libc.O_CLOEXEC, "opening the exec fifo " + path);
            }
            cgroup = Cgroup.create(id, spec.linux());
            state = new ContainerState(id, 0, 0, bundle, Rootfs.path(spec, bundle), Instant.now().toString(),
                    Status.CREATING, spec.annotations(), spec.hooks(), cgroup == null ? null : cgroup.path().toString());
            states.save(state);
            stage = Stage.launch();
            int pid = cloneIntoCgroup();
            state = state.withProcess(pid, Proc.startTime(pid));
            states.save(state);
            stage.run(plan.rootfs());
            stage.run(plan.process());
            if (spec.process().terminal()) terminal = stage.replyFds()[0];
            writePidFile(pidFile, pid);
        } catch (RuntimeException e) {
            abort();
            throw explain(e, spec);
        }
    }

    /** Init is born in the container's cgroup: clone3 gets the cgroup's directory (CLONE_INTO_CGROUP). */
    private int cloneIntoCgroup() {
        if (cgroup == null) {
            // A host without cgroup v2: the clone goes without one.
            List<Op> batch = new ArrayList<>(plan.namespaces());
            batch.set(batch.size() - 1, new Op.Clone(((Op.Clone) batch.getLast()).flags(), false));
            return stage.cloneInit(batch);
        }
        int fd = cgroup.openDirectoryFd();
        try {
            return stage.cloneInit(plan.namespaces(), fd);
        } finally {
            Libc.close(fd);
        }
    }

    int pid() {
        return state.pid();
    }

    /** The master of the container's terminal, or -1 when its process has none. */
    int terminal() {
        return terminal;
    }

    /** create: gives init its last batch — wait on the exec fifo, then exec — and returns at once. */
    void handOverToStart() {
        stage.sendLast(plan.start(), fifo);
        state = state.withPhase(Status.CREATED);
        states.save(state);
    }

    /** run: init execs now; returns once the container's process is running. */
    void exec() {
        try {
            stage.exec(plan.start());
        } catch (RuntimeException e) {
            abort();
            throw explain(e, spec);
        }
        state = state.withPhase(Status.RUNNING);
        states.save(state);
    }

    /** run: waits for the container's process (our child: the stage cloned it CLONE_PARENT). */
    int waitForExit() {
        int status = Libc.waitpid(state.pid(), "waiting for the container's process");
        reaped = true;
        return status;
    }

    /** Kills init if it still runs, and removes everything made for the container. Idempotent. */
    void abort() {
        if (state != null && state.pid() > 0 && !reaped) {
            Libc.kill(state.pid(), Libc.SIGKILL);
            Libc.waitpid(state.pid(), "waiting for the container's process to end");
            reaped = true;
        }
        if (state != null) {
            Delete.destroy(states, state);
        } else {
            if (cgroup != null) cgroup.destroy();
            states.remove(id);
        }
        state = null;
        cgroup = null;
    }

    @Override
    public void close() {
        if (stage != null) stage.close();
        Libc.close(fifo);
        lock.close();
    }

    private static void writePidFile(Path pidFile, int pid) {
        if (pidFile == null) return;
        try {
            Path temporary = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
            Files.writeString(temporary, Integer.toString(pid));
            Files.move(temporary, pidFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException("writing the pid file " + pidFile + ": " + e.getMessage());
        }
    }

    /** The failures people meet most, said the way runc says them. */
    private static RuntimeException explain(RuntimeException e, Spec spec) {
        if (!(e instanceof StageFailure failure)) return e;
        if (failure.op() instanceof Op.Clone && failure.errno() == Errno.EPERM) {
            return new ContainerException(e.getMessage() + " (hako needs root: rootless containers are not supported yet)");
        }
        if (failure.op() instanceof Op.Which || failure.op() instanceof Op.Exec) {
            String name = spec.process().args().getFirst();
            if (failure.errno() == Errno.ENOENT && !name.contains("/")) {
                return new ContainerException("exec: \"" + name + "\": executable file not found in $PATH");
            }
            return new ContainerException("exec: \"" + name + "\": " + Errno.describe(failure.errno()));
        }
        return e;
    }
}
