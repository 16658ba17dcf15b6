package hako.cli;

import hako.container.Status;
import hako.spec.Json;
import hako.state.ContainerId;
import hako.state.ContainerState;

import java.util.List;

/** {@code hako state ID}: the OCI state of a container, as JSON. */
final class StateCommand {
    private StateCommand() {}

    static int run(Globals globals, List<String> argv) {
        String id = ContainerId.check(new Args("state").parse(argv).one("a container id"));
        globals.context = "state of container \"" + id + "\"";
        ContainerState state = globals.root.load(id);
        System.out.println(Json.writePretty(state.ociState(Status.of(globals.root, state))));
        return 0;
    }
}
