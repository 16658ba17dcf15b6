package hako.cli;

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
        Args args = new Args("stop").value("time", "t").value("signal", "s").parse(argv);
        if (args.positional().isEmpty()) throw new UsageException("stop", "a container name is required");
        long seconds;
        try {
            seconds = Long.parseLong(args.get("time", "10"));
        } catch (NumberFormatException e) {
            throw new UsageException("stop", "-t takes a number of seconds, not \"" + args.get("time") + "\"");
        }
        LaunchStore containers = LaunchCommand.containers(globals);
        Launch launch = new Launch(globals.root, globals.images(), containers);
        for (String name : args.positional()) {
            globals.context = "stopping container \"" + name + "\"";
            Object stopSignal = containers.find(name).record().get("stopSignal");
            String signal = args.get("signal", stopSignal instanceof String s ? s : "SIGTERM");
            launch.stop(name, Signals.parse(signal), seconds);
            System.out.println(name);
        }
        return 0;
    }
}
