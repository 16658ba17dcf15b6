package hako.cli;

import hako.Invocation;
import hako.launch.Launch;
import hako.launch.LaunchOptions;
import hako.launch.LaunchStore;
import hako.launch.LaunchedContainer;

import java.util.List;

/**
 * {@code hako launch [flags] IMAGE [COMMAND [ARG…]]}: docker's and podman's {@code run}, under
 * its own name so that runc's {@code run ID} keeps its meaning. The flags are docker's.
 */
final class LaunchCommand {
    private LaunchCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("launch").flag("rm").flag("detach", "d").flag("interactive", "i").flag("tty", "t")
                .value("name").value("env", "e").value("env-file").value("volume", "v").value("tmpfs").value("workdir", "w")
                .value("user", "u").value("hostname", "h").value("entrypoint").flag("read-only").value("memory", "m")
                .value("cpus").value("pids-limit").value("cap-add").value("cap-drop").value("security-opt").flag("init")
                .value("publish", "p").value("network", "net").value("allow-from").value("egress")
                .parse(argv, 1);
        if (args.positional().isEmpty()) throw new UsageException("launch", "an image is required");
        String image = args.positional().getFirst();
        LaunchOptions options = new LaunchOptions(image, List.copyOf(args.positional().subList(1, args.positional().size())),
                args.get("name"), args.has("rm"), args.has("detach"), args.has("interactive"), args.has("tty"),
                args.all("env"), args.all("env-file"), args.all("volume"), args.all("tmpfs"), args.get("workdir"),
                args.get("user"), args.get("hostname"), args.get("entrypoint"), args.has("read-only"), args.get("memory"),
                args.get("cpus"), args.get("pids-limit"), args.all("cap-add"), args.all("cap-drop"), args.all("security-opt"),
                args.has("init"), args.all("publish"), args.get("network"), args.all("allow-from"), args.get("egress"));
        globals.context = "launching " + image;
        Launch launch = new Launch(globals.root, globals.images(), containers(globals));
        LaunchedContainer container = launch.prepare(options, Names.split(image), Invocation.current().env());
        globals.context = "running container \"" + container.name() + "\"";
        if (!options.detach()) return launch.foreground(container, options);
        launch.detached(container, options, launcher(), runtimeFlags(globals));
        Invocation.current().out().println(container.name());
        return 0;
    }

    /** The hako that conmon runs: the launcher that started this JVM (bin/hako and the installed one say). */
    static String launcher() {
        String launcher = Invocation.current().env("HAKO_LAUNCHER");
        if (launcher == null || launcher.isEmpty()) {
            throw new UsageException("launch", "-d needs $HAKO_LAUNCHER, the path of hako's launcher, which bin/hako sets");
        }
        return launcher;
    }

    /** The global flags every hako run for this container gets, so that all of them use one state and store. */
    static List<String> runtimeFlags(Globals globals) {
        return List.of("--root", globals.root.root().toAbsolutePath().toString(),
                "--image-root", globals.images().root().toString());
    }

    static LaunchStore containers(Globals globals) {
        return LaunchStore.besideImages(globals.images().root());
    }
}
