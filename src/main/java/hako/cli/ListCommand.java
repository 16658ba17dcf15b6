package hako.cli;

import hako.Invocation;
import hako.container.ContainerStatus;
import hako.json.Json;
import hako.state.ContainerState;
import hako.state.StateException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code hako list [--format table|json] [--quiet]}: the containers under --root. */
final class ListCommand {
    private ListCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("list").value("format", "f").flag("quiet", "q").parse(argv);
        if (!args.positional().isEmpty()) throw new UsageException("list", "takes no arguments");
        String format = args.get("format", "table");
        List<Map<String, Object>> containers = new ArrayList<>();
        for (String id : globals.root.ids()) {
            try {
                ContainerState state = globals.root.load(id);
                containers.add(state.ociState(ContainerStatus.of(globals.root, state)));
            } catch (StateException e) {
                // deleted while we listed
            }
        }
        if (args.has("quiet")) {
            for (Map<String, Object> c : containers) Invocation.current().out().println(c.get("id"));
        } else if (format.equals("json")) {
            Invocation.current().out().println(containers.isEmpty() ? "null" : Json.write(containers));
        } else if (format.equals("table")) {
            table(containers);
        } else {
            throw new UsageException("list", "--format must be table or json, not \"" + format + "\"");
        }
        return 0;
    }

    private static void table(List<Map<String, Object>> containers) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
        for (Map<String, Object> c : containers) {
            rows.add(new String[] {(String) c.get("id"), c.get("pid").toString(), (String) c.get("status"),
                (String) c.get("bundle"), (String) c.get("created"), "root"});
        }
        int[] widths = new int[6];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) widths[i] = Math.max(widths[i], row[i].length());
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                out.append(row[i]);
                if (i < row.length - 1) out.append(" ".repeat(widths[i] - row[i].length() + 3));
            }
            out.append('\n');
        }
        Invocation.current().out().print(out);
    }
}
