package hako.cli;

import hako.container.Start;
import hako.state.ContainerId;

import java.util.List;

/** {@code hako start ID}: the process of a created container execs. */
final class StartCommand {
    private StartCommand() {}

    static int run(Globals globals, List<String> argv) {
        String id = ContainerId.check(new Args("start").parse(argv).one("a container id"));
        globals.context = "starting container \"" + id + "\"";
        Start.start(globals.root, id);
        return 0;
    }
}
