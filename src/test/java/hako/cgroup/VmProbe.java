package hako.cgroup;

import hako.spec.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tests in tests/vm drive a running container's cgroup through this, as {@code hako pause},
 * {@code resume}, {@code update} and {@code events} will: the same public API, one JVM start for
 * several steps (a JVM start costs seconds in the emulated VM).
 *
 * <p>Usage: {@code VmProbe CGROUP_DIR STEP...}; steps run in order, each printing one line:
 * <ul>
 *   <li>{@code wait}: until the directory exists (10 s at most)</li>
 *   <li>{@code freeze}, {@code thaw}, {@code frozen}, {@code pids}, {@code kill}</li>
 *   <li>{@code stats}: runc's {@code events --stats} line</li>
 *   <li>{@code update=JSON}: new linux.resources</li>
 *   <li>{@code filters}: how many device filters are attached to the cgroup itself</li>
 *   <li>{@code events=MILLIS}: one {@code {"type":"oom"}} line per OOM kill, until the cgroup is
 *       gone or the time is up; prints {@code watching} first, so a test knows when to start</li>
 * </ul>
 */
public final class VmProbe {
    private VmProbe() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Cgroup cgroup = Cgroup.open(dir);
        String id = dir.getFileName().toString();
        for (int i = 1; i < args.length; i++) {
            String step = args[i];
            String value = step.contains("=") ? step.substring(step.indexOf('=') + 1) : null;
            switch (step.contains("=") ? step.substring(0, step.indexOf('=')) : step) {
                case "wait" -> {
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (!Files.isDirectory(dir) && System.nanoTime() < deadline) Thread.sleep(20);
                    System.out.println(Files.isDirectory(dir) ? "exists" : "missing");
                }
                case "freeze" -> {
                    cgroup.freeze();
                    System.out.println("frozen");
                }
                case "thaw" -> {
                    cgroup.thaw();
                    System.out.println("thawed");
                }
                case "frozen" -> System.out.println(cgroup.frozen());
                case "pids" -> System.out.println(cgroup.pids());
                case "kill" -> {
                    cgroup.killAll();
                    System.out.println("killed");
                }
                case "stats" -> System.out.println(Json.write(event("stats", id, cgroup.stats())));
                case "update" -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> resources = (Map<String, Object>) Json.parse(value);
                    cgroup.update(resources);
                    System.out.println("updated");
                }
                case "filters" -> System.out.println(cgroup.deviceFilters());
                case "events" -> events(cgroup, id, Long.parseLong(value));
                default -> throw new IllegalArgumentException("unknown step " + step);
            }
        }
    }

    private static void events(Cgroup cgroup, String id, long millis) {
        try (OomWatch watch = cgroup.watchOom()) {
            System.out.println("watching");
            long deadline = System.nanoTime() + millis * 1_000_000;
            while (System.nanoTime() < deadline) {
                long kills = watch.await(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (kills < 0) break;
                for (long k = 0; k < kills; k++) System.out.println(Json.write(event("oom", id, null)));
            }
        }
    }

    /** runc's event line: {@code {"type":"oom","id":"web"}}, with data for stats. */
    private static Map<String, Object> event(String type, String id, Map<String, Object> data) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", type);
        event.put("id", id);
        if (data != null) event.put("data", data);
        return event;
    }
}
