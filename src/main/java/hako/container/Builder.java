package hako.container;

import hako.Warnings;
import hako.cgroup.Cgroup;
import hako.hooks.HookRunner;
import hako.hooks.Hooks;
import hako.net.Attachment;
import hako.net.NetworkRequest;
import hako.net.NetDevices;
import hako.net.Networking;
import hako.plan.Op;
import hako.plan.Plan;
import hako.plan.Planner;
import hako.rootfs.Rootfs;
import hako.spec.NamespaceType;
import hako.spec.Json;
import hako.spec.Spec;
import hako.spec.SpecReader;
import hako.stage.Stage;
import hako.stage.StageFailure;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.state.StateException;
import hako.state.Timestamps;
import hako.sys.Errno;
import hako.sys.Libc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    private final Handover handover;
    final Spec spec;
    private Plan plan;
    final Hooks hooks;
    private final NetworkRequest network;
    private Networking networking;
    private Attachment attachment;
    private StateDir.Lock lock;
    private Stage stage;
    private int fifo = -1;
    private int terminal = -1;
    private ContainerState state;
    private Cgroup cgroup;
    private boolean reaped;

    /** Reads and plans the bundle: bad input fails here, before anything exists. */
    Builder(StateDir states, String id, Path bundle, boolean waitForStart, Handover handover,
            NetworkRequest.Flags networkFlags) {
        this.states = states;
        this.id = id;
        this.bundle = bundle;
        this.waitForStart = waitForStart;
        this.handover = handover;
        this.spec = SpecReader.read(bundle);
        Path rootfs = Rootfs.path(spec, bundle);
        if (!Files.isDirectory(rootfs)) {
            throw new ContainerException("root.path: the root filesystem " + rootfs + " is not a directory");
        }
        this.plan = plan(spec);
        this.hooks = Hooks.parse(spec.hooks());
        // Said once: the plan made again with the network (prepareNetwork) passes over the same.
        plan.warnings().forEach(Warnings::print);
        warnAboutWhatIsNotApplied(spec);
        // Flags (run) or the bundle's dev.hako.* annotations; none at all: no network is managed.
        this.network = networkFlags.resolve(spec.annotations());
    }

    /**
     * What the spec asks for that hako does not apply yet is said, never passed over in silence:
     * refusing would stop every podman container (podman always sends a seccomp profile).
     */
    private static void warnAboutWhatIsNotApplied(Spec spec) {
        if (spec.linux().seccomp() != null) Warnings.print("linux.seccomp is not applied: hako has no seccomp support yet");
    }

    /** Claims the id, clones init into its namespaces and runs every batch but the last. */
    void build() {
        lock = states.create(id);
        try {
            // The first state, before anything else exists: whatever a kill leaves from here on
            // (address record, cgroup, init), it names, and delete --force removes.
            Cgroup.Planned planned = Cgroup.plan(id, spec.linux());
            state = new ContainerState(id, 0, 0, bundle, Rootfs.path(spec, bundle), Timestamps.now(),
                    Status.CREATING, spec.annotations(), spec.hooks(), planned == null ? null : planned.path().toString(),
                    rawProcess(), namespaces(), network.mode() != NetworkRequest.Mode.UNMANAGED, execLinux(), sessionKeyring());
            states.save(state);
            prepareNetwork();
            if (waitForStart) {
                String path = states.fifo(id).toString();
                // Writable by all: init opens it after switching to the container's user (runc: 0622).
                Libc.mkfifo(path, 0622, "creating the exec fifo " + path);
                chmod(states.fifo(id), "rw--w--w-"); // mkfifo's mode went through the umask
                fifo = Libc.open(path, Libc.O_PATH | Libc.O_CLOEXEC, "opening the exec fifo " + path);
            }
            cgroup = planned == null ? null : planned.make();
            stage = Stage.launch(handover.preserveFds());
            int pid = cloneInit();
            state = state.withProcess(pid, Proc.startTime(pid));
            states.save(state);
            if (networking != null) networking.wire(attachment, pid);
            NetDevices.move(spec.linux().netDevices(), pid);
            buildRootfs();
            stage.run(plan.process());
            if (spec.process().terminal()) terminal = stage.replyFds()[0];
            writePidFile(handover.pidFile(), pid);
            Terminals.sendPidfd(handover.pidfdSocket(), pid);
        } catch (RuntimeException e) {
            abort();
            throw explain(e, spec.process());
        }
    }

    /**
     * Init joins the namespaces the spec names by path and is born in the container's cgroup:
     * clone3 gets the cgroup's directory (CLONE_INTO_CGROUP), passed after the namespaces.
     */
    private int cloneInit() {
        List<Op> batch = plan.namespaces();
        int[] namespaces = NamespaceFiles.open(batch);
        int[] fds = namespaces;
        try {
            if (cgroup == null) {
                // A host without cgroup v2: the clone goes without one.
                batch = new ArrayList<>(batch);
                batch.set(batch.size() - 1, new Op.Clone(((Op.Clone) batch.getLast()).flags(), Op.Clone.NO_CGROUP));
            } else {
                fds = java.util.Arrays.copyOf(namespaces, namespaces.length + 1);
                fds[namespaces.length] = cgroup.openDirectoryFd();
            }
            return stage.cloneInit(batch, fds);
        } finally {
            NamespaceFiles.close(fds);
        }
    }

    private Plan plan(Spec planned) {
        return Planner.plan(planned, new Planner.Request(bundle, waitForStart, handover.noPivot(), sessionKeyring()));
    }

    private String sessionKeyring() {
        return handover.noNewKeyring() ? null : Planner.sessionKeyring(id);
    }

    /** linux.personality and linux.memoryPolicy as the bundle has them: exec applies them too. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> execLinux() {
        Map<String, Object> linux = (Map<String, Object>) spec.raw().getOrDefault("linux", Map.of());
        Map<String, Object> kept = new java.util.LinkedHashMap<>();
        for (String key : new String[] {"personality", "memoryPolicy"}) {
            if (linux.get(key) != null) kept.put(key, linux.get(key));
        }
        return kept;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> rawProcess() {
        return (Map<String, Object>) spec.raw().get("process");
    }

    /** The namespaces the container has of its own, in the order exec joins them. */
    private List<String> namespaces() {
        List<String> names = new ArrayList<>();
        for (NamespaceType type : JOIN_ORDER) {
            if (spec.linux().hasNamespace(type)) names.add(type.procName());
        }
        return names;
    }

    /** The mount namespace last: joining it changes the root under which later paths resolve. */
    private static final NamespaceType[] JOIN_ORDER = {
        NamespaceType.IPC, NamespaceType.UTS, NamespaceType.NETWORK, NamespaceType.PID, NamespaceType.CGROUP,
        NamespaceType.TIME, NamespaceType.MOUNT,
    };

    /**
     * The container's network (docs/network.md), before the clone: its address allocated and its
     * /etc files written, which the plan then bind-mounts; the namespace is wired after the clone.
     */
    private void prepareNetwork() {
        if (network.mode() == NetworkRequest.Mode.UNMANAGED) return;
        networking = Networking.forStateRoot(states.root());
        attachment = networking.prepare(id, network, spec.hostname(), states.dir(id));
        plan = plan(attachment.applyTo(spec));
    }

    /**
     * The root filesystem, with the create hooks where the spec puts them: once the mounts are
     * made, before pivot_root — prestart and createRuntime in the runtime's namespaces,
     * createContainer in the container's.
     */
    private void buildRootfs() {
        List<Op> rootfs = plan.rootfs();
        if (hooks.of(Hooks.PRESTART).isEmpty() && hooks.of(Hooks.CREATE_RUNTIME).isEmpty()
                && hooks.of(Hooks.CREATE_CONTAINER).isEmpty()) {
            stage.run(rootfs);
            return;
        }
        int pivot = plan.enterRootIndex();
        stage.run(rootfs.subList(0, pivot));
        // "created", as crun says and the OCI validation suite expects (runc says "creating"):
        // everything the hooks may need, the namespaces and the init's pid, exists.
        String ociState = ociState(Status.CREATED);
        HookRunner.run(hooks.of(Hooks.PRESTART), Hooks.PRESTART, ociState, HookRunner.Place.host(bundle));
        HookRunner.run(hooks.of(Hooks.CREATE_RUNTIME), Hooks.CREATE_RUNTIME, ociState, HookRunner.Place.host(bundle));
        HookRunner.run(hooks.of(Hooks.CREATE_CONTAINER), Hooks.CREATE_CONTAINER, ociState,
                HookRunner.Place.beforePivot(state.pid(), state.namespaces(), Rootfs.path(spec, bundle)));
        stage.run(rootfs.subList(pivot, rootfs.size()));
    }

    private String ociState(String status) {
        return Json.write(state.ociState(status));
    }

    /** Sends the terminal's master to the console socket, if there is one to send; on failure, undoes all. */
    void sendTerminal(String consoleSocket) {
        if (terminal < 0) return;
        try {
            Terminals.sendToConsoleSocket(consoleSocket, terminal);
            terminal = -1;
        } catch (RuntimeException e) {
            abort();
            throw e;
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

    /** run: init execs now, between the start hooks; returns once the process is running. */
    void exec() {
        try {
            HookRunner.run(hooks.of(Hooks.START_CONTAINER), Hooks.START_CONTAINER, ociState(Status.CREATED),
                    Start.asTheProcess(state));
            stage.exec(plan.start());
        } catch (RuntimeException e) {
            abort();
            throw explain(e, spec.process());
        }
        state = state.withPhase(Status.RUNNING);
        states.save(state);
        // The container is built: others may now pause, update, exec in or delete it while
        // `run` waits with it in the foreground.
        lock.close();
        lock = null;
        Start.poststart(hooks, state);
    }

    /** run: waits for the container's process (our child: the stage cloned it CLONE_PARENT). */
    int waitForExit() {
        int status = Libc.waitpid(state.pid(), "waiting for the container's process");
        reaped = true;
        return status;
    }

    /** Kills init if it still runs, and removes everything made for the container. Idempotent. */
    void abort() {
        int pid = state == null ? 0 : state.pid();
        if (lock == null && state != null) {
            // run let go of the lock once the process ran: take it again, unless a delete from
            // elsewhere removed the container meanwhile (then only our child is left to reap).
            try {
                lock = states.lock(id);
            } catch (StateException e) {
                state = null;
            }
        }
        if (pid > 0 && !reaped) {
            Libc.kill(pid, Libc.SIGKILL);
            Libc.waitpid(pid, "waiting for the container's process to end");
            reaped = true;
        }
        if (state != null) {
            Delete.destroy(states, state);
        } else if (lock != null) {
            if (cgroup != null) cgroup.destroy();
            if (networking != null) networking.release(id);
            states.remove(id);
        }
        state = null;
    }

    @Override
    public void close() {
        if (stage != null) stage.close();
        Libc.close(fifo);
        if (lock != null) lock.close();
    }

    private static void chmod(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString(permissions));
        } catch (IOException e) {
            throw new ContainerException("changing the mode of " + path + ": " + e.getMessage());
        }
    }

    static void writePidFile(Path pidFile, int pid) {
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
    static RuntimeException explain(RuntimeException e, Spec.Process process) {
        if (!(e instanceof StageFailure failure)) return e;
        if (failure.op() instanceof Op.Clone && failure.errno() == Errno.EPERM) {
            return new ContainerException(e.getMessage() + " (hako needs root: rootless containers are not supported yet)");
        }
        if (failure.op() instanceof Op.SetLabel label && failure.errno() == Errno.ENOENT
                && label.what().startsWith("AppArmor")) {
            // AppArmor's answer for a profile it does not have ("label not found")
            return new ContainerException(e.getMessage() + " (no such profile is loaded: see /sys/kernel/security/apparmor/profiles)");
        }
        if (failure.op() instanceof Op.Which || failure.op() instanceof Op.Exec) {
            String name = process.args().getFirst();
            if (failure.errno() == Errno.ENOENT && !name.contains("/")) {
                return new ContainerException("exec: \"" + name + "\": executable file not found in $PATH");
            }
            return new ContainerException("exec: \"" + name + "\": " + Errno.describe(failure.errno()));
        }
        return e;
    }
}
