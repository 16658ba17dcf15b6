package hako.cli;

import hako.container.Create;
import hako.state.ContainerId;
import hako.sys.Libc;

import java.nio.file.Path;
import java.util.List;

/** {@code hako create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] ID}. */
final class CreateCommand {
    private CreateCommand() {}

    /** The flags create and run share, as runc names them. */
    static Args flags(String command) {
        return new Args(command)
                .value("bundle", "b").value("pid-file").value("console-socket").value("preserve-fds")
                .flag("no-pivot").flag("no-new-keyring");
    }

    static void refuseUnsupported(Args args) {
        if (args.has("no-pivot")) throw new UsageException(null, "--no-pivot is not supported yet");
        String preserve = args.get("preserve-fds");
        if (preserve != null && !preserve.equals("0")) throw new UsageException(null, "--preserve-fds is not supported yet");
        // --no-new-keyring asks for what hako always does: it makes no session keyring.
    }

    static Path pidFile(Args args) {
        String pidFile = args.get("pid-file");
        return pidFile == null ? null : Path.of(pidFile).toAbsolutePath();
    }

    static int run(Globals globals, List<String> argv) {
        Libc.prepareInBackground();
        Args args = flags("create").parse(argv);
        String id = ContainerId.check(args.one("a container id"));
        globals.context = "creating container \"" + id + "\"";
        refuseUnsupported(args);
        Create.create(globals.root, id, Bundles.path(args.get("bundle", ".")), pidFile(args), args.get("console-socket"));
        return 0;
    }
}
