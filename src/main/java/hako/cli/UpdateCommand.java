package hako.cli;

import hako.Invocation;
import hako.container.Update;
import hako.json.Json;
import hako.json.JsonException;
import hako.spec.Resources;
import hako.spec.SpecReader;
import hako.state.ContainerId;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code hako update [flags] ID}, or {@code -r FILE} ({@code -} for stdin) with the resources as
 * linux.resources JSON, as podman passes them: runc's update.
 */
final class UpdateCommand {
    private UpdateCommand() {}

    static int run(Globals globals, List<String> argv) {
        Args args = new Args("update").value("resources", "r")
                .value("blkio-weight").value("cpu-period").value("cpu-quota").value("cpu-burst").value("cpu-idle")
                .value("cpu-share").value("cpu-rt-period")
                .value("cpu-rt-runtime").value("cpuset-cpus").value("cpuset-mems").value("memory")
                .value("memory-reservation").value("memory-swap").value("pids-limit").value("kernel-memory")
                .value("kernel-memory-tcp").value("l3-cache-schema").value("mem-bw-schema").parse(argv);
        String id = ContainerId.check(args.one("a container id"));
        globals.context = "updating container \"" + id + "\"";
        for (String rdt : new String[] {"l3-cache-schema", "mem-bw-schema"}) {
            if (args.get(rdt) != null) throw new UsageException("update", "--" + rdt + ": Intel RDT (resctrl) is not supported by hako");
        }
        String file = args.get("resources");
        // Decoded as config.json's linux.resources is, so a bad value is refused in the same words
        // (naming the file, or "flags"), before the container is looked at.
        String source = file == null ? "flags" : file.equals("-") ? "stdin" : Path.of(file).getFileName().toString();
        Resources resources = SpecReader.resources(file != null ? readResources(file) : fromFlags(args), source);
        Update.update(globals.root, id, resources, source);
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readResources(String file) {
        try {
            // Bounded as config.json is: a regular file, or stdin read no further than the limit.
            byte[] json = file.equals("-") ? Invocation.current().stdinStream().readNBytes(SpecReader.MAX_FILE_SIZE + 1)
                    : SpecReader.readBytes(hako.Invocation.current().pathOrNull(file));
            if (json.length > SpecReader.MAX_FILE_SIZE) throw new UsageException("update", file + ": too large");
            if (!(Json.parse(json) instanceof Map<?, ?> map)) throw new UsageException("update", file + ": expected a JSON object");
            return (Map<String, Object>) map;
        } catch (IOException e) {
            throw new UsageException("update", "reading " + file + ": " + e.getMessage());
        } catch (JsonException e) {
            throw new UsageException("update", file + ": " + e.getMessage());
        } catch (hako.spec.SpecException e) {
            throw new UsageException("update", e.getMessage());
        }
    }

    private static Map<String, Object> fromFlags(Args args) {
        Map<String, Object> resources = new LinkedHashMap<>();
        put(resources, "blockIO", "weight", number(args, "blkio-weight"));
        put(resources, "cpu", "period", number(args, "cpu-period"));
        put(resources, "cpu", "quota", number(args, "cpu-quota"));
        put(resources, "cpu", "burst", number(args, "cpu-burst"));
        put(resources, "cpu", "idle", number(args, "cpu-idle"));
        put(resources, "cpu", "shares", number(args, "cpu-share"));
        put(resources, "cpu", "realtimePeriod", number(args, "cpu-rt-period"));
        put(resources, "cpu", "realtimeRuntime", number(args, "cpu-rt-runtime"));
        put(resources, "cpu", "cpus", args.get("cpuset-cpus"));
        put(resources, "cpu", "mems", args.get("cpuset-mems"));
        put(resources, "memory", "limit", bytes(args, "memory"));
        put(resources, "memory", "reservation", bytes(args, "memory-reservation"));
        put(resources, "memory", "swap", bytes(args, "memory-swap"));
        // cgroup v1's: passed on, to be said to be ignored as the spec's own fields are.
        put(resources, "memory", "kernel", bytes(args, "kernel-memory"));
        put(resources, "memory", "kernelTCP", bytes(args, "kernel-memory-tcp"));
        put(resources, "pids", "limit", number(args, "pids-limit"));
        if (resources.isEmpty()) throw new UsageException("update", "nothing to update: give -r FILE or a limit");
        return resources;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> resources, String group, String key, Object value) {
        if (value == null) return;
        ((Map<String, Object>) resources.computeIfAbsent(group, k -> new LinkedHashMap<>())).put(key, value);
    }

    private static Long number(Args args, String flag) {
        String text = args.get(flag);
        if (text == null) return null;
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException("update", "--" + flag + " takes a number, not \"" + text + "\"");
        }
    }

    /** Sizes as runc takes them: 512, 512k, 64m, 2g (powers of 1024); -1 for no limit. */
    private static Long bytes(Args args, String flag) {
        String text = args.get(flag);
        if (text == null) return null;
        String lower = text.trim().toLowerCase().replaceFirst("b$", "").replaceFirst("i$", "");
        long unit = 1;
        char last = lower.isEmpty() ? ' ' : lower.charAt(lower.length() - 1);
        switch (last) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            case 't' -> unit = 1L << 40;
            default -> { }
        }
        String digits = unit == 1 ? lower : lower.substring(0, lower.length() - 1);
        try {
            long value = Long.parseLong(digits);
            return value == -1 ? -1 : Math.multiplyExact(value, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UsageException("update", "--" + flag + " takes a size such as 512m, not \"" + text + "\"");
        }
    }
}
