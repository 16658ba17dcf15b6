package hako.plan;

import hako.spec.NamespaceType;
import hako.spec.Spec;

/** The spec's linux.namespaces as clone3 flags. */
final class Namespaces {
    private Namespaces() {}

    static long cloneFlags(Spec spec) {
        long flags = 0;
        int index = 0;
        for (Spec.Namespace namespace : spec.linux().namespaces()) {
            String at = "linux.namespaces[" + index++ + "]";
            if (namespace.path() != null && !namespace.path().isEmpty()) {
                throw new PlanException(at + ".path", "joining an existing namespace is not supported yet");
            }
            if (namespace.type() == NamespaceType.USER) {
                throw new PlanException(at, "user namespaces are not supported yet");
            }
            flags |= namespace.type().cloneFlag();
        }
        if ((flags & Flags.CLONE_NEWNS) == 0) {
            // Every mount hako makes would land in the host's mount table.
            throw new PlanException("linux.namespaces", "a new mount namespace is required");
        }
        return flags;
    }

    /** The clone flag of a namespace by its name under /proc/PID/ns. */
    static long cloneFlag(String procName) {
        for (NamespaceType type : NamespaceType.values()) {
            if (type.procName().equals(procName)) return type.cloneFlag();
        }
        throw new IllegalArgumentException("no namespace " + procName);
    }
}
