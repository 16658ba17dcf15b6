package hako.cli;

import hako.Invocation;
import hako.net.NetworkAdmin;
import hako.net.NetworkConfig;
import hako.net.Networking;
import hako.json.Json;

import java.util.List;

/**
 * {@code hako network create|ls|inspect|rm|gc}: the networks that {@code hako run --network}
 * attaches containers to. They live in the network namespace hako runs in, and on disk beside
 * the state root ({@code --root}).
 */
final class NetworkCommand {
    private static final String USAGE = """
            usage: hako network COMMAND

              create [--subnet CIDR] [--gateway IP] [--bridge NAME] [--mtu N] [--internal] [--isolate] NAME
                         make a network: a bridge with the gateway's address, NAT out (unless
                         --internal), containers able to talk to each other (unless --isolate)
              ls         list the networks
              inspect NAME
                         a network and its containers, as JSON
              rm NAME…   remove networks that no container uses
              gc         release what containers that died without a delete still hold
            """;

    private NetworkCommand() {}

    static int run(Globals globals, List<String> argv) {
        if (argv.isEmpty() || argv.getFirst().equals("help") || argv.getFirst().equals("--help")) {
            (argv.isEmpty() ? Invocation.current().err() : Invocation.current().out()).print(USAGE);
            return argv.isEmpty() ? 1 : 0;
        }
        NetworkAdmin admin = new NetworkAdmin(Networking.forStateRoot(globals.root.root()));
        List<String> rest = argv.subList(1, argv.size());
        return switch (argv.getFirst()) {
            case "create" -> create(globals, admin, rest);
            case "ls", "list" -> list(admin, rest);
            case "inspect" -> inspect(globals, admin, rest);
            case "rm", "remove" -> remove(globals, admin, rest);
            case "gc", "prune" -> gc(globals, rest);
            default -> throw new UsageException("network", "unknown command \"" + argv.getFirst() + "\" (see hako network help)");
        };
    }

    private static int create(Globals globals, NetworkAdmin admin, List<String> argv) {
        Args args = new Args("network create").value("subnet").value("gateway").value("bridge").value("mtu")
                .flag("internal").flag("isolate").parse(argv);
        String name = args.one("a network name");
        globals.context = "creating network \"" + name + "\"";
        Integer mtu = null;
        if (args.get("mtu") != null) {
            try {
                mtu = Integer.parseInt(args.get("mtu"));
            } catch (NumberFormatException e) {
                throw new UsageException("network create", "--mtu takes a number, not \"" + args.get("mtu") + "\"");
            }
        }
        NetworkConfig network = admin.create(new NetworkAdmin.Options(name, args.get("subnet"), args.get("gateway"),
                args.get("bridge"), mtu, args.has("internal"), args.has("isolate")));
        Invocation.current().out().println(network.name());
        return 0;
    }

    private static int list(NetworkAdmin admin, List<String> argv) {
        new Args("network ls").parse(argv);
        Invocation.current().out().printf("%-16s %-15s %-18s %-15s %-5s %s%n", "NAME", "BRIDGE", "SUBNET", "GATEWAY", "MTU", "OPTIONS");
        for (NetworkConfig network : admin.list()) {
            String options = (network.internal() ? "internal " : "") + (network.isolated() ? "isolated" : "");
            Invocation.current().out().printf("%-16s %-15s %-18s %-15s %-5d %s%n", network.name(), network.bridge(), network.subnet(),
                    network.gateway(), network.mtu(), options.strip());
        }
        return 0;
    }

    private static int inspect(Globals globals, NetworkAdmin admin, List<String> argv) {
        String name = new Args("network inspect").parse(argv).one("a network name");
        globals.context = "inspecting network \"" + name + "\"";
        Invocation.current().out().println(Json.writePretty(admin.inspect(name)));
        return 0;
    }

    private static int remove(Globals globals, NetworkAdmin admin, List<String> argv) {
        List<String> names = new Args("network rm").parse(argv).positional();
        if (names.isEmpty()) throw new UsageException("network rm", "a network name is required");
        for (String name : names) {
            globals.context = "removing network \"" + name + "\"";
            admin.remove(name);
            Invocation.current().out().println(name);
        }
        return 0;
    }

    private static int gc(Globals globals, List<String> argv) {
        new Args("network gc").parse(argv);
        globals.context = "collecting networks of dead containers";
        for (String id : Networking.forStateRoot(globals.root.root()).gc()) Invocation.current().out().println(id);
        return 0;
    }
}
