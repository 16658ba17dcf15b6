package hako.cli;

import hako.Invocation;
import hako.container.ContainerStatus;
import hako.net.Networking;
import hako.json.Json;
import hako.state.ContainerId;
import hako.state.ContainerState;

import java.util.List;
import java.util.Map;

/** {@code hako state ID}: the OCI state of a container, as JSON, with its network when hako built one. */
final class StateCommand {
    private StateCommand() {}

    static int run(Globals globals, List<String> argv) {
        String id = ContainerId.check(new Args("state").parse(argv).one("a container id"));
        globals.context = "state of container \"" + id + "\"";
        ContainerState state = globals.root.load(id);
        Map<String, Object> json = state.ociState(ContainerStatus.of(globals.root, state));
        // hako's own addition: the network it built (clients ignore fields they do not know).
        if (state.network()) json.put("network", Networking.forStateRoot(globals.root.root()).describe(id));
        Invocation.current().out().println(Json.writePretty(json));
        return 0;
    }
}
