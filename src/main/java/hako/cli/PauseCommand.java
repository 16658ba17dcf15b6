package hako.cli;

import hako.container.Pause;
import hako.state.ContainerId;

import java.util.List;

/** {@code hako pause ID} and {@code hako resume ID}. */
final class PauseCommand {
    private PauseCommand() {}

    static int pause(Globals globals, List<String> argv) {
        String id = ContainerId.check(new Args("pause").parse(argv).one("a container id"));
        globals.context = "pausing container \"" + id + "\"";
        Pause.pause(globals.root, id);
        return 0;
    }

    static int resume(Globals globals, List<String> argv) {
        String id = ContainerId.check(new Args("resume").parse(argv).one("a container id"));
        globals.context = "resuming container \"" + id + "\"";
        Pause.resume(globals.root, id);
        return 0;
    }
}
