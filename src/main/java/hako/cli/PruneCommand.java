package hako.cli;

import hako.Invocation;
import hako.image.ImageStore;

import java.util.List;

/**
 * {@code hako prune}: removes from the image store what no image references (layers, blobs),
 * what interrupted loads left (tmp/, lock files), and says what it freed.
 */
final class PruneCommand {
    private PruneCommand() {}

    static int run(Globals globals, List<String> argv) {
        if (!new Args("prune").parse(argv).positional().isEmpty()) throw new UsageException("prune", "takes no arguments");
        globals.context = "pruning the image store";
        ImageStore.Pruned pruned = globals.images().prune();
        for (String line : pruned.removed()) Invocation.current().out().println("removed " + line);
        Invocation.current().out().println("freed " + ImagesCommand.size(pruned.bytes()));
        return 0;
    }
}
