package hako.cli;

import hako.Invocation;
import hako.container.ContainerPlan;
import hako.container.Handover;
import hako.container.Run;
import hako.net.NetworkRequest;
import hako.json.Json;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code hako plan [--bundle DIR] [--format text|json] [run's network flags] [ID]}: prints,
 * without doing any of it, everything {@code hako run} would do for the bundle, in order — the
 * very {@link ContainerPlan} that run carries out.
 */
final class PlanCommand {
    private PlanCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("plan").value("bundle", "b").value("format", "f")
                .value("network", "net").value("publish", "p").value("allow-from").value("egress").value("ip")
                .parse(argv);
        if (!args.positional().isEmpty()) args.one("at most one container id");
        Path bundle = Bundles.path(args.get("bundle", "."));
        globals.context = "planning bundle " + bundle;
        String id = args.positional().isEmpty() ? "ID" : args.positional().getFirst();
        String format = args.get("format", "text");
        if (!format.equals("text") && !format.equals("json")) throw new UsageException("plan", "--format is text or json, not " + format);
        NetworkRequest.Flags network = new NetworkRequest.Flags(args.get("network"), args.all("publish"),
                args.all("allow-from"), args.get("egress"), args.get("ip"));
        ContainerPlan plan = Run.plan(globals.root, id, bundle, Handover.NONE, network, globals.systemdCgroup);
        Invocation.current().out().print(format.equals("json") ? Json.write(plan.toJson()) + "\n" : plan.render());
        return 0;
    }
}
