package hako.cli;

import hako.Invocation;
import hako.launch.ContainerLog;
import hako.launch.Launch;
import hako.launch.LaunchStore;

import java.util.List;

/** {@code hako logs [-f] [--tail N] [-t] NAME}: a detached container's output, as docker logs prints it. */
final class LogsCommand {
    private LogsCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("logs").flag("follow", "f").value("tail", "n").flag("timestamps", "t").parse(argv);
        String name = args.one("a container name");
        globals.context = "reading the logs of container \"" + name + "\"";
        String tailText = args.get("tail", "all");
        int tail;
        try {
            tail = tailText.equals("all") ? -1 : Integer.parseInt(tailText);
        } catch (NumberFormatException e) {
            throw new UsageException("logs", "--tail takes a number of lines or \"all\", not \"" + tailText + "\"");
        }
        LaunchStore containers = LaunchCommand.containers(globals);
        Launch launch = new Launch(globals.root, globals.images(), containers);
        new ContainerLog(containers.find(name).log(), Invocation.current().out(), Invocation.current().err(), args.has("timestamps"))
                .print(tail, args.has("follow"), () -> launch.running(name));
        return 0;
    }
}
