package hako.cli;

import hako.Invocation;
import hako.container.Create;
import hako.container.Handover;
import hako.state.ContainerId;

import java.nio.file.Path;
import java.util.List;

/** {@code hako create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] ID}. */
final class CreateCommand {
    private CreateCommand() {}

    /** The flags create and run share, as runc names them. */
    static Args flags(String command) {
        return new Args(command)
                .value("bundle", "b").value("pid-file").value("console-socket").value("pidfd-socket").value("preserve-fds")
                .flag("no-pivot").flag("no-new-keyring");
    }

    /** --pid-file, --console-socket, --pidfd-socket and --preserve-fds, which create, run and exec share. */
    static Handover handover(Args args) {
        Invocation caller = Invocation.current();
        return new Handover(caller.pathOrNull(args.get("pid-file")),
                java.util.Objects.toString(caller.pathOrNull(args.get("console-socket")), null),
                preserveFds(args.get("preserve-fds")), args.has("no-pivot"), args.has("no-new-keyring"),
                java.util.Objects.toString(caller.pathOrNull(args.get("pidfd-socket")), null));
    }

    private static int preserveFds(String text) {
        if (text == null) return 0;
        try {
            int count = Integer.parseInt(text);
            // The stage's argument has the same bound: descriptors up to about 2^31.
            if (count >= 0 && count < 1 << 20) return count;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException(null, "--preserve-fds takes a number of descriptors, not \"" + text + "\"");
    }

    static int run(Globals globals, List<String> argv) {
        Args args = flags("create").parse(argv);
        String id = ContainerId.check(args.one("a container id"));
        globals.context = "creating container \"" + id + "\"";
        Create.create(globals.root, id, Bundles.path(args.get("bundle", ".")), handover(args), globals.systemdCgroup);
        return 0;
    }
}
