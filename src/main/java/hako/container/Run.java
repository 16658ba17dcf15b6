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
    public static Plan plan(Path bundle) {
        return Planner.plan(SpecReader.read(bundle), bundle, false);
    }

    public static int foreground(StateDir states, String id, Path bundle, Path pidFile, String consoleSocket,
                                 NetworkRequest.Flags network) {
        try (Builder builder = new Builder(states, id, bundle, false, network)) {
            Terminals.check(builder.spec, consoleSocket, true);
            builder.build(pidFile);
            TerminalRelay relay = null;
            try (SignalForwarder forwarder = new SignalForwarder(builder.pid())) {
                if (builder.terminal() >= 0) {
                    if (consoleSocket != null) Terminals.sendToConsoleSocket(consoleSocket, builder.terminal());
                    else relay = TerminalRelay.start(builder.terminal());
                }
                builder.exec();
                return Libc.exitCode(builder.waitForExit());
            } finally {
                if (relay != null) relay.close();
                builder.abort();
            }
        }
    }

    public static void detached(StateDir states, String id, Path bundle, Path pidFile, String consoleSocket,
                                NetworkRequest.Flags network) {
        try (Builder builder = new Builder(states, id, bundle, false, network)) {
            Terminals.check(builder.spec, consoleSocket, false);
            builder.build(pidFile);
            if (builder.terminal() >= 0) {
                try {
                    Terminals.sendToConsoleSocket(consoleSocket, builder.terminal());
                } catch (RuntimeException e) {
                    builder.abort();
                    throw e;
                }
            }
            builder.exec();
        }
    }
}
