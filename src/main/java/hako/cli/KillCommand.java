package hako.cli;

import hako.container.Kill;
import hako.state.ContainerId;

import java.util.List;

/** {@code hako kill [--all] ID [SIGNAL]}: SIGTERM unless a signal is named or numbered. */
final class KillCommand {
    private KillCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("kill").flag("all", "a").parse(argv);
        List<String> positional = args.positional();
        if (positional.isEmpty() || positional.size() > 2) {
            throw new UsageException("kill", "usage: hako kill [--all] ID [SIGNAL]");
        }
        String id = ContainerId.check(positional.getFirst());
        globals.context = "killing container \"" + id + "\"";
        int signal = Signals.parse(positional.size() == 2 ? positional.get(1) : "TERM");
        Kill.kill(globals.root, id, signal, args.has("all"));
        return 0;
    }
}
