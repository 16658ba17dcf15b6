package hako.cli;

import hako.Invocation;
import hako.Warnings;
import hako.spec.Spec;
import hako.sys.Libc;
import hako.state.StateDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The command line: runc's global flags, then one command. Each command is its own class, loaded
 * only when it runs: start-up time is a feature.
 */
public final class Hako {
    static final String VERSION = "0.1.0";

    private static final String USAGE = """
            usage: hako [global flags] COMMAND [flags] [ID]

            commands:
              create    build a container from a bundle; its process waits for start
              start     start the process of a created container
              run       create and start, in the foreground unless --detach
              state     print a container's OCI state
              kill      send a signal to a container's process (--all: to every process in it)
              delete    remove a stopped container (--force: stop it first)
              exec      run a new process in a running container
              pause     freeze every process of a container
              resume    thaw a paused container
              update    change a running container's resource limits
              events    a container's usage and OOM kills, as JSON lines (--stats: once)
              list      list containers
              ps        list a container's processes; without an id, the launched containers
              plan      print the kernel operations that run would perform, without running anything
              spec      write a default config.json into the bundle
              features  print what this hako supports (OCI features JSON)
              network   create, list, inspect and remove networks (hako network help)
              image     load an image into the local store, or inspect one (hako image help)
              pull      pull an image from a registry into the local store
              images    list the images in the local store
              rmi       remove an image, and the layers no other image uses
              prune     remove what no image uses and what interrupted loads left
              launch    run a container from an image in one line (docker's run; -d with conmon)
              stop      stop a launched container: its StopSignal, then SIGKILL (-t SECONDS)
              rm        remove launched containers (-f: running ones too)
              logs      a detached container's output (-f, --tail N, -t)
              restart   stop a launched container and start it again, detached
              attach    join this terminal to a detached container (ctrl-p ctrl-q leaves it)
              inspect   a launched container (or an image) as JSON, or through -f TEMPLATE

            global flags:
              --root DIR          state directory (default /run/hako; $XDG_RUNTIME_DIR/hako when not root)
              --image-root DIR    the image store (default /var/lib/hako/images; beside --root when given)
              --registries-conf FILE  registries.conf to read alone (default: podman's files)
              --log FILE          also write errors to FILE
              --log-format FMT    text or json (the format of --log)
              --systemd-cgroup    make containers' cgroups systemd scopes (linux.cgroupsPath slice:prefix:name)
              --debug             show stack traces
              -v, --version       print the version
            """;

    private static final java.util.Set<String> USES_THE_KERNEL = java.util.Set.of(
            "create", "start", "run", "exec", "kill", "delete", "pause", "resume", "update", "events", "launch", "stop", "rm", "cleanup",
            "restart", "attach");

    private Hako() {}

