package hako.cli;

import hako.container.Run;
import hako.net.NetworkRequest;
import hako.state.ContainerId;
import hako.sys.Libc;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code hako run [--bundle DIR] [--pid-file FILE] [--detach] [--console-socket SOCK] [network flags] ID};
 * the network flags (--network, -p, --allow-from, --egress, --ip) are hako's own, docs/network.md.
 */
final class RunCommand {
    private RunCommand() {}

    static int run(Globals globals, List<String> argv) {
        Libc.prepareInBackground();
        Args args = CreateCommand.flags("run").flag("detach", "d").flag("keep").flag("no-subreaper")
                .value("network", "net").value("publish", "p").value("allow-from").value("egress").value("ip")
                .parse(argv);
        String id = ContainerId.check(args.one("a container id"));
        globals.context = "running container \"" + id + "\"";
        CreateCommand.refuseUnsupported(args);
        if (args.has("keep")) throw new UsageException("run", "--keep is not supported yet");
        Path bundle = Bundles.path(args.get("bundle", "."));
        Path pidFile = CreateCommand.pidFile(args);
        String console = args.get("console-socket");
        NetworkRequest.Flags network = new NetworkRequest.Flags(args.get("network"), args.all("publish"),
                args.all("allow-from"), args.get("egress"), args.get("ip"));
        if (args.has("detach")) {
            Run.detached(globals.root, id, bundle, pidFile, console, network);
            return 0;
        }
        return Run.foreground(globals.root, id, bundle, pidFile, console, network);
    }
}
