package hako.cli;

import hako.Invocation;
import hako.launch.Launch;

import java.util.List;

/** {@code hako rm [-f] NAME…}: removes containers made by launch; -f stops one that still runs. */
final class RmCommand {
    private RmCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("rm").flag("force", "f").parse(argv);
        if (args.positional().isEmpty()) throw new UsageException("rm", "a container name is required");
        Launch launch = new Launch(globals.root, globals.images(), LaunchCommand.containers(globals));
        for (String name : args.positional()) {
            globals.context = "removing container \"" + name + "\"";
            launch.remove(name, args.has("force"));
            Invocation.current().out().println(name);
        }
        return 0;
    }
}