    public static int main(String[] argv) {
        Globals globals = new Globals();
        try {
            Args args = new Args(null)
                    .value("root").value("image-root").value("registries-conf").value("log").value("log-format").value("criu").value("rootless")
                    .flag("debug").flag("systemd-cgroup").flag("version", "v").flag("help", "h")
                    .parse(Arrays.asList(argv), 1);
            globals.debug = args.has("debug");
            globals.log = Log.open(args.get("log"), args.get("log-format", "text"));
            Warnings.sendTo(globals.log::warning);
            globals.explicitRoot = args.get("root") != null;
            globals.imageRoot = java.util.Objects.toString(Invocation.current().pathOrNull(args.get("image-root")), null);
            globals.registriesConf = java.util.Objects.toString(Invocation.current().pathOrNull(args.get("registries-conf")), null);
            globals.root = new StateDir(Invocation.current().path(args.get("root", defaultRoot().toString())));
            hako.seccomp.ProfileCache.besideStateRoot(globals.root.root());
            if (args.has("version")) {
                // runc's shape: Docker reads the "version" and "commit:" lines
                Invocation.current().out().println("hako version " + VERSION + "\ncommit: v" + VERSION + "\nspec: " + Spec.OCI_VERSION);
                return 0;
            }
            // runc's --rootless true|false|auto: auto (the default) means rootless when not root.
            String rootless = args.get("rootless", "auto");
            if (!List.of("true", "false", "auto").contains(rootless)) {
                throw new UsageException(null, "--rootless takes true, false or auto, not \"" + rootless + "\"");
            }
            // Whether hako is rootless is what the kernel says (the effective uid, hako.sys.Caller):
            // "true" for root changes nothing more, as hako never needs cgroups it cannot make.
            globals.systemdCgroup = args.has("systemd-cgroup");
            List<String> rest = args.positional();
            if (args.has("help") || rest.isEmpty()) {
                (rest.isEmpty() && !args.has("help") ? Invocation.current().err() : Invocation.current().out()).print(USAGE);
                return rest.isEmpty() && !args.has("help") ? 1 : 0;
            }
            String command = rest.getFirst();
            List<String> commandArgs = rest.subList(1, rest.size());
            if (USES_THE_KERNEL.contains(command) && !Invocation.current().warm()) {
                // Their system calls go through FFM, whose set-up costs ~20 ms: begin it now, on
                // another core, while this thread reads flags, spec and state.
                Libc.prepareInBackground();
            }
            return switch (command) {
                case "create" -> CreateCommand.run(globals, commandArgs);
                case "start" -> StartCommand.run(globals, commandArgs);
                case "state" -> StateCommand.run(globals, commandArgs);
                case "kill" -> KillCommand.run(globals, commandArgs);
                case "delete" -> DeleteCommand.run(globals, commandArgs);
                case "list" -> ListCommand.run(globals, commandArgs);
                case "ps" -> PsCommand.run(globals, commandArgs);
                case "exec" -> ExecCommand.run(globals, commandArgs);
                case "pause" -> PauseCommand.pause(globals, commandArgs);
                case "resume" -> PauseCommand.resume(globals, commandArgs);
                case "update" -> UpdateCommand.run(globals, commandArgs);
                case "events" -> EventsCommand.run(globals, commandArgs);
                case "features" -> FeaturesCommand.run(globals, commandArgs);
                case "network" -> NetworkCommand.run(globals, commandArgs);
                case "image" -> ImageCommand.run(globals, commandArgs);
                case "pull" -> PullCommand.run(globals, commandArgs);
                case "images" -> ImagesCommand.run(globals, commandArgs);
                case "rmi" -> RmiCommand.run(globals, commandArgs);
                case "prune" -> PruneCommand.run(globals, commandArgs);
                case "run" -> RunCommand.run(globals, commandArgs);
                case "launch" -> LaunchCommand.run(globals, commandArgs);
                case "stop" -> StopCommand.run(globals, commandArgs);
                case "rm" -> RmCommand.run(globals, commandArgs);
                case "logs" -> LogsCommand.run(globals, commandArgs);
                case "cleanup" -> CleanupCommand.run(globals, commandArgs);
                case "restart" -> RestartCommand.run(globals, commandArgs);
                case "attach" -> AttachCommand.run(globals, commandArgs);
                case "inspect" -> InspectCommand.run(globals, commandArgs);
                case "plan" -> PlanCommand.run(globals, commandArgs);
                case "spec" -> SpecCommand.run(globals, commandArgs);
                case "aot-training" -> AotTraining.run(commandArgs);
                case "warm-serve" -> hako.warm.WarmServer.serve(commandArgs);
                case "help" -> {
                    Invocation.current().out().print(USAGE);
                    yield 0;
                }
                default -> throw new UsageException(null, "unknown command \"" + command + "\" (see hako --help)");
            };
        } catch (RuntimeException e) {
            return globals.fail(e);
        } catch (StackOverflowError | OutOfMemoryError e) {
            return globals.fail(new IllegalStateException(e.toString(), e));
        }
    }

    /**
     * runc's rule (shouldHonorXDGRuntimeDir): a caller that is not root keeps its state in
     * $XDG_RUNTIME_DIR/hako, when that is set; so does root in a user namespace (rootless podman
     * runs the runtime so, and /run is not its to write) unless $USER says root.
     */
    static Path defaultRoot() {
        String runtimeDir = Invocation.current().env("XDG_RUNTIME_DIR");
        if (runtimeDir != null && !runtimeDir.isEmpty() && honorsRuntimeDir(hako.sys.Caller.current(), Invocation.current().env("USER"))) {
            return Path.of(runtimeDir, "hako");
        }
        return StateDir.DEFAULT_ROOT;
    }

    static boolean honorsRuntimeDir(hako.sys.Caller caller, String user) {
        if (caller.rootless()) return true;
        return caller.inUserNamespace() && !"root".equals(user);
    }
}
