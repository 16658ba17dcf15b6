package hako.cli;

import hako.Invocation;
import hako.launch.Launch;
import hako.launch.LaunchStore;

import java.util.List;

/**
 * {@code hako stop [-t SECONDS] [-s SIGNAL] NAME…}: the image's StopSignal (SIGTERM when it has
 * none), then SIGKILL after the time (10 s), as docker stop.
 */
final class StopCommand {
    private StopCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = flags("stop").parse(argv);
        if (args.positional().isEmpty()) throw new UsageException("stop", "a container name is required");
        LaunchStore containers = LaunchCommand.containers(globals);
        Launch launch = new Launch(globals.root, globals.images(), containers);
        for (String name : args.positional()) {
            globals.context = "stopping container \"" + name + "\"";
            launch.stop(name, signal(args, containers, name), seconds("stop", args));
            Invocation.current().out().println(name);
        }
        return 0;
    }

    /** stop's flags, which restart takes too. */
    static Args flags(String command) {
        return new Args(command).value("time", "t").value("signal", "s");
    }

    static long seconds(String command, Args args) {
        try {
            return Long.parseLong(args.get("time", "10"));
        } catch (NumberFormatException e) {
            throw new UsageException(command, "-t takes a number of seconds, not \"" + args.get("time") + "\"");
        }
    }

    /** -s, or the StopSignal the container was launched with. */
    static int signal(Args args, LaunchStore containers, String name) {
        Object stopSignal = containers.find(name).record().get("stopSignal");
        return Signals.parse(args.get("signal", stopSignal instanceof String s ? s : "SIGTERM"));
    }
}
