package hako.container;

import hako.net.Attachment;
import hako.net.NetworkRequest;
import hako.net.Networking;
import hako.plan.Op;
import hako.plan.Plan;
import hako.plan.Planner;
import hako.rootfs.Rootfs;
import hako.spec.Spec;
import hako.spec.SpecReader;
import hako.stage.Stage;
import hako.stage.StageFailure;
import hako.state.StateDir;
import hako.sys.Errno;
import hako.sys.Libc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code hako run}: builds a container from a bundle, runs its process in the foreground and
 * removes the container when the process ends. The exit code is the process's.
 */
public final class Run {
    private final StateDir state;
    private final String id;
    private final Path bundle;
    private final Path pidFile;
    private final NetworkRequest.Flags network;

    public Run(StateDir state, String id, Path bundle, Path pidFile, NetworkRequest.Flags network) {
        this.state = state;
        this.id = id;
        this.bundle = bundle;
        this.pidFile = pidFile;
        this.network = network;
    }

    /** Loads and checks the bundle's spec, and plans the container, without touching anything. */
    public static Plan plan(Path bundle) {
        Spec spec = SpecReader.read(bundle);
        checkRootfs(spec, bundle);
        return Planner.plan(spec, bundle);
    }

    public int run() {
        Spec spec = SpecReader.read(bundle);
        checkRootfs(spec, bundle);
        Planner.plan(spec, bundle);
        NetworkRequest request = network.resolve(spec.annotations());
        Path dir = state.create(id);
        // Network (issue 5): prepared before the clone, wired after it, released whatever happens.
        Networking networking = request.mode() == NetworkRequest.Mode.UNMANAGED ? null : Networking.forStateRoot(state.root());
        try {
            Attachment attachment = networking == null ? Attachment.unmanaged(id) : networking.prepare(id, request, spec.hostname(), dir);
            Plan plan = Planner.plan(attachment.applyTo(spec), bundle);
            try (Stage stage = Stage.launch()) {
                int pid = stage.cloneInit(plan.namespaces());
                try (SignalForwarder forwarder = new SignalForwarder(pid)) {
                    build(stage, pid, spec, plan, networking, attachment);
                    return Libc.exitCode(Libc.waitpid(pid, "waiting for the container's process"));
                }
            }
        } catch (RuntimeException e) {
            throw explain(e, spec);
        } finally {
            try {
                if (networking != null) networking.release(id);
            } finally {
                state.remove(id);
            }
        }
    }

    /** Builds the container around its init and execs the process; on failure, init is killed. */
    private void build(Stage stage, int pid, Spec spec, Plan plan, Networking networking, Attachment attachment) {
        try {
            if (networking != null) networking.wire(attachment, pid);
            stage.run(plan.rootfs());
            state.writeState(id, "created", pid, bundle, spec.annotations());
            writePidFile(pid);
            stage.exec(plan.process());
            state.writeState(id, "running", pid, bundle, spec.annotations());
        } catch (RuntimeException e) {
            Libc.kill(pid, Libc.SIGKILL);
            Libc.waitpid(pid, "waiting for the container's process to end");
            throw e;
        }
    }

    private static void checkRootfs(Spec spec, Path bundle) {
        Path rootfs = Rootfs.path(spec, bundle);
        if (!Files.isDirectory(rootfs)) {
            throw new ContainerException("root.path: the root filesystem " + rootfs + " is not a directory");
        }
    }

    private void writePidFile(int pid) {
        if (pidFile == null) return;
        try {
            Path temporary = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
            Files.writeString(temporary, Integer.toString(pid));
            Files.move(temporary, pidFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ContainerException("writing the pid file " + pidFile + ": " + e.getMessage());
        }
    }

    /** The exec failure that people meet most, said the way runc says it. */
    private static RuntimeException explain(RuntimeException e, Spec spec) {
        if (e instanceof StageFailure failure && failure.op() instanceof Op.Clone && failure.errno() == Errno.EPERM) {
            return new ContainerException(e.getMessage() + " (hako needs root: rootless containers are not supported yet)");
        }
        if (e instanceof StageFailure failure && failure.op() instanceof Op.Exec exec) {
            String name = spec.process().args().getFirst();
            if (failure.errno() == Errno.ENOENT && exec.candidates().size() > 1) {
                return new ContainerException("exec: \"" + name + "\": executable file not found in $PATH");
            }
            return new ContainerException("exec: \"" + name + "\": " + Errno.describe(failure.errno()));
        }
        return e;
    }
}
