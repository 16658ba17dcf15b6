package hako.cli;

import hako.Invocation;
import hako.container.Events;
import hako.state.ContainerId;

import java.util.List;

/** {@code hako events [--stats] [--interval 5s] ID}: runc's events. */
final class EventsCommand {
    private EventsCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("events").flag("stats").value("interval").parse(argv);
        String id = ContainerId.check(args.one("a container id"));
        globals.context = "events of container \"" + id + "\"";
        if (args.has("stats")) {
            Events.stats(globals.root, id, Invocation.current().out());
        } else {
            Events.stream(globals.root, id, interval(args.get("interval", "5s")), Invocation.current().out());
        }
        return 0;
    }

    /** A Go duration as runc takes it: 500ms, 5s, 1m (a bare number is seconds). */
    private static long interval(String text) {
        try {
            long millis;
            if (text.endsWith("ms")) millis = Long.parseLong(text.substring(0, text.length() - 2));
            else if (text.endsWith("s")) millis = 1000 * Long.parseLong(text.substring(0, text.length() - 1));
            else if (text.endsWith("m")) millis = 60_000 * Long.parseLong(text.substring(0, text.length() - 1));
            else millis = 1000 * Long.parseLong(text);
            if (millis > 0) return millis;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException("events", "--interval takes a duration such as 5s or 500ms, not \"" + text + "\"");
    }
}
