package hako.container;

import hako.state.Status;
import hako.cgroup.CgroupPlan;
import hako.cgroup.Delegation;
import hako.cgroup.Hierarchy;
import hako.sys.Caller;
import hako.spec.Hooks;
import hako.net.NetworkRequest;
import hako.net.NetworkShape;
import hako.net.Networking;
import hako.stage.Op;
import hako.plan.Plan;
import hako.plan.Planner;
import hako.rootfs.Rootfs;
import hako.spec.Spec;
import hako.spec.SpecReader;
import hako.state.StateDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code create} or {@code run} does to build one container, in the order it
 * happens: the runtime's own steps (state, network, fifo, cgroup, hooks) interleaved with the
 * stage's and init's batches. It is made once, from the bundle and the request, before anything
 * on the machine changes; {@link Builder} only walks it, and {@code hako plan} prints this very
 * object.
 *
 * @param spec  the spec as planned (with the network's namespace and /etc mounts)
 * @param build the steps up to the point where only the exec is left
 * @param start {@code create}: init's wait for start; {@code run}: the start hooks and the exec
 */
public record ContainerPlan(String id, Path bundle, Spec spec, Hooks hooks, NetworkRequest network,
                            List<Step> build, List<Step> start, List<String> warnings) {

    /**
     * What the caller asks for besides the bundle.
     *
     * @param waitForStart {@code create}: init waits on the exec fifo for {@code start}
     * @param foreground   {@code run} in the foreground: hako relays the terminal itself
     * @param network      {@code run}'s network flags; {@link NetworkRequest.Flags#NONE} reads the bundle's annotations
     * @param systemdCgroup  --systemd-cgroup: the cgroup is a systemd unit (hako.cgroup.SystemdScope)
     */
    public record Request(String id, Path bundle, boolean waitForStart, boolean foreground, Handover handover,
                          NetworkRequest.Flags network, boolean systemdCgroup) {
        public Request(String id, Path bundle, boolean waitForStart, boolean foreground, Handover handover, NetworkRequest.Flags network) {
            this(id, bundle, waitForStart, foreground, handover, network, false);
        }
    }

    /** Reads, checks and plans the bundle: bad input fails here, before anything exists. */
    public static ContainerPlan of(StateDir states, Request request) {
        return of(states, request, Hierarchy.current());
    }

    /** @param cgroups the cgroup v2 tree the container's cgroup goes in (a fake one in tests) */
    static ContainerPlan of(StateDir states, Request request, Hierarchy cgroups) {
        Spec read = SpecReader.read(request.bundle());
        Path rootfs = Rootfs.path(read, request.bundle());
        if (!Files.isDirectory(rootfs)) {
            throw new ContainerException("root.path: the root filesystem " + rootfs + " is not a directory");
        }
        String id = request.id();
        Handover handover = request.handover();
        Terminals.check(read, handover.consoleSocket(), request.foreground());
        Hooks hooks = read.hooks();
        // Flags (run) or the bundle's dev.hako.* annotations; none at all: no network is managed.
        NetworkRequest network = request.network().resolve(read.annotations());
        Path dir = states.dir(id);
        // Said before the cgroup's or the network's checks, which would see the other container.
        if (Files.exists(dir)) throw new hako.state.StateException("container \"" + id + "\" already exists");
        NetworkShape shape = network.mode() == NetworkRequest.Mode.UNMANAGED ? NetworkShape.UNMANAGED
                : Networking.forStateRoot(states.root()).shape(id, network, dir);
        Spec spec = shape.applyTo(read);
        Plan plan = Planner.plan(spec, new Planner.Request(request.bundle(), request.waitForStart(), handover.noPivot(),
                sessionKeyring(id, handover), Caller.current(), shape.files(), hako.security.Lsm.host()));
        CgroupPlan cgroup = cgroup(id, spec, cgroups, request.systemdCgroup());
        Delegation delegation = cgroup == null ? null : Delegation.of(spec);

        List<Step> build = new ArrayList<>();
        build.add(new Step.ClaimState(dir));
        if (network.mode() != NetworkRequest.Mode.UNMANAGED) build.add(new Step.PrepareNetwork(network, hostname(spec, id), dir));
        if (request.waitForStart()) build.add(new Step.MakeFifo(states.fifo(id)));
        if (cgroup != null) build.add(new Step.MakeCgroup(cgroup));
        if (delegation != null) build.add(new Step.DelegateCgroup(delegation, cgroup.path()));
        if (!plan.mountUserns().isEmpty()) build.add(new Step.MakeMountUserNamespaces(plan.mountUserns()));
        build.add(new Step.CloneInit(cgroup != null ? plan.namespaces() : withoutCgroup(plan.namespaces())));
        build.add(new Step.SaveState(Status.CREATING));
        if (plan.userns() != null) build.add(new Step.MapUserNamespace(plan.userns()));
        if (network.mode() != NetworkRequest.Mode.UNMANAGED) build.add(new Step.WireNetwork(network));
        if (network.mode() == NetworkRequest.Mode.NONE && Caller.current().rootless()) {
            // Outside the container's user namespace the runtime may not enter its network's.
            build.add(new Step.InitBatch("bring up the loopback", List.of(new Op.LinkUp("lo"))));
        }
        if (!spec.linux().netDevices().isEmpty()) build.add(new Step.MoveNetDevices(spec.linux().netDevices()));
        // The create hooks where the spec puts them: once the mounts are made, before pivot_root.
        List<Op> mounts = plan.rootfs();
        int pivot = plan.enterRootIndex();
        build.add(new Step.InitBatch("build the root filesystem", mounts.subList(0, pivot)));
        addHooks(build, hooks, Hooks.PRESTART, Step.HookPlace.HOST);
        addHooks(build, hooks, Hooks.CREATE_RUNTIME, Step.HookPlace.HOST);
        addHooks(build, hooks, Hooks.CREATE_CONTAINER, Step.HookPlace.CONTAINER_BEFORE_PIVOT);
        build.add(new Step.InitBatch("enter the root filesystem", mounts.subList(pivot, mounts.size())));
        build.add(new Step.InitBatch("become the container's process", plan.process()));
        if (handover.pidFile() != null || handover.pidfdSocket() != null) {
            build.add(new Step.HandOverPid(handover.pidFile(), handover.pidfdSocket()));
        }
        if (spec.process().terminal() && handover.consoleSocket() != null) build.add(new Step.SendTerminal(handover.consoleSocket()));

        List<Step> start = new ArrayList<>();
        if (request.waitForStart()) {
            start.add(new Step.AwaitStart(plan.start()));
            start.add(new Step.SaveState(Status.CREATED));
        } else {
            addHooks(start, hooks, Hooks.START_CONTAINER, Step.HookPlace.AS_THE_PROCESS);
            start.add(new Step.Exec(plan.start()));
            start.add(new Step.SaveState(Status.RUNNING));
            start.add(new Step.Unlock());
            addHooks(start, hooks, Hooks.POSTSTART, Step.HookPlace.HOST);
        }
        return new ContainerPlan(id, request.bundle(), spec, hooks, network, List.copyOf(build), List.copyOf(start), plan.warnings());
    }

    /**
     * The container's cgroup. A caller that is not root on the host (rootless, or root in a user
     * namespace: under rootless podman) gets one only where it may make it (a subtree delegated
     * to it), else none, unless the spec asks for limits: runc's rootless cgroups. Device rules
     * do not count (runc's rootless manager ignores them: the device nodes are the host's own,
     * bound, and the kernel's permissions on them still hold).
     */
    private static CgroupPlan cgroup(String id, Spec spec, Hierarchy cgroups, boolean systemd) {
        if (!Caller.current().unprivileged()) return CgroupPlan.of(id, spec, cgroups, systemd);
        hako.spec.Resources asked = spec.linux().resources();
        boolean limited = CgroupPlan.asksForAnything(asked == null ? null : asked.withoutDevices());
        // systemd --user makes a rootless caller's unit, delegated to it: as runc, no fallback
        if (systemd) return CgroupPlan.of(id, spec, cgroups, true).withoutDeviceFilter();
        try {
            CgroupPlan planned = CgroupPlan.of(id, spec.linux(), cgroups);
            if (planned == null) return null;
            if (planned.makeable()) return planned.withoutDeviceFilter();
        } catch (hako.cgroup.CgroupException e) {
            if (limited) throw e;
            return null;
        }
        if (limited) {
            throw new ContainerException("linux.resources: a rootless container's limits need a cgroup its user may write "
                    + "(a delegated one, see linux.cgroupsPath); remove them to run without a cgroup");
        }
        return null;
    }

    /** runc's container session keyring, unless --no-new-keyring. */
    static String sessionKeyring(String id, Handover handover) {
        return handover.noNewKeyring() ? null : Planner.sessionKeyring(id);
    }

    /** The name in the container's /etc files: its hostname, or its id when it has none. */
    private static String hostname(Spec spec, String id) {
        return spec.hostname() == null || spec.hostname().isEmpty() ? id : spec.hostname();
    }

    /** A host without cgroup v2: the clone goes without one. */
    private static List<Op> withoutCgroup(List<Op> batch) {
        List<Op> ops = new ArrayList<>(batch);
        ops.set(ops.size() - 1, new Op.Clone(((Op.Clone) ops.getLast()).flags(), Op.Clone.NO_CGROUP));
        return List.copyOf(ops);
    }

    private static void addHooks(List<Step> steps, Hooks hooks, String kind, Step.HookPlace place) {
        if (!hooks.of(kind).isEmpty()) steps.add(new Step.RunHooks(kind, hooks.of(kind), place));
    }

    /** Every step, build then start. */
    public List<Step> steps() {
        List<Step> all = new ArrayList<>(build);
        all.addAll(start);
        return all;
    }

    /** The container's cgroup as planned; null on a host without cgroup v2. */
    CgroupPlan cgroup() {
        for (Step step : build) {
            if (step instanceof Step.MakeCgroup make) return make.cgroup();
        }
        return null;
    }

    /** The plan as people read it: a heading for each step, naming who performs it, then its operations. */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (String warning : warnings) out.append("# warning: ").append(warning).append('\n');
        for (Step step : steps()) {
            out.append("# ").append(step.who()).append(": ").append(step.title()).append('\n');
            for (String line : step.lines()) out.append("  ").append(line).append('\n');
        }
        return out.toString();
    }

    /** The plan as JSON values ({@link hako.json.Json}): each step with its kind, who, title and lines, and the stage's ops as data. */
    public Map<String, Object> toJson() {
        List<Object> steps = new ArrayList<>();
        for (Step step : steps()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("step", step.getClass().getSimpleName());
            json.put("who", step.who());
            json.put("title", step.title());
            json.put("lines", step.lines());
            List<Op> ops = switch (step) {
                case Step.CloneInit s -> s.ops();
                case Step.InitBatch s -> s.ops();
                case Step.AwaitStart s -> s.ops();
                case Step.Exec s -> s.ops();
                default -> List.of();
            };
            if (!ops.isEmpty()) json.put("ops", ops.stream().map(ContainerPlan::opJson).toList());
            steps.add(json);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("bundle", bundle.toString());
        json.put("warnings", warnings);
        json.put("steps", steps);
        return json;
    }

    /** One op as its record's components: what the stage is sent, by name. */
    private static Map<String, Object> opJson(Op op) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("op", op.getClass().getSimpleName());
        json.putAll(components((Record) op));
        return json;
    }

    private static Map<String, Object> components(Record record) {
        Map<String, Object> json = new LinkedHashMap<>();
        for (var component : record.getClass().getRecordComponents()) {
            try {
                json.put(component.getName(), jsonValue(component.getAccessor().invoke(record)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return json;
    }

    /** A component as JSON: records by their components, a CPU set as a list, bytes by their count. */
    private static Object jsonValue(Object value) {
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Number n -> n;
            case Boolean b -> b;
            case java.util.BitSet bits -> hako.spec.CpuList.format(bits);
            case byte[] bytes -> bytes.length + " bytes";
            case List<?> list -> list.stream().map(ContainerPlan::jsonValue).toList();
            case Record record -> components(record);
            default -> value.toString();
        };
    }
}
