package hako.cli;

import hako.Invocation;
import hako.launch.Launch;
import hako.launch.LaunchStore;
import hako.launch.LaunchedContainer;

import java.util.List;
import java.util.Map;

/** {@code hako ps [-a]}: the launched containers, running ones (all with -a), as docker ps lists them. */
final class LaunchedList {
    private LaunchedList() {}

    static int print(Globals globals, boolean all) {
        LaunchStore containers = LaunchCommand.containers(globals);
        Launch launch = new Launch(globals.root, globals.images(), containers);
        StringBuilder table = new StringBuilder(String.format("%-20s %-28s %-24s %-22s %s%n", "NAME", "IMAGE", "COMMAND", "CREATED", "STATUS"));
        for (LaunchedContainer container : containers.list()) {
            boolean running = launch.running(container.name());
            if (!running && !all) continue;
            Map<String, Object> record = container.record();
            Integer code = container.exitCode();
            String status = running ? "running" : code != null ? "exited (" + code + ")" : "created";
            Object command = record.get("command");
            table.append(String.format("%-20s %-28s %-24s %-22s %s%n", container.name(), record.getOrDefault("image", "?"),
                    shorten(command instanceof List<?> words ? String.join(" ", words.stream().map(String::valueOf).toList()) : "", 24),
                    shorten(String.valueOf(record.getOrDefault("created", "?")), 22), status));
        }
        Invocation.current().out().print(table);
        return 0;
    }

    private static String shorten(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "…";
    }
}
