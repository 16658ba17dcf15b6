package hako.cli;

import hako.Invocation;
import hako.json.Json;
import hako.launch.Launch;
import hako.launch.LaunchStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code hako inspect [--type container|image] [-f TEMPLATE] NAME…}: launched containers (and,
 * for a name no container has, images) as a JSON array, or each through a Go-style template, as
 * docker inspect.
 */
final class InspectCommand {
    private InspectCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("inspect").value("format", "f").value("type").parse(argv);
        if (args.positional().isEmpty()) throw new UsageException("inspect", "a container or image name is required");
        String type = args.get("type", "any");
        if (!List.of("any", "container", "image").contains(type)) {
            throw new UsageException("inspect", "--type is container or image, not \"" + type + "\"");
        }
        LaunchStore containers = LaunchCommand.containers(globals);
        Launch launch = new Launch(globals.root, globals.images(), containers);
        List<Map<String, Object>> found = new ArrayList<>();
        for (String name : args.positional()) {
            globals.context = "inspecting " + name;
            boolean container = type.equals("container") || !type.equals("image") && containers.has(name);
            found.add(container ? launch.inspect(name) : InspectImage.of(globals.images(), name));
        }
        String format = args.get("format");
        if (format == null) {
            Invocation.current().out().println(Json.writePretty(found));
        } else {
            for (Map<String, Object> item : found) Invocation.current().out().println(Template.render(format, item));
        }
        return 0;
    }
}
