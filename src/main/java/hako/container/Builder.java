package hako.container;

import hako.state.Status;
import hako.Warnings;
import hako.cgroup.CgroupPlan;
import hako.hooks.HookRunner;
import hako.spec.Hooks;
import hako.net.Attachment;
import hako.net.NetworkRequest;
import hako.stage.Op;
import hako.rootfs.Rootfs;
import hako.json.Json;
import hako.spec.NamespaceType;
import hako.spec.Spec;
import hako.stage.StageChannel;
import hako.stage.StageFailure;
import hako.state.ContainerState;
import hako.state.StateDir;
import hako.state.StateException;
import hako.state.Timestamps;
import hako.sys.Errno;
import hako.sys.Libc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Carries out a {@link ContainerPlan}, step by step, each step by one case of {@link #perform}:
 * shared by {@code create} (init then waits for {@code start}) and {@code run} (init execs at
 * once). A failure at any step kills init and removes the state, so nothing is left behind.
 * What the steps make (the lock, the stage, init, the cgroup, the network) is held here.
 */
public final class Builder implements AutoCloseable {
    private final StateDir states;
    private final ContainerPlan plan;
    private final Handover handover;
    final Spec spec;
    private StateDir.Lock lock;
    private final ContainerCalls calls;
    private StageChannel stage;
    private int fifo = -1;
    private int terminal = -1;
    private ContainerState state;
    /** The container's cgroup, once made. */
    private Path cgroup;
    private Attachment attachment;
    private boolean reaped;
    /** The id-mapped mounts' user namespaces, until the clone passes them to the stage. */
    private int[] mountUserns = new int[0];
    /** A delete from elsewhere removed the container once run let go of it: only our child is left. */
    private boolean deletedElsewhere;
    /** The steps begun, the last on top: {@link #abort} undoes them in that order. */
    private final java.util.ArrayDeque<Step> done = new java.util.ArrayDeque<>();
    private final Performer performer;

    /** Carries out a step and undoes it: this builder's own, or a recording fake in a test. */
    interface Performer {
        void perform(Step step);

        /** Undoes a step begun, whether or not it ended: each undo copes with half a step. */
        void undo(Step step);
    }

    /** @param calls the machine, or a test's recording fake */
    Builder(StateDir states, ContainerPlan plan, Handover handover, ContainerCalls calls) {
        this(states, plan, handover, calls, null);
    }

    /** Walks the plan with a performer of a test's, or of the AOT training's, in place of this builder's own. */
    Builder(StateDir states, ContainerPlan plan, Handover handover, Performer performer) {
        this(states, plan, handover, ContainerCalls.kernel(), performer);
    }

    /** @param performer what carries out and undoes each step; null for this builder's own */
    private Builder(StateDir states, ContainerPlan plan, Handover handover, ContainerCalls calls, Performer performer) {
        this.states = states;
        this.calls = calls;
        this.plan = plan;
        this.handover = handover;
        this.performer = performer != null ? performer : new Performer() {
            public void perform(Step step) {
                Builder.this.perform(step);
            }

            public void undo(Step step) {
                Builder.this.undo(step);
            }
        };
        this.spec = plan.spec();
        // Said once, here: hako plan shows them with the plan.
        plan.warnings().forEach(Warnings::print);
    }

    /**
     * For the AOT cache's training run (hako.cli.AotTraining): plans a bundle and walks the whole
     * plan, build, start and undo, with a performer that does nothing, so that what every
     * container start loads and links to walk its steps is in the cache.
     */
    public static int exerciseForAotTraining(StateDir states, Path bundle) {
        ContainerPlan plan = ContainerPlan.of(states, new ContainerPlan.Request("training", bundle, false, true,
                Handover.NONE, NetworkRequest.Flags.NONE));
        java.util.List<Step> walked = new java.util.ArrayList<>();
        Builder builder = new Builder(states, plan, Handover.NONE, new Performer() {
            public void perform(Step step) {
                walked.add(step);
            }

            public void undo(Step step) {
                walked.add(step);
            }
        });
        builder.build();
        builder.start();
        builder.abort();
        hako.hooks.HookRunner.Place.host(bundle);
        // The machine's calls, as every start makes them: loaded and linked here.
        long self = ContainerCalls.kernel().startTime((int) ProcessHandle.current().pid());
        return walked.size() + plan.render().length() + (self > 0 ? 1 : 0);
    }

    /** Plans the bundle (bad input fails here, before anything exists) and readies its builder. */
    static Builder of(StateDir states, ContainerPlan.Request request) {
        return new Builder(states, ContainerPlan.of(states, request), request.handover(), ContainerCalls.kernel());
    }

    /** Claims the id, clones init into its namespaces and runs every batch but the last. */
    void build() {
        try {
            for (Step step : plan.build()) begin(step);
        } catch (RuntimeException e) {
            abort();
            throw explain(e, spec.process());
        }
    }

    /**
     * create: gives init its last batch — wait on the exec fifo, then exec — and returns at once;
     * run: init execs now, between the start hooks, and this returns once the process runs.
     */
    void start() {
        for (Step step : plan.start()) {
            try {
                begin(step);
            } catch (RuntimeException e) {
                // After the lock is let go (run), the container belongs to everyone: a poststart
                // hook's failure is only a warning, said by HookRunner.
                abort();
                throw explain(e, spec.process());
            }
        }
    }

    private void begin(Step step) {
        done.push(step);
        performer.perform(step);
    }

    /**
     * One step, by its kind. An instanceof chain, not a pattern switch: a switch over sealed
     * types links through an invokedynamic bootstrap on its first run, which costs every
     * interpreted start milliseconds the AOT cache does not save.
     */
    private void perform(Step step) {
        if (step instanceof Step.ClaimState claim) {
            claimState();
        } else if (step instanceof Step.PrepareNetwork prepare) {
            attachment = calls.prepareNetwork(states.root(), plan.id(), prepare.request(), prepare.hostname(), prepare.files());
        } else if (step instanceof Step.MakeFifo make) {
            makeFifo(make.path());
        } else if (step instanceof Step.MakeCgroup make) {
            makeCgroup(make.cgroup());
        } else if (step instanceof Step.DelegateCgroup delegate) {
            calls.delegateCgroup(cgroup, delegate.delegation());
        } else if (step instanceof Step.MakeMountUserNamespaces make) {
            mountUserns = new UserNamespaces(calls).open(make.maps());
        } else if (step instanceof Step.CloneInit clone) {
            if (stage == null) stage = calls.launchStage(handover.preserveFds());
            int pid = cloneInit(clone.ops());
            state = state.withProcess(pid, calls.startTime(pid));
        } else if (step instanceof Step.MapUserNamespace map) {
            new UserNamespaces(calls).writeMaps(state.pid(), map.maps());
        } else if (step instanceof Step.SaveState save) {
            if (save.status() != Status.CREATING) state = state.withPhase(save.status());
            states.save(state);
        } else if (step instanceof Step.WireNetwork wire) {
            calls.wireNetwork(states.root(), attachment, state.pid());
        } else if (step instanceof Step.MoveNetDevices move) {
            calls.moveNetDevices(move.devices(), state.pid());
        } else if (step instanceof Step.InitBatch batch) {
            // A filter that notifies an agent: its listener goes to the agent as the batch runs.
            int[] replied = new SeccompAgent(calls).run(stage, batch.ops(), spec.linux().seccomp(), state.pid(),
                    () -> state.ociState(Status.CREATING));
            if (batch.opensTerminal()) terminal = replied[0];
        } else if (step instanceof Step.RunHooks hooks) {
            runHooks(hooks);
        } else if (step instanceof Step.HandOverPid pid) {
            if (pid.pidFile() != null) calls.writePidFile(pid.pidFile(), state.pid());
            new Terminals(calls).sendPidfd(pid.pidfdSocket(), state.pid());
        } else if (step instanceof Step.SendTerminal send) {
            new Terminals(calls).sendToConsoleSocket(send.consoleSocket(), terminal);
            terminal = -1;
        } else if (step instanceof Step.AwaitStart await) {
            stage.sendLast(await.ops(), fifo);
        } else if (step instanceof Step.Exec exec) {
            stage.exec(exec.ops());
        } else if (step instanceof Step.Unlock unlock) {
            lock.close();
            lock = null;
        }
    }

    /**
     * The first state, before anything else exists: whatever a kill leaves from here on (address
     * record, cgroup, init), it names, and delete --force removes.
     */
    private void claimState() {
        lock = states.create(plan.id());
        CgroupPlan planned = plan.cgroup();
        state = new ContainerState(plan.id(), 0, 0, plan.bundle(), Rootfs.path(spec, plan.bundle()), Timestamps.now(),
                Status.CREATING, spec.annotations(), rawHooks(), planned == null ? null : planned.path().toString(),
                rawProcess(), namespaces(), plan.network().mode() != NetworkRequest.Mode.UNMANAGED, execLinux(),
                ContainerPlan.sessionKeyring(plan.id(), handover),
                planned == null || planned.systemdUnit() == null ? null : planned.systemdUnit().name());
        states.save(state);
    }

    /**
     * The cgroup, before init's clone. A systemd scope is started with a process in it, and the
     * one hako has then is the stage: launched here, it is put in the scope by systemd and clones
     * init into the same cgroup (CLONE_INTO_CGROUP), then exits, leaving the scope to the
     * container. (Not hako itself, whose JVM would count against the container's limits and
     * stay in its cgroup; not a process of its own, which would cost a spawn, and whose early
     * end would let systemd stop the scope before init is in it.)
     */
    private void makeCgroup(CgroupPlan planned) {
        int firstPid = -1;
        if (planned.needsFirstProcess()) {
            stage = calls.launchStage(handover.preserveFds());
            firstPid = stage.pid();
        }
        cgroup = calls.makeCgroup(planned, firstPid);
        if (!cgroup.equals(planned.path())) state = state.withCgroup(cgroup.toString());
        if (planned.systemdUnit() != null) states.save(state); // the unit exists: delete must find it even if this create dies now
    }

    private void makeFifo(Path path) {
        // Writable by all: init opens it after switching to the container's user (runc: 0622).
        calls.mkfifo(path, "rw--w--w-");
        fifo = calls.open(path.toString(), Libc.O_PATH | Libc.O_CLOEXEC, "opening the exec fifo " + path);
    }

    /** "created", as crun says and the OCI validation suite expects (runc says "creating"). */
    private void runHooks(Step.RunHooks hooks) {
        String ociState = Json.write(state.ociState(hooks.warnOnFailure() ? Status.RUNNING : Status.CREATED));
        HookRunner.Place place = switch (hooks.place()) {
            case HOST -> HookRunner.Place.host(plan.bundle());
            case CONTAINER_BEFORE_PIVOT -> HookRunner.Place.beforePivot(state.pid(), state.namespaces(), Rootfs.path(spec, plan.bundle()));
            case AS_THE_PROCESS -> Start.asTheProcess(state);
        };
        HookRunner runner = new HookRunner(calls);
        if (hooks.warnOnFailure()) runner.runWarningOnFailure(hooks.hooks(), hooks.kind(), ociState, place);
        else runner.run(hooks.hooks(), hooks.kind(), ociState, place);
    }

    /**
     * Init joins the namespaces the spec names by path and is born in the container's cgroup:
     * clone3 gets the cgroup's directory (CLONE_INTO_CGROUP), passed after the namespaces and the
     * user namespaces of the id-mapped mounts.
     */
    private int cloneInit(List<Op> batch) {
        NamespaceFiles namespaceFiles = new NamespaceFiles(calls);
        int[] joined = namespaceFiles.open(batch);
        int[] namespaces = java.util.Arrays.copyOf(joined, joined.length + mountUserns.length);
        System.arraycopy(mountUserns, 0, namespaces, joined.length, mountUserns.length);
        mountUserns = new int[0]; // closed with the others below
        int[] fds = namespaces;
        try {
            if (cgroup != null) {
                fds = java.util.Arrays.copyOf(namespaces, namespaces.length + 1);
                fds[namespaces.length] = calls.openCgroup(cgroup);
            }
            return stage.cloneInit(batch, fds);
        } finally {
            namespaceFiles.close(fds);
        }
    }

    /** linux.personality, linux.memoryPolicy and linux.seccomp as the bundle has them: exec applies them too. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> execLinux() {
        Map<String, Object> linux = (Map<String, Object>) plan.spec().raw().getOrDefault("linux", Map.of());
        Map<String, Object> kept = new java.util.LinkedHashMap<>();
        for (String key : new String[] {"personality", "memoryPolicy", "seccomp"}) {
            if (linux.get(key) != null) kept.put(key, linux.get(key));
        }
        return kept;
    }

    /** The hooks as the bundle has them: start and delete run them from the state. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> rawHooks() {
        return (Map<String, Object>) plan.spec().raw().get("hooks");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> rawProcess() {
        return (Map<String, Object>) plan.spec().raw().get("process");
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
        NamespaceType.USER, NamespaceType.IPC, NamespaceType.UTS, NamespaceType.NETWORK, NamespaceType.PID,
        NamespaceType.CGROUP, NamespaceType.TIME, NamespaceType.MOUNT,
    };

    int pid() {
        return state.pid();
    }

    ContainerPlan plan() {
        return plan;
    }

    /** The master of the container's terminal, or -1 when its process has none. */
    int terminal() {
        return terminal;
    }

    /** run: waits for the container's process (our child: the stage cloned it CLONE_PARENT). */
    int waitForExit() {
        int status = calls.waitpid(state.pid(), "waiting for the container's process");
        reaped = true;
        return status;
    }

    /**
     * Undoes every step begun, the last first: init killed, the cgroup, the network and the
     * state removed, as the plan made them. For {@code run} this is also the end of a container
     * that ran. Idempotent; the first failure is thrown once all the rest is undone.
     */
    void abort() {
        RuntimeException first = null;
        while (!done.isEmpty()) {
            try {
                performer.undo(done.pop());
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }

    /** Undoes one step, by its kind (an instanceof chain, as {@link #perform}). */
    private void undo(Step step) {
        if (deletedElsewhere && !(step instanceof Step.CloneInit)) return;
        if (step instanceof Step.Unlock) {
            // run let go of the lock once the process ran: take it again, unless a delete from
            // elsewhere removed the container meanwhile.
            try {
                lock = states.lock(plan.id());
            } catch (StateException e) {
                deletedElsewhere = true;
            }
        } else if (step instanceof Step.InitBatch && step == rootfsBatch() && !hasMountNamespace()) {
            calls.unmountUnder(Rootfs.path(spec, plan.bundle()));
        } else if (step instanceof Step.CloneInit) {
            if (state != null && state.pid() > 0 && !reaped) {
                calls.kill(state.pid(), Libc.SIGKILL);
                calls.waitpid(state.pid(), "waiting for the container's process to end");
                reaped = true;
            }
        } else if (step instanceof Step.MakeCgroup) {
            // What still runs in the cgroup (processes init left) is killed with it.
            // (A unit systemd refused to start is not ours to stop: it may be another's of that name.)
            if (cgroup != null) calls.destroyCgroup(cgroup, state.systemdUnit());
        } else if (step instanceof Step.PrepareNetwork) {
            calls.releaseNetwork(states.root(), plan.id());
        } else if (step instanceof Step.ClaimState && lock != null) { // no lock: the id was someone else's
            states.remove(plan.id());
            ContainerState last = state;
            state = null;
            if (last != null) new HookRunner(calls).runWarningOnFailure(plan.hooks().of(Hooks.POSTSTOP), Hooks.POSTSTOP,
                    Json.write(last.ociState(Status.STOPPED)), HookRunner.Place.host(plan.bundle()));
        }
    }

    /** The batch that mounts (on the host, when the container has no mount namespace of its own). */
    private Step rootfsBatch() {
        return plan.build().stream().filter(s -> s instanceof Step.InitBatch).findFirst().orElse(null);
    }

    private boolean hasMountNamespace() {
        return spec.linux().hasNamespace(NamespaceType.MOUNT);
    }

    @Override
    public void close() {
        new NamespaceFiles(calls).close(mountUserns);
        if (stage != null) stage.close();
        calls.close(fifo);
        if (lock != null) lock.close();
    }

    private static final int ENODEV = 19, EXDEV = 18;

    /** The failures people meet most, said the way runc says them; and the attacks refused. */
    static RuntimeException explain(RuntimeException e, Spec.Process process) {
        if (!(e instanceof StageFailure failure)) return e;
        if (failure.op() instanceof Op.Clone && failure.errno() == Errno.EPERM) {
            return new ContainerException(e.getMessage() + (hako.sys.Caller.current().rootless()
                    ? " (a rootless container needs a user namespace of its own: see hako spec --rootless)"
                    : ""));
        }
        if (failure.op() instanceof Op.Mask mask && failure.errno() == ENODEV) {
            return new ContainerException("masking " + mask.target() + ": the container's /dev/null is not the null device "
                    + "(a character device 1:3): refusing to bind it over a masked path");
        }
        if ((failure.op() instanceof Op.Mask || failure.op() instanceof Op.WriteProc) && failure.errno() == EXDEV) {
            return new ContainerException(failure.op().doing() + ": /proc or the file is not procfs's own "
                    + "(something is mounted over it): refused");
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
