package hako.cli;

import hako.Invocation;
import hako.container.Processes;
import hako.json.Json;
import hako.state.ContainerId;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code hako ps [--format table|json] ID [PS_ARGS…]}: the container's processes — their pids as
 * JSON, or the host's {@code ps} (by default {@code ps -ef}) narrowed to them, as runc does.
 * Without an id (which runc refuses), docker's ps: the containers made by launch.
 */
final class PsCommand {
    private PsCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("ps").value("format", "f").flag("all", "a").parse(argv, 1);
        if (args.positional().isEmpty()) return LaunchedList.print(globals, args.has("all"));
        String id = ContainerId.check(args.positional().getFirst());
        globals.context = "listing the processes of container \"" + id + "\"";
        List<Integer> pids = Processes.of(globals.root, id);
        String format = args.get("format", "table");
        if (format.equals("json")) {
            Invocation.current().out().println(Json.write(pids));
            return 0;
        }
        if (!format.equals("table")) throw new UsageException("ps", "--format must be table or json, not \"" + format + "\"");
        List<String> psArgs = args.positional().subList(1, args.positional().size());
        Invocation.current().out().print(filter(ps(psArgs.isEmpty() ? List.of("-ef") : psArgs), new HashSet<>(pids)));
        return 0;
    }

    private static String ps(List<String> psArgs) {
        List<String> command = new ArrayList<>(List.of("ps"));
        command.addAll(psArgs);
        try {
            Process ps = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (InputStream out = ps.getInputStream()) {
                String text = new String(out.readAllBytes(), StandardCharsets.UTF_8);
                if (ps.waitFor() != 0) throw new UsageException("ps", "ps " + String.join(" ", psArgs) + " failed: " + text.strip());
                return text;
            }
        } catch (IOException e) {
            throw new UsageException("ps", "running ps: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("ps", "interrupted");
        }
    }

    /** The header, and the lines whose PID column is one of the container's. */
    private static String filter(String table, Set<Integer> pids) {
        String[] lines = table.split("\n");
        int column = List.of(lines[0].trim().split("\\s+")).indexOf("PID");
        if (column < 0) throw new UsageException("ps", "ps printed no PID column");
        StringBuilder out = new StringBuilder(lines[0]).append('\n');
        for (int i = 1; i < lines.length; i++) {
            String[] fields = lines[i].trim().split("\\s+");
            if (fields.length > column && fields[column].chars().allMatch(Character::isDigit)
                    && pids.contains(Integer.parseInt(fields[column]))) {
                out.append(lines[i]).append('\n');
            }
        }
        return out.toString();
    }
}
