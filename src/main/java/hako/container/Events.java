package hako.container;

import hako.state.Status;
import hako.cgroup.Cgroup;
import hako.cgroup.OomWatch;
import hako.json.Json;
import hako.state.ContainerState;
import hako.state.StateDir;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code hako events}: runc's event stream, one JSON object a line — the container's usage
 * ({@code "type":"stats"}) every interval, and each OOM kill ({@code "type":"oom"}) as it happens,
 * until the container stops; or, with {@code --stats}, its usage once.
 */
public final class Events {
    private Events() {}

    public static void stats(StateDir states, String id, PrintStream out) {
        ContainerState state = running(states, id);
        out.println(Json.write(event("stats", id, Pause.cgroup(state).stats())));
    }

    public static void stream(StateDir states, String id, long intervalMillis, PrintStream out) {
        ContainerState state = running(states, id);
        Cgroup cgroup = Pause.cgroup(state);
        try (OomWatch oom = cgroup.watchOom()) {
            long next = System.nanoTime();
            while (ContainerStatus.of(states, state) != Status.STOPPED) {
                long now = System.nanoTime();
                if (now >= next) {
                    out.println(Json.write(event("stats", id, cgroup.stats())));
                    out.flush();
                    next = now + intervalMillis * 1_000_000;
                }
                // Waiting on memory.events: an OOM kill wakes us at once; otherwise check every second.
                long kills = oom.await(Math.min(1000, Math.max(1, (next - System.nanoTime()) / 1_000_000)));
                if (kills < 0) break;
                for (long i = 0; i < kills; i++) {
                    out.println(Json.write(event("oom", id, null)));
                    out.flush();
                }
            }
            // A kill that came as the container died, after the last wait: report it too.
            for (long i = 0, kills = oom.await(0); i < kills; i++) {
                out.println(Json.write(event("oom", id, null)));
                out.flush();
            }
        }
    }

    private static ContainerState running(StateDir states, String id) {
        ContainerState state = states.load(id);
        if (ContainerStatus.of(states, state) == Status.STOPPED) {
            throw new ContainerException("container with id " + id + " is not running"); // runc's words
        }
        return state;
    }

    private static Map<String, Object> event(String type, String id, Map<String, Object> data) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", type);
        event.put("id", id);
        if (data != null) event.put("data", data);
        return event;
    }
}
