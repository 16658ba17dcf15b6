package hako.cli;

import hako.container.Handover;
import hako.container.Run;
import hako.net.NetworkRequest;
import hako.state.ContainerId;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code hako run [--bundle DIR] [--pid-file FILE] [--detach] [--console-socket SOCK] [network flags] ID};
 * the network flags (--network, -p, --allow-from, --egress, --ip) are hako's own, docs/network.md.
 */
final class RunCommand {
    private RunCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = CreateCommand.flags("run").flag("detach", "d").flag("keep").flag("no-subreaper")
                .value("network", "net").value("publish", "p").value("allow-from").value("egress").value("ip")
                .parse(argv);
        String id = ContainerId.check(args.one("a container id"));
        globals.context = "running container \"" + id + "\"";
        Path bundle = Bundles.path(args.get("bundle", "."));
        Handover handover = CreateCommand.handover(args);
        NetworkRequest.Flags network = new NetworkRequest.Flags(args.get("network"), args.all("publish"),
                args.all("allow-from"), args.get("egress"), args.get("ip"));
        if (args.has("detach")) {
            if (args.has("keep")) throw new UsageException("run", "--keep and --detach do not go together");
            Run.detached(globals.root, id, bundle, handover, network, globals.systemdCgroup);
            return 0;
        }
        return Run.foreground(globals.root, id, bundle, handover, network, args.has("keep"), !args.has("no-subreaper"),
                globals.systemdCgroup);
    }
}
