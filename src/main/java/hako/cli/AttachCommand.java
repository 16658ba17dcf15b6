package hako.cli;

import hako.launch.Attach;
import hako.launch.Launch;
import hako.launch.LaunchException;
import hako.launch.LaunchStore;
import hako.launch.LaunchedContainer;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.util.List;

/**
 * {@code hako attach [--no-stdin] [--detach-keys KEYS] NAME}: this terminal joined to a detached
 * container's streams until it ends (its exit code is attach's) or the detach keys (ctrl-p
 * ctrl-q) leave it running, as docker attach.
 */
final class AttachCommand {
    private AttachCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("attach").flag("no-stdin").value("detach-keys").parse(argv);
        String name = args.one("a container name");
        globals.context = "attaching to container \"" + name + "\"";
        LaunchStore containers = LaunchCommand.containers(globals);
        Launch launch = new Launch(globals.root, globals.images(), containers);
        LaunchedContainer container = containers.find(name);
        if (!launch.running(name)) throw new LaunchException("container \"" + name + "\" is not running");
        Attach.Ending ending = Attach.attach(container, !args.has("no-stdin"), args.get("detach-keys", "ctrl-p,ctrl-q"),
                new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
        if (ending == Attach.Ending.DETACHED) return 0;
        Integer code = launch.awaitExitCode(container, 5_000);
        return code == null ? 0 : code;
    }
}
