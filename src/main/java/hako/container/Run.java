package hako.container;

import hako.net.NetworkRequest;
import hako.state.StateDir;
import hako.sys.Libc;

import java.nio.file.Path;

/**
 * {@code hako run}: create and start in one. In the foreground (the default) hako stays with the
 * process — stdio or its terminal, signals passed on — and removes the container when it ends,
 * returning its exit code; {@code --detach} leaves it running, as {@code create} + {@code start}.
 */
public final class Run {
    private Run() {}

    /** What {@code run} would do with the bundle, planned without touching anything. */
    public static ContainerPlan plan(StateDir states, String id, Path bundle, Handover handover, NetworkRequest.Flags network,
                                     boolean systemdCgroup) {
        return ContainerPlan.of(states, new ContainerPlan.Request(id, bundle, false, true, handover, network, systemdCgroup));
    }

    /**
     * @param keep       leave the stopped container (state, cgroup) for a later delete, as runc's --keep
     * @param subreaper  become the reaper of what the container orphans, as runc does unless --no-subreaper
     * @param systemdCgroup --systemd-cgroup: the container's cgroup is a systemd scope
     */
    public static int foreground(StateDir states, String id, Path bundle, Handover handover,
                                 NetworkRequest.Flags network, boolean keep, boolean subreaper, boolean systemdCgroup) {
        try (Builder builder = Builder.of(states, new ContainerPlan.Request(id, bundle, false, true, handover, network, systemdCgroup))) {
            if (subreaper) ContainerCalls.kernel().becomeSubreaper();
            builder.build();
            TerminalRelay relay = null;
            boolean ran = false;
            try (hako.sys.Children.Forwarding forwarder = hako.Invocation.current().children().forwardSignals(builder.pid())) {
                if (builder.terminal() >= 0) relay = TerminalRelay.start(builder.terminal());
                builder.start();
                int status = builder.waitForExit();
                ran = true;
                return Libc.exitCode(status);
            } finally {
                if (relay != null) relay.close();
                if (!ran || !keep) builder.abort();
            }
        }
    }

    public static void detached(StateDir states, String id, Path bundle, Handover handover,
                                NetworkRequest.Flags network, boolean systemdCgroup) {
        try (Builder builder = Builder.of(states, new ContainerPlan.Request(id, bundle, false, false, handover, network, systemdCgroup))) {
            builder.build();
            builder.start();
        }
    }
}
