package hako.container;

import hako.net.NetworkRequest;
import hako.state.StateDir;

import java.nio.file.Path;

/**
 * {@code hako create}: builds the container — namespaces, root filesystem, identity — and leaves
 * its init blocked on the exec fifo until {@code hako start}. The init outlives this process: it
 * is inherited by our parent if that is a subreaper (conmon, a containerd shim), as with runc.
 */
public final class Create {
    private Create() {}

    /** @param systemdCgroup --systemd-cgroup: the container's cgroup is a systemd scope */
    public static void create(StateDir states, String id, Path bundle, Handover handover, boolean systemdCgroup) {
        try (Builder builder = Builder.of(states, new ContainerPlan.Request(id, bundle, true, false, handover, NetworkRequest.Flags.NONE,
                systemdCgroup))) {
            builder.build();
            builder.start();
        }
    }
}
