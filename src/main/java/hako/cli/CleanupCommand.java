package hako.cli;

import hako.launch.Launch;

import java.util.List;

/**
 * {@code hako cleanup NAME}: what conmon runs when a detached container's process has ended —
 * its runtime state deleted, its root filesystem unmounted, and with --rm its directory removed.
 */
final class CleanupCommand {
    private CleanupCommand() {}

    static int run(Globals globals, List<String> argv) {
        String name = new Args("cleanup").parse(argv).one("a container name");
        globals.context = "cleaning up container \"" + name + "\"";
        new Launch(globals.root, globals.images(), LaunchCommand.containers(globals)).cleanup(name, false);
        return 0;
    }
}
