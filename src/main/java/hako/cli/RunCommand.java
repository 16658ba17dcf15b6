package hako.cli;

import hako.container.Run;
import hako.net.NetworkRequest;
import hako.state.ContainerId;
import hako.sys.Libc;

import java.nio.file.Path;
import java.util.List;

/** {@code hako run [--bundle DIR] [--pid-file FILE] ID}: runc's run, in the foreground. */
final class RunCommand {
    private RunCommand() {}

    static int run(Globals globals, List<String> argv) {
        Libc.prepareInBackground();
        Args args = new Args("run")
                .value("bundle", "b").value("pid-file").value("console-socket").value("preserve-fds")
                .value("network", "net").value("publish", "p").value("allow-from").value("egress").value("ip")
                .flag("detach", "d").flag("keep").flag("no-pivot").flag("no-new-keyring").flag("no-subreaper")
                .parse(argv);
        String id = ContainerId.check(args.one("a container id"));
        globals.context = "running container \"" + id + "\"";
        refuse(args, "detach", "console-socket", "no-pivot", "keep");
        if (args.get("preserve-fds") != null && !args.get("preserve-fds").equals("0")) {
            throw new UsageException("run", "--preserve-fds is not supported yet");
        }
        Path bundle = Bundles.path(args.get("bundle", "."));
        String pidFile = args.get("pid-file");
        return new Run(globals.root, id, bundle, pidFile == null ? null : Path.of(pidFile).toAbsolutePath(),
                new NetworkRequest.Flags(args.get("network"), args.all("publish"), args.all("allow-from"),
                        args.get("egress"), args.get("ip"))).run();
    }

    private static void refuse(Args args, String... unsupported) {
        for (String flag : unsupported) {
            if (args.get(flag) != null && !args.get(flag).equals("false") && !args.get(flag).isEmpty()) {
                throw new UsageException("run", "--" + flag + " is not supported yet");
            }
        }
    }
}
