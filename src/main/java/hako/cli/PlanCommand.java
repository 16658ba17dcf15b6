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
        String id = args.positional().isEmpty() ? "ID" : args.positional().getFirst();
        hako.plan.Plan plan = Run.plan(bundle, id);
        hako.spec.Spec spec = hako.spec.SpecReader.read(bundle);
        System.out.print(hako.cgroup.Cgroup.describe(id, spec.linux(), hako.cgroup.Delegation.of(spec)));
        System.out.print(plan.render());
        return 0;
    }
}
