package hako.plan;

import hako.security.IdMaps;
import hako.stage.Op;
import java.util.List;

/**
 * Everything the kernel will be asked to do to build one container, in order: the stage's clone
 * into new namespaces, then the batches that the container's init runs before it execs.
 *
 * @param namespaces the stage's batch, ending with {@link Op.Clone}
 * @param mountUserns the user namespaces the runtime makes for the id-mapped mounts, passed to the
 *                   stage after the namespaces it joins (their {@link Op.OpenTree}s refer to them)
 * @param userns  the maps the runtime writes for init's new user namespace after the clone,
 *                before init's first batch; null when init makes none
 * @param rootfs  init's first batch: the root filesystem, up to and after pivot_root
 * @param process init's next batch: its terminal, identity and limits, and the executable found
 * @param start   init's last batch: (for create) the wait for start, then the exec
 * @param warnings what of the spec the plan passes over, in words for people (the caller says them once)
 */
public record Plan(List<IdMaps> mountUserns, List<Op> namespaces, IdMaps userns, List<Op> rootfs, List<Op> process, List<Op> start, List<String> warnings) {

    /** Every op of the stage and of init, in order: the batches one after the other. */
    public List<Op> ops() {
        return java.util.stream.Stream.of(namespaces, rootfs, process, start).flatMap(List::stream).toList();
    }

    /** Where init enters its root (pivot_root, or a chroot): the create hooks run just before. */
    public int enterRootIndex() {
        for (int i = 0; i < rootfs.size(); i++) {
            if (rootfs.get(i) instanceof Op.PivotRoot || rootfs.get(i) instanceof Op.Chroot
                    || rootfs.get(i) instanceof Op.MoveRoot) return i;
        }
        throw new IllegalStateException("a plan without pivot_root");
    }
}
