package hako.cli;

import hako.Invocation;
import hako.launch.Launch;
import hako.launch.LaunchStore;

import java.util.List;

/**
 * {@code hako restart [-t SECONDS] [-s SIGNAL] NAME…}: stopped as by {@code hako stop}, then
 * started again detached with the flags it was launched with, as docker restart.
 */
final class RestartCommand {
    private RestartCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = StopCommand.flags("restart").parse(argv);
        if (args.positional().isEmpty()) throw new UsageException("restart", "a container name is required");
        LaunchStore containers = LaunchCommand.containers(globals);
        Launch launch = new Launch(globals.root, globals.images(), containers);
        for (String name : args.positional()) {
            globals.context = "restarting container \"" + name + "\"";
            launch.restart(name, StopCommand.signal(args, containers, name), StopCommand.seconds("restart", args),
                    LaunchCommand.launcher(), LaunchCommand.runtimeFlags(globals));
            Invocation.current().out().println(name);
        }
        return 0;
    }
}
