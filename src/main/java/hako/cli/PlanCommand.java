package hako.cli;

import hako.container.Run;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code hako plan [--bundle DIR]}: prints, without running anything, the kernel operations that
 * {@code hako run} would perform for the bundle, in order.
 */
final class PlanCommand {
    private PlanCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("plan").value("bundle", "b").parse(argv);
        if (!args.positional().isEmpty()) args.one("at most one container id");
        Path bundle = Bundles.path(args.get("bundle", "."));
        globals.context = "planning bundle " + bundle;
        System.out.print(Run.plan(bundle).render());
        return 0;
    }
}
