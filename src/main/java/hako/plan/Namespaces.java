package hako.plan;

import hako.spec.NamespaceType;
import hako.spec.Spec;

import java.util.ArrayList;
import java.util.List;

/** The spec's linux.namespaces as clone3 flags. */
final class Namespaces {
    private Namespaces() {}

    /**
     * The stage's batch: a setns for each namespace the spec names by path (a pod's network, for
     * instance), then clone3 with a flag for each namespace to create.
     */
    static List<Op> enter(Spec spec) {
        List<Op> ops = new ArrayList<>();
        long flags = 0;
        int index = 0;
        for (Spec.Namespace namespace : spec.linux().namespaces()) {
            String at = "linux.namespaces[" + index++ + "]";
            if (namespace.type() == NamespaceType.USER) {
                throw new PlanException(at, "user namespaces are not supported yet");
            }
            if (namespace.path() == null) {
                flags |= namespace.type().cloneFlag();
            } else {
                ops.add(new Op.SetNs(ops.size(), namespace.path(), namespace.type().cloneFlag()));
            }
        }
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
