package hako.cli;

import hako.container.Delete;
import hako.state.ContainerId;

import java.util.List;

/** {@code hako delete [--force] ID}. */
final class DeleteCommand {
    private DeleteCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("delete").flag("force", "f").parse(argv);
        String id = ContainerId.check(args.one("a container id"));
        globals.context = "deleting container \"" + id + "\"";
        Delete.delete(globals.root, id, args.has("force"));
        return 0;
    }
}
