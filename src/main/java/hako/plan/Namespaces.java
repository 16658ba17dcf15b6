package hako.plan;

import hako.stage.Op;
import hako.sys.Caller;
import hako.spec.NamespaceType;
import hako.spec.Spec;

import java.util.ArrayList;
import java.util.List;

/** The spec's linux.namespaces as clone3 flags. */
final class Namespaces {
    private Namespaces() {}

    /**
     * The stage's batch: the id-mapped mounts' trees first (while the stage is still root on the
     * host), a setns for each namespace the spec names by path (a pod's network, for instance),
     * then clone3 with a flag for each namespace to create.
     *
     * <p>A new user namespace comes with the others in the one clone3: the kernel makes it first,
     * so that every other new namespace is owned by it (runc's clone-then-unshare gets the same).
     * A user namespace joined by path is joined after the others, as runc does first: root can
     * join a namespace of the host's only before it leaves the host's user namespace. A rootless
     * caller has no right to join anything before it is in the user namespace: it joins that first.
     *
     * @param trees the id-mapped mounts' {@link Op.OpenTree}s, whose descriptors come after the setns ones
     */
    static List<Op> enter(Spec spec, Caller caller, List<Op.OpenTree> trees) {
        List<Op> ops = new ArrayList<>(trees);
        List<Op.SetNs> joins = new ArrayList<>();
        Op.SetNs joinUser = null;
        long flags = 0;
        for (Spec.Namespace namespace : spec.linux().namespaces()) {
            if (namespace.path() == null) {
                flags |= namespace.type().cloneFlag();
            } else if (namespace.type() == NamespaceType.USER) {
                joinUser = new Op.SetNs(0, namespace.path(), namespace.type().cloneFlag());
            } else {
                joins.add(new Op.SetNs(0, namespace.path(), namespace.type().cloneFlag()));
            }
        }
        if (joinUser != null) joins.add(caller.rootless() ? 0 : joins.size(), joinUser);
        // Descriptors are passed in the order of the ops that take them.
        for (int i = 0; i < joins.size(); i++) ops.add(new Op.SetNs(i, joins.get(i).path(), joins.get(i).nstype()));
        List<Spec.TimeOffset> offsets = spec.linux().timeOffsets();
        if (!offsets.isEmpty()) {
            // The stage makes the time namespace itself, to set its clocks before init enters it.
            StringBuilder text = new StringBuilder();
            for (Spec.TimeOffset offset : offsets) {
                text.append(offset.clock()).append(' ').append(offset.secs()).append(' ').append(offset.nanosecs()).append('\n');
            }
            ops.add(new Op.TimeOffsets(text.toString()));
            flags &= ~NamespaceType.TIME.cloneFlag();
        }
        // The container's cgroup comes after the namespaces' descriptors.
        int setns = (int) ops.stream().filter(op -> op instanceof Op.SetNs).count();
        ops.add(new Op.Clone(flags, setns));
        return List.copyOf(ops);
    }

    /** The clone flag of a namespace by its name under /proc/PID/ns. */
    static long cloneFlag(String procName) {
        for (NamespaceType type : NamespaceType.values()) {
            if (type.procName().equals(procName)) return type.cloneFlag();
        }
        throw new IllegalArgumentException("no namespace " + procName);
    }
}
