package hako.container;

import hako.net.NetworkRequest;
import hako.plan.Plan;
import hako.plan.Planner;
import hako.spec.SpecReader;
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

    /** Loads and checks the bundle's spec, and plans the container, without touching anything. */
    public static Plan plan(Path bundle, String id) {
        return Planner.plan(SpecReader.read(bundle), new Planner.Request(bundle, false, false, Planner.sessionKeyring(id)));
    }

    /**
     * @param keep       leave the stopped container (state, cgroup) for a later delete, as runc's --keep
     * @param subreaper  become the reaper of what the container orphans, as runc does unless --no-subreaper
     */
    public static int foreground(StateDir states, String id, Path bundle, Handover handover,
                                 NetworkRequest.Flags network, boolean keep, boolean subreaper) {
        try (Builder builder = new Builder(states, id, bundle, false, handover, network)) {
            if (subreaper) Libc.becomeSubreaper();
            Terminals.check(builder.spec, handover.consoleSocket(), true);
            builder.build();
            TerminalRelay relay = null;
            boolean ran = false;
            try (SignalForwarder forwarder = new SignalForwarder(builder.pid())) {
                if (handover.consoleSocket() != null) builder.sendTerminal(handover.consoleSocket());
                else if (builder.terminal() >= 0) relay = TerminalRelay.start(builder.terminal());
                builder.exec();
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
                                NetworkRequest.Flags network) {
        try (Builder builder = new Builder(states, id, bundle, false, handover, network)) {
            Terminals.check(builder.spec, handover.consoleSocket(), false);
            builder.build();
            builder.sendTerminal(handover.consoleSocket());
            builder.exec();
        }
    }
}
