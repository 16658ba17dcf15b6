package hako.cli;

import hako.launch.Launch;

import java.util.List;

/**
 * {@code hako cleanup [--run TOKEN] NAME}: what conmon runs when a detached container's process
 * has ended — its runtime state deleted, its root filesystem unmounted, and with --rm its
 * directory removed. A monitor a restart has replaced gives its old token, and nothing happens.
 */
final class CleanupCommand {
    private CleanupCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("cleanup").value("run").parse(argv);
        String name = args.one("a container name");
        globals.context = "cleaning up container \"" + name + "\"";
        new Launch(globals.root, globals.images(), LaunchCommand.containers(globals)).cleanup(name, false, args.get("run"));
        return 0;
    }
}
